"""The service's own processes (``proeftuin up``, ``api``, ``worker``), started as a
user or an operator would, for end-to-end and fault tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class ServiceProcess:
    """``python -m service.cli <command>`` with its own environment and log file."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.command = command
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> ServiceProcess:
        self._log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "service.cli", *self.command,
            env=self.env, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_for_output(self, text: str, timeout: float = 90) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while text not in self.output():
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(f"exited {self.process.returncode}:\n{self.output()}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {text!r} within {timeout}s:\n{self.output()}")
            await asyncio.sleep(0.1)

    async def wait_healthy(self, port: int, timeout: float = 90) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/api/health")
                    if response.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert self.process is not None
                if self.process.returncode is not None:
                    raise AssertionError(f"exited {self.process.returncode}:\n{self.output()}")
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"not healthy within {timeout}s:\n{self.output()}")
                await asyncio.sleep(0.2)

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
                raise AssertionError(f"did not stop within {timeout}s:\n{self.output()}") from None
        self._log.close()
        return self.process.returncode

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)
