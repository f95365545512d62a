from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.settings import Settings
from tests.feedback import SmtpSink
from tests.processes import free_port

PUBLIC_URL = "https://proeftuin.city.example"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server on a port of its own, not yet started: tests start it (and may
    stop it, to play a mail server that is down)."""
    sink = SmtpSink(free_port())
    yield sink
    sink.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
            "smtp_from": "Proeftuin Zuid <proeftuin@city.example>",
            "smtp_timeout_seconds": 5,
            "mail_poll_seconds": 0.1,
            "public_url": PUBLIC_URL,
        }
    )
