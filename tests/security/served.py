"""The app served over real HTTP by uvicorn, from a thread with its own event loop (as
``proeftuin api`` serves it), for clients that speak plain HTTP such as the fuzzer."""

from __future__ import annotations

import threading
import time

import uvicorn

from service.app import create_app
from service.settings import Settings
from tests.processes import free_port


class ThreadedApi:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="test-api", daemon=True)

    def start(self, timeout: float = 60) -> ThreadedApi:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
