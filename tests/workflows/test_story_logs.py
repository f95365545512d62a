"""The logs tell the story: one line for each phase transition (and each pilot's, a
decision included), naming the challenge, the phases and who or what moved it."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.builders import open_challenge, wait_for_phase


async def test_each_transition_is_one_log_line(api, actors, temporal, worker, caplog):
    caplog.set_level(logging.INFO, logger="workflows.activities.phases")
    city = await actors.city()
    challenge = await open_challenge(api, city, close_in=timedelta(days=1))
    await temporal.sleep(timedelta(days=1, hours=1))
    assert await wait_for_phase(api, challenge["id"], "review") == "review"
    lines = [r.getMessage() for r in caplog.records if r.name == "workflows.activities.phases"]
    cid = challenge["id"]
    assert (
        lines.count(f"challenge {cid}: open -> review by timer (the call for proposals closed)")
        == 1
    )
