"""E-mail: composing a notification (or a day's digest) as plain text and HTML, the
signed unsubscribe link, and the two ways mail leaves: SMTP, or .eml files in the data
folder when no SMTP host is configured (the embedded default).

Bodies are plain text written by people; the HTML part is rendered by Jinja2 with
autoescaping, so nothing anyone writes becomes markup in a mail client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.paths import UNSUBSCRIBE_PATH
from service.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=False,
        keep_trailing_newline=True,
    )


# -- unsubscribe tokens --------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(secret: str, user_id: int) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{user_id}".encode(), hashlib.sha256)
    return _b64(digest.digest()[:18])


def unsubscribe_token(secret: str, user_id: int) -> str:
    """A token that lets whoever holds it stop ``user_id``'s e-mail, without signing in.
    It does not expire: an old mail's link keeps working."""
    return f"{user_id}.{_signature(secret, user_id)}"


def read_unsubscribe_token(secret: str, token: str) -> int | None:
    """The user id the token was made for, or None if it is not one of ours."""
    user_part, _, signature = token.partition(".")
    if not user_part.isdigit() or not signature:
        return None
    user_id = int(user_part)
    if not hmac.compare_digest(signature, _signature(secret, user_id)):
        return None
    return user_id


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    token = unsubscribe_token(settings.signing_secret(), user_id)
    return f"{settings.base_url}{UNSUBSCRIBE_PATH}?token={token}"


# -- composing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    display_name: str
    preference: str


@dataclass(frozen=True)
class MailItem:
    title: str
    body: str
    url: str | None


def absolute_url(settings: Settings, link: str | None) -> str | None:
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return f"{settings.base_url}/{link.lstrip('/')}"


def _one_line(text: str, limit: int = 200) -> str:
    """Headers are one line: whatever a title holds, no line break gets into one."""
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _address(display_name: str, email: str) -> Address:
    username, _, domain = email.rpartition("@")
    return Address(display_name=_one_line(display_name, 120), username=username, domain=domain)


def _message_id(settings: Settings, key: str) -> str:
    """The same outbox row always has the same Message-ID, so a mail client can tell a
    re-delivery from a new mail."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "proeftuin.invalid"
    digest = hashlib.sha256(f"{settings.base_url}|{key}".encode()).hexdigest()[:24]
    return f"<{digest}@{domain}>"


def _envelope(
    settings: Settings, key: str, recipient: Recipient, subject: str, now: datetime
) -> tuple[EmailMessage, str]:
    message = EmailMessage()
    message["Subject"] = _one_line(subject)
    message["From"] = settings.smtp_from
    message["To"] = _address(recipient.display_name, recipient.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = _message_id(settings, key)
    message["Auto-Submitted"] = "auto-generated"
    url = unsubscribe_url(settings, recipient.user_id)
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message, url


def _render(message: EmailMessage, name: str, context: dict[str, object]) -> EmailMessage:
    env = templates()
    message.set_content(env.get_template(f"mail/{name}.txt").render(context))
    message.add_alternative(env.get_template(f"mail/{name}.html").render(context), subtype="html")
    return message


def notification_mail(
    settings: Settings, key: str, recipient: Recipient, item: MailItem, now: datetime
) -> EmailMessage:
    message, url = _envelope(settings, key, recipient, item.title, now)
    context = {
        "recipient": recipient,
        "item": item,
        "unsubscribe_url": url,
        "preference": recipient.preference,
    }
    return _render(message, "notification", context)


def digest_mail(
    settings: Settings,
    key: str,
    recipient: Recipient,
    day: str,
    items: Sequence[MailItem],
    now: datetime,
) -> EmailMessage:
    count = len(items)
    subject = f"Proeftuin: {count} notification{'' if count == 1 else 's'} ({day})"
    message, url = _envelope(settings, key, recipient, subject, now)
    context = {
        "recipient": recipient,
        "items": items,
        "day": day,
        "unsubscribe_url": url,
        "preference": "daily",
    }
    return _render(message, "digest", context)


# -- sending -------------------------------------------------------------------------


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
