"""People who chose a daily digest get one e-mail a day with everything since the last
one, from the daily round and the outbox drainer running as they do in production."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from sqlmodel import select

from schemas.standing import DailyRoundConfig, DailyRoundInput, DrainOutboxInput, MailOutboxInput
from schemas.workflow_names import DAILY_ROUND_WORKFLOW_ID, MAIL_OUTBOX_WORKFLOW_ID
from service.notifications.commands import notify
from service.notifications.messages import Message
from service.notifications.models import MailOutbox
from tests.stack import eventually
from workflows.daily_round import DailyRoundWorkflow, next_round
from workflows.mail_outbox import MailOutboxWorkflow


async def test_a_daily_reader_gets_one_digest_mail_a_day(api, actors, sessions, temporal, settings):
    reader, eager = await actors.resident("Daily Dora"), await actors.resident("Eager Ed")
    await api.put(
        "/api/me/email-preference", json={"email_preference": "daily"}, headers=reader.headers
    )
    async with sessions() as session:
        for n in (1, 2):
            await notify(
                session,
                [reader.id, eager.id],
                Message(kind="test", key=f"news-{n}", title=f"News <{n}>", body=f"Body {n}"),
            )
        await session.commit()

    await temporal.client.start_workflow(
        DailyRoundWorkflow.run,
        DailyRoundInput(config=DailyRoundConfig(hour_utc=6)),
        id=DAILY_ROUND_WORKFLOW_ID,
        task_queue=settings.task_queue,
    )
    round_at = next_round(await temporal.get_current_time(), 6)
    await temporal.sleep(round_at + timedelta(minutes=1) - await temporal.get_current_time())
    await eventually(lambda: digest_rows(sessions), lambda rows: len(rows) == 1)
    # The next day brings nothing new for the reader: no second, empty digest.
    await temporal.sleep(timedelta(days=1))
    assert len(await digest_rows(sessions)) == 1

    # The drainer is a long-polling activity, and a running activity holds the
    # time-skipping server's clock: it is started once no more time is skipped.
    await temporal.client.start_workflow(
        MailOutboxWorkflow.run,
        MailOutboxInput(drain=DrainOutboxInput(poll_seconds=0.1)),
        id=MAIL_OUTBOX_WORKFLOW_ID,
        task_queue=settings.task_queue,
    )
    mail_dir = settings.data_dir / "mail"
    everything = await eventually(lambda: mails(mail_dir), lambda m: len(m) >= 3, timeout=30)
    eager_mail = [m for m in everything if eager.email in str(m["To"])]
    assert sorted(m["Subject"] for m in eager_mail) == ["News <1>", "News <2>"]
    [digest] = [m for m in everything if reader.email in str(m["To"])]
    assert len(everything) == 3
    day = round_at.date().isoformat()
    assert digest["Subject"] == f"Proeftuin: 2 notifications ({day})"
    text = digest.get_body(("plain",)).get_content()
    assert "News <1>" in text and "Body 2" in text and "one digest a day" in text
    html = digest.get_body(("html",)).get_content()
    assert "News &lt;1&gt;" in html and "News <1>" not in html


async def digest_rows(sessions) -> list[MailOutbox]:
    async with sessions() as session:
        rows = await session.exec(select(MailOutbox).where(MailOutbox.delivery == "digest"))
        return list(rows.all())


async def mails(directory):
    if not directory.exists():
        return []
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]
