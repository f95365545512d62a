"""The city console through a challenge's review, selection and pilot: screening with
reasons, evaluators assigned several at once, the ranking and what-if weights, the
shortlist and the decision confirmed on a page of their own, and residents' input
answered, considered, hidden and restored. The same services as the JSON API."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.builders import (
    challenge_in_review,
    my_assignments,
    open_challenge,
    score,
    wait_for_phase,
    wait_for_pilot,
)
from tests.web.pages import csrf_field, post_form, sign_in, text_of
from tests.web.test_city_pages import field_marked


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


async def test_review_selection_and_a_pilot_in_the_console(api, actors, temporal, settings):
    city = await actors.city()
    startups = [await actors.startup("Cool BV"), await actors.startup("Shade BV")]
    evaluators = [await actors.evaluator("Ada Expert"), await actors.evaluator("Bo Expert")]
    challenge, (first, second) = await challenge_in_review(
        api, city, startups, temporal, max_pilots=1
    )
    cid = challenge["id"]
    await sign_in(api, city)

    dashboard = text_of((await api.get("/city")).text)
    assert "2 proposals to screen" in dashboard

    review = await api.get(f"/city/challenges/{cid}/review")
    assert review.status_code == 200
    assert f'href="/city/proposals/{first}/screening"' in review.text
    no_reason = await post_form(
        api,
        f"/city/proposals/{second}/screening",
        f"/city/proposals/{second}/screening",
        {"eligible": "false", "reason": ""},
    )
    assert no_reason.status_code == 422
    assert "the startup reads it" in text_of(no_reason.text)
    for proposal_id, eligible, reason in ((first, "true", ""), (second, "true", "")):
        screened = await post_form(
            api,
            f"/city/proposals/{proposal_id}/screening",
            f"/city/proposals/{proposal_id}/screening",
            {"eligible": eligible, "reason": reason},
        )
        assert screened.status_code == 303, screened.text

    # Evaluators listed by name, several checked at once.
    review = await api.get(f"/city/challenges/{cid}/review")
    assert "Ada Expert" in review.text and "Bo Expert" in review.text
    none_checked = await api.post(
        f"/city/challenges/{cid}/evaluators",
        data={"_csrf_token": csrf_field(review.text)},
        follow_redirects=False,
    )
    assert none_checked.status_code == 422 and "Choose at least one evaluator" in none_checked.text
    assigned = await api.post(
        f"/city/challenges/{cid}/evaluators",
        data={
            "evaluator_ids": [str(e.id) for e in evaluators],
            "_csrf_token": csrf_field(review.text),
        },
        follow_redirects=False,
    )
    assert assigned.status_code == 303, assigned.text
    assert "0 of 2 scored" in text_of((await api.get(f"/city/challenges/{cid}/review")).text)

    for evaluator in evaluators:
        for assignment in await my_assignments(api, evaluator):
            mark = 9 if assignment["proposal_id"] == first else 5
            await score(api, evaluator, assignment, (mark, mark, 2 if mark == 9 else 9))
    assert await wait_for_phase(api, cid, "selection") == "selection"

    ranking = await api.get(f"/city/challenges/{cid}/ranking")
    assert ranking.status_code == 200
    text = text_of(ranking.text)
    assert "Ranking under the published weights" in text
    assert text.index("Proposal 1") < text.index("Proposal 2")
    [impact, feasibility, cost] = [c["id"] for c in challenge["criteria"]]
    bad = await api.get(
        f"/city/challenges/{cid}/ranking",
        params={f"weights.{impact}": "10", f"weights.{feasibility}": "10", f"weights.{cost}": "10"},
    )
    assert bad.status_code == 200 and "sum to 30" in text_of(bad.text)
    what_if = await api.get(
        f"/city/challenges/{cid}/ranking",
        params={f"weights.{impact}": "0", f"weights.{feasibility}": "0", f"weights.{cost}": "100"},
    )
    shown = text_of(what_if.text)
    assert "What if" in shown and shown.index("Proposal 2") < shown.index("Proposal 1")

    token = csrf_field(ranking.text)
    too_many = await api.post(
        f"/city/challenges/{cid}/shortlist",
        data={"proposal_ids": [str(first), str(second)], "confirmed": "yes", "_csrf_token": token},
    )
    assert too_many.status_code == 422 and "at most 1 pilots" in text_of(too_many.text)
    check = await api.post(
        f"/city/challenges/{cid}/shortlist",
        data={"proposal_ids": [str(first)], "_csrf_token": token},
    )
    assert check.status_code == 200 and "Approve this shortlist?" in text_of(check.text)
    approved = await api.post(
        f"/city/challenges/{cid}/shortlist",
        data={"proposal_ids": [str(first)], "confirmed": "yes", "_csrf_token": token},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    pilot = (await api.get(f"/api/challenges/{cid}")).json()["pilots"][0]
    assert "1 pilot agreement to set" in text_of((await api.get("/city")).text)

    zone = settings.time_zone
    t0 = datetime.fromisoformat(
        (await api.get(f"/api/challenges/{cid}")).json()["timeline"][-1]["at"]
    )
    start, end = t0 + timedelta(days=5), t0 + timedelta(days=35)
    agreement = {
        "starts_at": local(start, zone),
        "ends_at": local(end, zone),
        "budget_eur": "90000",
        "milestones.0.title": "Poles installed",
        "milestones.0.due_at": local(start + timedelta(days=3), zone),
    }
    over_cap = await post_form(
        api, f"/city/pilots/{pilot['id']}", f"/city/pilots/{pilot['id']}/agreement", agreement
    )
    assert over_cap.status_code == 422 and field_marked(over_cap.text, "budget_eur")
    assert 'value="Poles installed"' in over_cap.text
    agreed = await post_form(
        api,
        f"/city/pilots/{pilot['id']}",
        f"/city/pilots/{pilot['id']}/agreement",
        {**agreement, "budget_eur": "40000"},
    )
    assert agreed.status_code == 303, agreed.text
    accepted = await api.post(f"/api/pilots/{pilot['id']}/accept", headers=startups[0].headers)
    assert accepted.status_code == 200, accepted.text
    await temporal.sleep(timedelta(days=40))
    assert await wait_for_pilot(api, pilot["id"], "evaluation") == "evaluation"

    page = await api.get(f"/city/pilots/{pilot['id']}")
    decision = {"decision": "stop", "reason": "It did not cool the streets enough."}
    check = await api.post(
        f"/city/pilots/{pilot['id']}/decision",
        data={**decision, "_csrf_token": csrf_field(page.text)},
    )
    assert check.status_code == 200 and "Confirm the decision" in text_of(check.text)
    decided = await api.post(
        f"/city/pilots/{pilot['id']}/decision",
        data={**decision, "confirmed": "yes", "_csrf_token": csrf_field(page.text)},
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    assert await wait_for_pilot(api, pilot["id"], "stopped") == "stopped"


async def test_residents_input_answered_considered_hidden_restored(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city)
    cid = challenge["id"]
    ids = []
    for body in ("Keep the benches in the shade.", "Buy my product at example.org!"):
        said = await api.post(
            f"/api/challenges/{cid}/inputs", json={"body": body}, headers=resident.headers
        )
        ids.append(said.json()["id"])
    await sign_in(api, city)
    listed = await api.get(f"/city/challenges/{cid}/inputs")
    assert listed.status_code == 200 and f'href="/city/inputs/{ids[0]}"' in listed.text

    empty = await post_form(
        api, f"/city/inputs/{ids[0]}", f"/city/inputs/{ids[0]}/response", {"body": ""}
    )
    assert empty.status_code == 422 and field_marked_textarea(empty.text, "body")
    considered = await post_form(
        api, f"/city/inputs/{ids[0]}", f"/city/inputs/{ids[0]}/consider", {}
    )
    assert considered.status_code == 303
    answered = await post_form(
        api, f"/city/inputs/{ids[0]}", f"/city/inputs/{ids[0]}/response",
        {"body": "Shade for the benches is now a criterion."},
    )  # fmt: skip
    assert answered.status_code == 303
    public = text_of((await api.get(f"/challenges/{cid}")).text)
    assert "Shade for the benches is now a criterion." in public

    hidden = await post_form(
        api, f"/city/inputs/{ids[1]}", f"/city/inputs/{ids[1]}/hide", {"reason": "Advertising"}
    )
    assert hidden.status_code == 303
    public = (await api.get(f"/api/challenges/{cid}/inputs")).json()["items"]  # anonymously
    assert [i["body"] for i in public] == ["Keep the benches in the shade."]
    refused = await post_form(
        api, f"/city/inputs/{ids[1]}", f"/city/inputs/{ids[1]}/response", {"body": "Thanks"}
    )
    assert refused.status_code == 409 and "restore it" in text_of(refused.text)
    restored = await post_form(api, f"/city/inputs/{ids[1]}", f"/city/inputs/{ids[1]}/restore", {})
    assert restored.status_code == 303
    assert len((await api.get(f"/api/challenges/{cid}/inputs")).json()["items"]) == 2
    hidden_list = text_of((await api.get(f"/city/challenges/{cid}/inputs?show=answered")).text)
    assert "Keep the benches" in hidden_list and "Buy my product" not in hidden_list


def field_marked_textarea(html: str, name: str) -> bool:
    import re

    tag = re.search(rf'<textarea[^>]*id="f-{name}"[^>]*>', html)
    return bool(tag and 'aria-invalid="true"' in tag.group(0))
