"""The two ways mail leaves: SMTP, or .eml files in the data folder when no SMTP host
is configured (the embedded default)."""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol

from service.settings import Settings


class MailServerUnavailable(Exception):
    """The mail server could not take mail now (down, busy, 4xx): try again later."""


class MailRefused(Exception):
    """The mail server refused this mail for good (5xx, e.g. an unknown address)."""


class MailTransport(Protocol):
    async def __aenter__(self) -> MailTransport: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def send(self, message: EmailMessage, name: str) -> None: ...


class EmlDirectory:
    """Writes each mail to ``<dir>/<name>.eml``; writing it again replaces it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def __aenter__(self) -> EmlDirectory:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def send(self, message: EmailMessage, name: str) -> None:
        await asyncio.to_thread(self._write, message, name)

    def _write(self, message: EmailMessage, name: str) -> None:
        target = self.directory / f"{name}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, target)


class SmtpServer:
    """One SMTP connection for a batch of mail (stdlib ``smtplib`` on a thread)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpServer:
        try:
            self._smtp = await asyncio.to_thread(self._connect)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerUnavailable(f"cannot reach {self._where()}: {exc}") from exc
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                await asyncio.to_thread(smtp.quit)
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _where(self) -> str:
        return f"the mail server {self.settings.smtp_host}:{self.settings.smtp_port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        smtp: smtplib.SMTP
        if s.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            smtp.ehlo()
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_user, password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    async def send(self, message: EmailMessage, name: str) -> None:
        assert self._smtp is not None
        try:
            await asyncio.to_thread(self._smtp.send_message, message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise MailServerUnavailable(f"{self._where()} deferred: {exc}") from exc
            raise MailRefused(f"{self._where()} refused the recipient: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise MailRefused(f"{self._where()} refused the mail: {exc}") from exc
            raise MailServerUnavailable(f"{self._where()} deferred: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerUnavailable(f"{self._where()} failed: {exc}") from exc


def transport_for(settings: Settings) -> MailTransport:
    if settings.smtp_host:
        return SmtpServer(settings)
    return EmlDirectory(settings.mail_dir)
