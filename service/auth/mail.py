"""Mail about an account itself (a link to set a new password, an invitation, a sign-up
tried with its address), in the language the person asked in, sent straight away rather
than through the notifications' outbox: it is for someone who may have no working
sign-in, and only they asked for it.

It goes out after the answer to the request has been sent (the caller hands ``deliver``
to the web framework as a background task), so the answer takes as long whether or not
the address has an account. A mail server that is down loses the mail; the person asks
again. No link is ever logged.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from service.notifications.templates import templates
from service.notifications.transport import MailRefused, MailServerUnavailable, transport_for
from service.settings import Settings

log = logging.getLogger(__name__)

LANGUAGES = ("en", "nl")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello {name},",
        "footer": "You get this e-mail from Proeftuin because someone entered {email} "
        "on its pages.",
        "reset.subject": "Choose a new password for Proeftuin",
        "reset.body": "Someone, hopefully you, asked to choose a new password for your "
        "Proeftuin account. Follow the link to choose one. It works once, for "
        "{minutes} minutes.",
        "reset.action": "Choose a new password",
        "reset.closing": "Did you not ask for this? Then ignore this e-mail: your password "
        "stays as it is.",
        "taken.subject": "Someone tried to sign up to Proeftuin with your e-mail address",
        "taken.body": "Someone, perhaps you, tried to make a new Proeftuin account with "
        "this e-mail address. It already has an account, so no second one was made.",
        "taken.hint": "Is it you? Sign in with your password, or choose a new one if you "
        "forgot it: {reset_url}",
        "taken.action": "Sign in",
        "taken.closing": "Not you? Then ignore this e-mail: your account stays as it is.",
        "verify.subject": "Confirm your e-mail address for Proeftuin",
        "verify.body": "Welcome to Proeftuin. Confirm that this is your e-mail address: "
        "then your input, endorsements and questions are taken. The link works for "
        "{days} days.",
        "verify.action": "Confirm my e-mail address",
        "verify.closing": "Did you not make an account? Then ignore this e-mail.",
        "invite.subject": "You are invited to Proeftuin",
        "invite.body.city": "{inviter} invites you to Proeftuin as city staff: you will run "
        "challenges with the innovation office.",
        "invite.body.evaluator": "{inviter} invites you to Proeftuin as an evaluator: you "
        "will score the proposals and pilots the city assigns to you.",
        "invite.expiry": "Follow the link to choose your password and sign in. It works "
        "for {days} days.",
        "invite.action": "Choose your password",
        "invite.closing": "Not expecting this? Then ignore this e-mail.",
    },
    "nl": {
        "greeting": "Beste {name},",
        "footer": "U krijgt deze e-mail van Proeftuin omdat iemand {email} invulde op de website.",
        "reset.subject": "Kies een nieuw wachtwoord voor Proeftuin",
        "reset.body": "Iemand, hopelijk u, vroeg om een nieuw wachtwoord voor uw "
        "Proeftuin-account. Volg de link om er een te kiezen. De link werkt één keer, "
        "{minutes} minuten lang.",
        "reset.action": "Kies een nieuw wachtwoord",
        "reset.closing": "Heeft u hier niet om gevraagd? Dan kunt u deze e-mail negeren: "
        "uw wachtwoord blijft zoals het is.",
        "taken.subject": "Iemand probeerde zich met uw e-mailadres aan te melden bij Proeftuin",
        "taken.body": "Iemand, misschien u, probeerde een nieuw Proeftuin-account te maken "
        "met dit e-mailadres. Er is al een account met dit adres, dus er is geen tweede "
        "gemaakt.",
        "taken.hint": "Was u het? Log in met uw wachtwoord, of kies een nieuw wachtwoord als "
        "u het vergeten bent: {reset_url}",
        "taken.action": "Inloggen",
        "taken.closing": "Was u het niet? Dan kunt u deze e-mail negeren: uw account blijft "
        "zoals het is.",
        "verify.subject": "Bevestig uw e-mailadres voor Proeftuin",
        "verify.body": "Welkom bij Proeftuin. Bevestig dat dit uw e-mailadres is: dan "
        "worden uw reacties, steunbetuigingen en vragen aangenomen. De link werkt {days} "
        "dagen.",
        "verify.action": "Bevestig mijn e-mailadres",
        "verify.closing": "Heeft u geen account gemaakt? Dan kunt u deze e-mail negeren.",
        "invite.subject": "U bent uitgenodigd voor Proeftuin",
        "invite.body.city": "{inviter} nodigt u uit voor Proeftuin als medewerker van de "
        "gemeente: u voert uitdagingen uit met het innovatieteam.",
        "invite.body.evaluator": "{inviter} nodigt u uit voor Proeftuin als beoordelaar: u "
        "beoordeelt de voorstellen en pilots die de gemeente u toewijst.",
        "invite.expiry": "Volg de link om uw wachtwoord te kiezen en in te loggen. De link "
        "werkt {days} dagen.",
        "invite.action": "Kies uw wachtwoord",
        "invite.closing": "Verwachtte u dit niet? Dan kunt u deze e-mail negeren.",
    },
}


def language_of(preferred: str | None) -> str:
    """``en`` or ``nl``: the first of an Accept-Language header (or a page's language)
    that we write in."""
    for part in (preferred or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


@dataclass(frozen=True)
class AccountMail:
    language: str
    email: str
    display_name: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    action: str
    url: str
    closing: str
    footer: str


def _account_mail(
    kind: str,
    language: str,
    email: str,
    display_name: str,
    url: str,
    *paragraphs: tuple[str, dict[str, object]],
) -> AccountMail:
    """A mail of ``kind`` (``{kind}.subject``, ``.action`` and ``.closing`` in ``WORDS``)
    with these paragraphs (a key in ``WORDS`` and its values each)."""
    words = WORDS[language_of(language)]
    return AccountMail(
        language=language_of(language),
        email=email,
        display_name=display_name,
        subject=words[f"{kind}.subject"],
        greeting=words["greeting"].format(name=display_name),
        paragraphs=tuple(words[key].format(**values) for key, values in paragraphs),
        action=words[f"{kind}.action"],
        url=url,
        closing=words[f"{kind}.closing"],
        footer=words["footer"].format(email=email),
    )


def password_reset_mail(
    language: str, email: str, display_name: str, url: str, minutes: int
) -> AccountMail:
    return _account_mail(
        "reset", language, email, display_name, url, ("reset.body", {"minutes": minutes})
    )


def invitation_mail(
    language: str, email: str, display_name: str, role: str, inviter: str, url: str, days: int
) -> AccountMail:
    return _account_mail(
        "invite",
        language,
        email,
        display_name,
        url,
        (f"invite.body.{role}", {"inviter": inviter}),
        ("invite.expiry", {"days": days}),
    )


def address_taken_mail(
    language: str, email: str, display_name: str, login_url: str, reset_url: str
) -> AccountMail:
    """Sent to an address's owner when someone signs up with it: the link is to sign in."""
    return _account_mail(
        "taken",
        language,
        email,
        display_name,
        login_url,
        ("taken.body", {}),
        ("taken.hint", {"reset_url": reset_url}),
    )


def verification_mail(
    language: str, email: str, display_name: str, url: str, days: int
) -> AccountMail:
    return _account_mail(
        "verify", language, email, display_name, url, ("verify.body", {"days": days})
    )


def _one_line(text: str) -> str:
    """A header is one line, whatever a name holds."""
    return " ".join(text.split())[:200]


def compose(settings: Settings, mail: AccountMail, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _one_line(mail.subject)
    message["From"] = settings.smtp_from
    username, _, domain = mail.email.rpartition("@")
    message["To"] = Address(_one_line(mail.display_name)[:120], username, domain)
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"
    env = templates()
    message.set_content(env.get_template("mail/account.txt").render(mail=mail))
    message.add_alternative(env.get_template("mail/account.html").render(mail=mail), "html")
    return message


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Send one account mail now; a failure is logged (without the mail), not raised."""
    try:
        async with transport_for(settings) as transport:
            await transport.send(message, f"account-{uuid.uuid4().hex}")
    except (MailServerUnavailable, MailRefused, OSError) as exc:
        log.warning("account mail not sent: %s", type(exc).__name__)
