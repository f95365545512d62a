"""A PostgreSQL server of the test's own, to stop and start at will without touching the
machine's (which the rest of the suite and CI share), and a TCP proxy in front of it
that can stop passing anything, as a network that drops packets would."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import tempfile
from pathlib import Path

from tests.processes import free_port


def find_postgres_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` live: on PATH, or Debian's versioned folders."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


class PostgresCluster:
    """``initdb`` in a temporary folder, served on a free port of 127.0.0.1 (trust
    authentication, no fsync: it lives for one test). As root, it runs as the
    ``postgres`` user, since PostgreSQL refuses to run as root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="proeftuin-fault-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    async def _run(self, *command: str) -> None:
        argv = list(command)
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({process.returncode}):\n"
                f"{output.decode(errors='replace')}"
            )

    async def create(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, user="postgres")
        await self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        await self.start()

    async def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        await self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.log), "-w", "-t", "60", "start",
        )  # fmt: skip

    async def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown that ends every session (as a restart does)."""
        await self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60",
            "stop",
        )  # fmt: skip

    async def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class TcpProxy:
    """127.0.0.1:<port> forwarding to 127.0.0.1:<target>. ``stall()`` is a network that
    drops every packet: nothing passes either way and new connections get no answer,
    with no reset to say so; ``restore()`` heals it (what TCP held back arrives)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._transports: set[asyncio.BaseTransport] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        self._transports.add(client_w.transport)
        await self._flowing.wait()
        if self._closed:
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        self._transports.add(server_w.transport)
        for reader, writer in ((client_r, server_w), (server_r, client_w)):
            task = asyncio.create_task(self._pump(reader, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await self._flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            self._transports.discard(writer.transport)

    def stall(self) -> None:
        self._flowing.clear()

    def restore(self) -> None:
        self._flowing.set()

    async def close(self) -> None:
        self._closed = True
        self._flowing.set()  # connections held back end now, rather than with the loop
        if self._server is not None:
            self._server.close()
            self._server = None
        for transport in list(self._transports):
            transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.sleep(0.1)
