"""How much the mail outbox costs: notifying N people (notification + outbox row each,
one transaction) and draining the outbox to .eml files, on a fresh SQLite database.

    python bench/mail_outbox.py [N]      (PROEFTUIN_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from temporalio.testing import ActivityEnvironment

from schemas.common import Role
from schemas.standing import DrainOutboxInput
from service.auth.models import User
from service.db import create_engine, create_session_factory, migrate
from service.notifications.commands import notify
from service.notifications.messages import Message
from service.settings import Settings
from workflows.activities.mail import MailActivities


async def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="proeftuin-bench-"))
    url = os.environ.get("PROEFTUIN_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/bench.db"
    settings = Settings(data_dir=folder, database_url=url, jwt_secret="b" * 40)
    await migrate(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url)
    sessions = create_session_factory(engine)
    async with sessions() as session:
        for n in range(count):
            session.add(
                User(email=f"bench{n}@example.org", password_hash="x", role=Role.RESIDENT,
                     display_name=f"Resident {n}")
            )  # fmt: skip
        await session.commit()
        ids = [u for u in (await session.exec(User.__table__.select())).scalars()]  # type: ignore[attr-defined]

    started = time.perf_counter()
    async with sessions() as session:
        await notify(session, ids, Message(kind="bench", key="bench", title="Hello", body="Body"))
        await session.commit()
    notified = time.perf_counter() - started
    print(f"notify {count} people (notification + outbox row): {notified * 1000:.0f} ms "
          f"({notified / count * 1e6:.0f} µs each)")  # fmt: skip

    activities = MailActivities(sessions, settings)
    started = time.perf_counter()
    result = await ActivityEnvironment().run(
        activities.drain_outbox, DrainOutboxInput(run_for_seconds=0.01, batch_size=100)
    )
    drained = time.perf_counter() - started
    files = len(list(settings.mail_dir.glob("*.eml")))
    print(f"drain {result.sent} mails to .eml files: {drained:.2f} s "
          f"({result.sent / drained:.0f} mails/s); {files} files")  # fmt: skip
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
