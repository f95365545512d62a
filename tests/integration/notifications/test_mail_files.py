"""With no SMTP server configured (the embedded default), mail is written to the data
folder as .eml files, one per mail, as a mail client would open them."""

from __future__ import annotations

from email import message_from_bytes, policy

from service.notifications.commands import notify
from service.notifications.messages import Message
from tests.stack import eventually
from workflows.standing import ensure_standing_workflows


async def test_mail_lands_in_the_data_folder_as_eml_files(
    api, actors, sessions, temporal, settings
):
    assert settings.smtp_host is None
    settings = settings.model_copy(update={"mail_poll_seconds": 0.1})
    await ensure_standing_workflows(temporal.client, settings)
    resident, quiet = await actors.resident("Rosa"), await actors.resident()
    await api.put(
        "/api/me/email-preference", json={"email_preference": "none"}, headers=quiet.headers
    )
    async with sessions() as session:
        await notify(
            session,
            [resident.id, quiet.id],
            Message(
                kind="test",
                key="eml",
                title="Your input was answered",
                body="Thanks for <writing>.",
                link="/api/inputs/1",
            ),
        )
        await session.commit()

    mail_dir = settings.data_dir / "mail"
    files = await eventually(
        lambda: _eml_files(mail_dir), lambda files: len(files) >= 1, timeout=30
    )
    [path] = files
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == resident.email
    assert message["Subject"] == "Your input was answered"
    assert "Thanks for <writing>." in message.get_body(("plain",)).get_content()
    assert "Thanks for &lt;writing&gt;." in message.get_body(("html",)).get_content()
    assert f"{settings.base_url}/api/inputs/1" in message.get_body(("plain",)).get_content()
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith(f"<{settings.base_url}/api/unsubscribe?token=")
    )


async def _eml_files(directory):
    return sorted(directory.glob("*.eml")) if directory.exists() else []
