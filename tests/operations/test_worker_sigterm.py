"""SIGTERM to a worker in the middle of an activity: it stops polling, lets the activity
finish within its grace period, and exits; nothing is lost or done twice. The activity is
the mail drainer's, held up by a slow mail server."""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import Any

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from service.notifications.models import MailOutbox, Notification
from service.temporal import find_executable
from tests.feedback import SmtpSink
from tests.processes import ServiceProcess, free_port


class SlowSmtp(SmtpSink):
    """Takes its time over each message, and says when one has begun."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.receiving = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.receiving.set()
        await asyncio.sleep(4)
        return await super().handle_DATA(server, session, envelope)


async def test_sigterm_lets_the_activity_in_hand_finish(actors, sessions, database_url, tmp_path):
    resident = await actors.resident()
    async with sessions() as session:
        notification = Notification(
            user_id=resident.id, key="sigterm-test", kind="test", title="Hello", body="Hi."
        )
        session.add(notification)
        await session.flush()
        session.add(
            MailOutbox(
                key="sigterm-test",
                user_id=resident.id,
                notification_id=notification.id,
                delivery="immediate",
            )
        )
        await session.commit()
    smtp = SlowSmtp(free_port()).start()
    server = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"), port=free_port()
    )
    env = {
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_DATABASE_URL": database_url,
        "PROEFTUIN_TEMPORAL_ADDRESS": server.client.service_client.config.target_host,
        "PROEFTUIN_SMTP_HOST": "127.0.0.1",
        "PROEFTUIN_SMTP_PORT": str(smtp.port),
        "PROEFTUIN_SMTP_TLS": "none",
        "PROEFTUIN_MAIL_POLL_SECONDS": "0.5",
    }
    worker = await ServiceProcess(["worker"], env, tmp_path / "worker.log").start()
    try:
        assert await asyncio.to_thread(smtp.receiving.wait, 90), worker.output()
        assert await worker.stop(signal.SIGTERM, timeout=60) == 0  # mid-send
        async with sessions() as session:
            [row] = (await session.exec(select(MailOutbox))).all()
        assert row.status == "sent", worker.output()
        assert len(smtp.to(resident.email)) == 1
    finally:
        smtp.stop()
        await server.shutdown()
