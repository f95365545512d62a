"""The outcome report's page after a whole lifecycle on the time-skipping server: what
was tried, KPI results against targets, the decision with its reason, what residents
said and "you said, we did", with the JSON and CSV downloads of the API's report; and
input on the outcome once the challenge is closed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import (
    assign,
    iso,
    my_assignments,
    open_challenge,
    score,
    screen,
    submit,
    wait_for_phase,
    wait_for_pilot,
)
from tests.web.pages import post_form, sign_in, text_of

PROBLEM_INPUT = "Please keep the pavement free for wheelchairs."
ANSWER = "Every pole stands in the parking lane, not on the pavement."


async def test_the_report_page_after_a_closed_lifecycle(api, actors, temporal: WorkflowEnvironment):
    city, startup, evaluator = (
        await actors.city(),
        await actors.startup("Cool BV"),
        await actors.evaluator(),
    )
    resident = await actors.resident("Fatima")
    challenge = await open_challenge(
        api, city, max_pilots=1, close_in=timedelta(days=10), review_for=timedelta(days=20)
    )
    cid = challenge["id"]
    path = f"/challenges/{cid}"
    proposal = (await submit(api, startup, cid, title="Misting poles")).json()["id"]
    await sign_in(api, resident)
    said = await post_form(api, path, f"{path}/inputs", {"body": PROBLEM_INPUT})
    assert said.status_code == 303
    problem_input = int(said.headers["location"].rsplit("-", 1)[1])
    before = await api.get(f"{path}/report")  # no report before the end
    assert before.status_code == 409
    assert "published when the challenge ends" in text_of(before.text)
    assert "Read the outcome report" not in (await api.get(path)).text

    await temporal.sleep(timedelta(days=11))
    await wait_for_phase(api, cid, "review")
    await screen(api, city, proposal)
    await assign(api, city, cid, [evaluator])
    [assignment] = await my_assignments(api, evaluator)
    await score(api, evaluator, assignment, (9, 8, 8))
    await wait_for_phase(api, cid, "selection")
    shortlist = await api.post(
        f"/api/challenges/{cid}/shortlist", json={"proposal_ids": [proposal]}, headers=city.headers
    )
    assert shortlist.status_code == 200, shortlist.text
    [pilot_id] = [p["id"] for p in shortlist.json()["pilots"]]
    t0 = datetime.fromisoformat(shortlist.json()["timeline"][-1]["at"])
    start = t0 + timedelta(days=2)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(days=30)),
            "budget_eur": 40000,
            "milestones": [{"title": "Poles installed", "due_at": iso(start + timedelta(days=5))}],
        },
        headers=city.headers,
    )
    assert agreement.status_code == 200, agreement.text
    assert (await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)).is_success
    await temporal.sleep(timedelta(days=3))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"

    pilot_path = f"/pilots/{pilot_id}"
    rated = await post_form(
        api, pilot_path, f"{pilot_path}/inputs", {"body": "Lovely and cool.", "rating": "5"}
    )
    assert rated.status_code == 303
    rating_input = int(rated.headers["location"].rsplit("-", 1)[1])
    for input_id, answer in ((problem_input, ANSWER), (rating_input, "We add poles in Oost.")):
        answered = await api.post(
            f"/api/inputs/{input_id}/response", json={"body": answer}, headers=city.headers
        )
        assert answered.status_code == 200, answered.text
    kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
    report = await api.post(
        f"/api/pilots/{pilot_id}/kpi-reports",
        json={
            "values": [
                {"kpi_id": kpis["Peak temperature drop"], "value": 2.6},
                {"kpi_id": kpis["Resident satisfaction"], "value": 64},
            ],
            "note": "July measurements",
        },
        headers=startup.headers,
    )
    assert report.status_code == 201, report.text
    await temporal.sleep(timedelta(days=31))
    assert await wait_for_pilot(api, pilot_id, "evaluation") == "evaluation"
    decided = await api.post(
        f"/api/pilots/{pilot_id}/decision",
        json={
            "decision": "scale_up",
            "reason": "Cooling met its target; residents want more",
            "plan": {
                "budget_eur": 400000,
                "procurement_route": "innovation_partnership",
                "areas": ["Zuid", "Oost"],
                "starts_at": iso(start + timedelta(days=200)),
            },
        },
        headers=city.headers,
    )
    assert decided.status_code == 200, decided.text
    assert await wait_for_phase(api, cid, "closed") == "closed"

    # The challenge page points to the report and its downloads, and takes input on the
    # outcome.
    closed = await api.get(path)
    assert f'href="{path}/report"' in closed.text
    assert f'href="/api/challenges/{cid}/report"' in closed.text
    assert f'href="/api/challenges/{cid}/report?format=csv"' in closed.text
    assert "Your input on the outcome" in text_of(closed.text)
    outcome = await post_form(api, path, f"{path}/inputs", {"body": "Now do Oost too!"})
    assert outcome.status_code == 303
    assert "On the outcome" in text_of((await api.get(path)).text)

    page = await api.get(f"{path}/report")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Outcome report" in text and challenge["title"] in text
    assert "Misting poles" in text and "by Cool BV" in text
    assert f'href="/pilots/{pilot_id}"' in page.text
    assert "Peak temperature drop 2.6 °C at least 2 °C Met" in text
    assert "Resident satisfaction 64 % at least 70 % Not met" in text
    assert "Scale up" in text and "Why: Cooling met its target; residents want more" in text
    assert "Innovation partnership" in text and "Zuid, Oost" in text
    assert "1 of 1 done" not in text and "0 of 1 done" in text  # the milestone was not marked
    assert "5 out of 5 (1 rating)" in text
    said_did = re.search(
        r'<section aria-labelledby="said-did-title">(.*?)</section>', page.text, re.S
    )
    said_text = text_of(said_did.group(1))
    assert f"You said {PROBLEM_INPUT} We did" in said_text and ANSWER in said_text
    assert "On the pilot Misting poles" in said_text and "Lovely and cool." in said_text
    assert "We add poles in Oost." in said_text
    assert "Now do Oost too!" not in said_text  # not answered (yet): not in the list
    assert f'href="/api/challenges/{cid}/report"' in page.text
    assert f'href="/api/challenges/{cid}/report?format=csv"' in page.text
    # The downloads are the API's report, the same the page shows.
    as_json = (await api.get(f"/api/challenges/{cid}/report")).json()
    assert as_json["pilots"][0]["final_decision"]["reason"] in text
    as_csv = await api.get(f"/api/challenges/{cid}/report?format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv") and "Misting poles" in as_csv.text

    dutch = text_of((await api.get(f"{path}/report?lang=nl")).text)
    assert "Uitkomst" in dutch or "uitkomst" in dutch
