"""Input left unanswered past its response target is escalated to the city durably:
one digest a day per person who answers for the challenge, listing every overdue
input, until the city answers. Time is skipped, never waited for."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from schemas.standing import DailyRoundConfig, DailyRoundInput
from schemas.workflow_names import DAILY_ROUND_WORKFLOW_ID
from service.notifications.models import MailOutbox
from tests.builders import create_challenge, publish
from tests.feedback import give_input
from tests.replay.recording import record
from tests.stack import eventually
from workflows.daily_round import DailyRoundWorkflow, next_round

HOUR_UTC = 7


def rounds_between(after: datetime, until: datetime) -> int:
    """How many daily rounds fall in (after, until]."""
    count, moment = 0, next_round(after, HOUR_UTC)
    while moment <= until:
        count, moment = count + 1, moment + timedelta(days=1)
    return count


async def overdue_digests(api, account) -> list[dict]:
    items = (await api.get("/api/me/notifications?limit=100", headers=account.headers)).json()
    return [n for n in items["items"] if n["kind"] == "inputs_overdue"]


async def test_one_digest_a_day_to_the_city_until_the_input_is_answered(
    api, actors, temporal, settings, sessions
):
    creator, publisher = await actors.city("Creator"), await actors.city("Publisher")
    await api.put(
        "/api/me/email-preference", json={"email_preference": "daily"}, headers=publisher.headers
    )
    challenge = await create_challenge(api, creator, response_target_working_days=3)
    await publish(api, publisher, challenge["id"])
    residents = [await actors.resident() for _ in range(2)]
    inputs = [
        await give_input(api, r, challenge["id"], f"Idea {n}") for n, r in enumerate(residents)
    ]
    # Another office's challenge, whose input nobody answers: it keeps being escalated,
    # which shows the rounds go on after this challenge's input is answered.
    elsewhere = await actors.city("Elsewhere")
    other = await create_challenge(api, elsewhere, response_target_working_days=3)
    await publish(api, elsewhere, other["id"])
    await give_input(api, residents[0], other["id"], "Nobody listens")
    await temporal.client.start_workflow(
        DailyRoundWorkflow.run,
        DailyRoundInput(config=DailyRoundConfig(hour_utc=HOUR_UTC)),
        id=DAILY_ROUND_WORKFLOW_ID,
        task_queue=settings.task_queue,
    )
    dues = [datetime.fromisoformat(i["respond_by"]) for i in inputs]
    first_full_round = next_round(max(dues), HOUR_UTC)  # both are overdue by then
    expected = rounds_between(min(dues), first_full_round)  # 1, unless due on two days

    # Nothing is escalated before the target...
    await temporal.sleep(min(dues) - await temporal.get_current_time() - timedelta(hours=1))
    assert await overdue_digests(api, creator) == []

    # ...and right after it, one digest each for the creator and the publisher.
    await temporal.sleep(
        first_full_round + timedelta(minutes=5) - await temporal.get_current_time()
    )
    for person in (creator, publisher):
        digests = await eventually(
            lambda person=person: overdue_digests(api, person), lambda d: len(d) >= expected
        )
        assert len(digests) == expected
        latest = digests[0]
        assert latest["title"] == "2 resident inputs past the response target"
        assert f"#{inputs[0]['id']}" in latest["body"] and f"#{inputs[1]['id']}" in latest["body"]
        assert latest["challenge_id"] == challenge["id"]
    for resident in residents:
        assert await overdue_digests(api, resident) == []

    # Still unanswered a day later: a second digest, not one per input.
    await temporal.sleep(timedelta(days=1))
    digests = await eventually(
        lambda: overdue_digests(api, creator), lambda d: len(d) >= expected + 1
    )
    assert len(digests) == expected + 1

    # The city answers: the escalation stops.
    for given in inputs:
        answered = await api.post(
            f"/api/inputs/{given['id']}/response",
            json={"body": "Thank you, we are on it."},
            headers=creator.headers,
        )
        assert answered.status_code == 200
    # (Each round writes every person's digest in one transaction: the other office's
    # count is complete whenever the creator's is.)
    before = len(await overdue_digests(api, elsewhere))
    answered_at = await temporal.get_current_time()
    await temporal.sleep(timedelta(days=3))
    rounds = rounds_between(answered_at, await temporal.get_current_time())
    assert rounds == 3
    told_elsewhere = await eventually(
        lambda: overdue_digests(api, elsewhere), lambda d: len(d) >= before + rounds
    )
    assert len(told_elsewhere) == before + rounds
    assert len(await overdue_digests(api, creator)) == expected + 1
    assert len(await overdue_digests(api, publisher)) == expected + 1

    # The publisher chose a daily e-mail digest: the escalations went into it, one a day.
    async with sessions() as session:
        rows = (
            await session.exec(select(MailOutbox).where(MailOutbox.user_id == publisher.id))
        ).all()
    escalations = {n["id"] for n in await overdue_digests(api, publisher)}
    daily = [r for r in rows if r.delivery == "daily" and r.notification_id in escalations]
    bundles = [r for r in rows if r.delivery == "digest"]
    assert len(daily) == expected + 1 and all(r.status == "bundled" for r in daily)
    # (The new input the city was told of went into the first day's digest too.)
    assert {r.bundled_into_id for r in daily} <= {r.id for r in bundles}
    assert len({r.digest_day for r in bundles}) == len(bundles)
    await record(temporal.client, "daily-round", [DAILY_ROUND_WORKFLOW_ID])
