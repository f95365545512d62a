"""Composing e-mail: a notification (or a day's digest) as plain text and HTML, with
its headers and the signed unsubscribe link.

Bodies are plain text written by people; the HTML part is rendered by Jinja2 with
autoescaping, so nothing anyone writes becomes markup in a mail client.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from service.notifications import messages
from service.notifications.templates import templates
from service.notifications.tokens import unsubscribe_url
from service.settings import Settings


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    display_name: str
    preference: str
    language: str | None = None


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
        "words": messages.mail_frame(recipient.language),
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
    subject = messages.digest_subject(count=len(items), day=day, locale=recipient.language)
    message, url = _envelope(settings, key, recipient, subject, now)
    context = {
        "recipient": recipient,
        "items": items,
        "day": day,
        "words": messages.mail_frame(recipient.language),
        "unsubscribe_url": url,
        "preference": "daily",
    }
    return _render(message, "digest", context)
