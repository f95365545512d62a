"""``proeftuin status`` and ``proeftuin doctor``, run as an operator runs them (the real
command, in a process of its own) against a real database and Temporal server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from service.temporal import find_executable
from tests.builders import agree, challenge_in_piloting, create_challenge, open_challenge
from tests.feedback import give_input
from tests.processes import free_port


async def run(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *command,
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, output.decode()


def env_of(settings, **extra: str) -> dict[str, str]:
    return {
        "PROEFTUIN_DATA_DIR": str(settings.data_dir),
        "PROEFTUIN_DATABASE_URL": settings.resolved_database_url,
        "PROEFTUIN_TEMPORAL_ADDRESS": settings.temporal_address,
        **extra,
    }


async def test_status_names_what_every_running_challenge_and_pilot_waits_for(
    api, actors, temporal, worker, settings, sessions
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    resident = await actors.resident()
    await create_challenge(api, city)  # a draft: not running, not listed
    piloting, _, pilots, t0 = await challenge_in_piloting(
        api, city, [startup], [evaluator], temporal
    )
    [pilot_id] = pilots.values()
    await agree(api, city, startup, pilot_id, t0 + timedelta(days=5), days=60)
    # Far off: the test server's clock has run ahead through the first challenge's review.
    open_one = await open_challenge(api, city, close_in=timedelta(days=365))
    waiting = await give_input(api, resident, open_one["id"])
    late = await give_input(api, resident, open_one["id"], body="And benches.")
    async with sessions() as session:  # its response target has passed
        await session.exec(
            text("UPDATE resident_inputs SET respond_by = :past WHERE id = :id").bindparams(
                past=datetime.now(UTC) - timedelta(days=1), id=late["id"]
            )
        )
        await session.commit()
        pending_mail = (
            await session.exec(text("SELECT count(*) FROM mail_outbox WHERE status = 'pending'"))
        ).one()[0]

    code, output = await run(["status", "--json"], env_of(settings))
    assert code == 0, output
    report = json.loads(output)
    assert report["temporal"] == "ok"
    by_id = {c["id"]: c for c in report["challenges"]}
    assert set(by_id) == {piloting["id"], open_one["id"]}

    call = by_id[open_one["id"]]
    assert call["phase"] == "open"
    assert call["waits_for"] == "proposals: the call closes"
    assert datetime.fromisoformat(call["until"]) == datetime.fromisoformat(
        open_one["proposals_close_at"]
    )
    assert call["workflow"] == {
        "id": f"challenge-{open_one['id']}", "status": "running", "failing_activities": [],
    }  # fmt: skip
    assert (call["inputs_awaiting_answer"], call["inputs_overdue"]) == (2, 1)
    assert waiting["id"] != late["id"]

    pilots_of = by_id[piloting["id"]]
    assert pilots_of["phase"] == "piloting"
    assert pilots_of["waits_for"] == "a decision on every pilot"
    assert pilots_of["workflow"]["status"] == "running"
    [pilot] = pilots_of["pilots"]
    assert (pilot["id"], pilot["status"]) == (pilot_id, "agreement")  # accepted, not begun
    assert pilot["waits_for"] == "its start date"
    assert datetime.fromisoformat(pilot["until"]) == t0 + timedelta(days=5)
    assert pilot["workflow"]["status"] == "running"

    assert (report["inputs_awaiting_answer"], report["inputs_overdue"]) == (2, 1)
    assert report["outbox"]["pending"] == pending_mail
    assert report["outbox"]["failed"] == 0

    code, output = await run(["status"], env_of(settings))
    assert code == 0, output
    assert f"challenge {open_one['id']} [open]" in output
    assert "1 input(s) overdue" in output
    assert f"pilot {pilot_id} [" in output
    assert "Resident input: 2 awaiting an answer, 1 overdue" in output


async def test_status_without_temporal_still_reads_the_database(api, actors, settings):
    city = await actors.city()
    await create_challenge(api, city)
    env = env_of(settings, PROEFTUIN_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}")
    code, output = await run(["status", "--json"], env)
    assert code == 0, output
    report = json.loads(output)
    assert report["temporal"] == "unreachable"
    assert report["challenges"] == []  # a draft is not running


async def test_doctor_says_each_part_is_fine(temporal, settings, database_url):
    code, output = await run(["doctor"], env_of(settings))
    assert code == 0, output
    lines = output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "settings"], ["ok", "database"], ["ok", "migrations"], ["ok", "temporal"],
        ["--", "smtp"],
    ]  # fmt: skip


async def test_doctor_names_what_is_wrong_one_line_each(settings, sessions, tmp_path):
    async with sessions() as session:
        head = (await session.exec(text("SELECT version_num FROM alembic_version"))).one()[0]
        await session.exec(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
        await session.commit()
    try:
        env = env_of(
            settings,
            PROEFTUIN_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
            PROEFTUIN_SMTP_HOST="127.0.0.1",
            PROEFTUIN_SMTP_PORT=str(free_port()),
        )
        code, output = await run(["doctor"], env)
    finally:  # on PostgreSQL the next test empties this database, and keeps its version
        async with sessions() as session:
            await session.exec(
                text("UPDATE alembic_version SET version_num = :head").bindparams(head=head)
            )
            await session.commit()
    assert code == 1, output
    lines = {line.split()[1]: line for line in output.splitlines()}
    assert lines["settings"].startswith("ok")
    assert lines["database"].startswith("ok")
    assert lines["migrations"].startswith("FAIL")
    assert "an_older_one" in lines["migrations"] and "proeftuin migrate" in lines["migrations"]
    assert lines["temporal"].startswith("FAIL")
    assert lines["smtp"].startswith("FAIL")
    assert len(output.splitlines()) == 5

    code, output = await run(
        ["doctor"], env_of(settings, PROEFTUIN_MODE="production", PROEFTUIN_JWT_SECRET="short")
    )
    assert code == 1
    assert output.splitlines()[0].startswith("FAIL settings")
    assert "PROEFTUIN_JWT_SECRET" in output
    assert find_executable("temporal")  # the embedded server the doctor would point to
