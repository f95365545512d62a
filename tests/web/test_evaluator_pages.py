"""The evaluator's pages: assignments to do and done, the scoring sheet (partial saves,
the weighted total, a refused sheet), blindness to other evaluators, conflicts of
interest, writes the phase forbids, pilot evaluation, and who may open them."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.builders import (
    agree,
    assign,
    challenge_in_piloting,
    challenge_in_review,
    my_assignments,
    screen,
    wait_for_phase,
    wait_for_pilot,
)
from tests.web.pages import SESSION_COOKIE, csrf_field, post_form, sign_in, text_of


async def review(api, actors, temporal, *, startups: int = 2, evaluators: int = 1):
    """A challenge in review whose proposals are all screened eligible and assigned to
    every evaluator: (challenge, proposal ids, evaluators)."""
    city = await actors.city()
    founders = [await actors.startup(f"Startup {n}") for n in range(1, startups + 1)]
    challenge, ids = await challenge_in_review(api, city, founders, temporal)
    for pid in ids:
        await screen(api, city, pid)
    people = [await actors.evaluator(f"Evaluator {n}") for n in range(1, evaluators + 1)]
    await assign(api, city, challenge["id"], people)
    return challenge, ids, people


async def assignment_of(api, evaluator, proposal_id: int) -> dict:
    found = [a for a in await my_assignments(api, evaluator) if a["proposal_id"] == proposal_id]
    assert found, proposal_id
    return found[0]


def sheet_form(assignment: dict, scores: dict[int, tuple[str, str]]) -> dict[str, str]:
    """The sheet as a person fills it: {row: (score, comment)}, other rows left empty."""
    data = {}
    for n, criterion in enumerate(assignment["criteria"]):
        score, comment = scores.get(n, ("", ""))
        data[f"scores.{n}.criterion_id"] = str(criterion["id"])
        data[f"scores.{n}.score"] = score
        data[f"scores.{n}.comment"] = comment
    return data


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return text_of(match.group(0)) if match else ""


async def test_to_do_and_done_by_challenge_with_the_deadline(api, actors, temporal):
    challenge, ids, [evaluator] = await review(api, actors, temporal)
    await sign_in(api, evaluator)
    home = await api.get("/evaluator")
    assert home.status_code == 200
    todo = section(home.text, "todo")
    assert challenge["title"] in todo and "Review closes" in todo and "days left" in todo
    assert "Proposal 1" in todo and "Proposal 2" in todo and "Not started" in todo
    assert "Nothing yet" in section(home.text, "done")
    assert 'href="/evaluator" aria-current="page"' in home.text

    first = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{first['id']}"
    saved = await post_form(
        api, sheet, sheet, sheet_form(first, {0: ("8", ""), 1: ("6", ""), 2: ("5", "")})
    )
    assert saved.status_code == 303

    home = await api.get("/evaluator")
    todo, done = section(home.text, "todo"), section(home.text, "done")
    assert "Proposal 2" in todo and "Proposal 1" not in todo
    assert "Proposal 1" in done and "Your weighted total: 6.8 out of 10" in done  # 4+1.8+1


async def test_the_sheet_saves_as_it_goes_with_the_running_total(api, actors, temporal):
    challenge, ids, [evaluator] = await review(api, actors, temporal)
    await sign_in(api, evaluator)
    first = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{first['id']}"

    page = await api.get(sheet)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Proposal 1" in text and "Solar-powered misting poles" in text and "€40,000" in text
    assert "Startup 1" in text and "Proposal 1 of 2 assigned to you in this challenge" in text
    for criterion in challenge["criteria"]:
        assert criterion["name"] in text and criterion["description"] in text
        assert f"weight {criterion['weight']}%" in text
    for n in range(3):
        assert f'name="scores.{n}.score"' in page.text and f'name="scores.{n}.comment"' in page.text
    assert "0 out of 10" in text and "0 of 3 criteria scored" in text
    assert 'rel="next"' in page.text and 'rel="prev"' not in page.text
    assert "Save and score the next proposal" in page.text

    # Partial: only Impact (weight 50) now.
    saved = await post_form(api, sheet, sheet, sheet_form(first, {0: ("8", "Cools well")}))
    assert saved.status_code == 303 and saved.headers["location"] == f"{sheet}#total"
    page = await api.get(sheet)
    text = text_of(page.text)
    assert "Saved. The criteria without a score wait for you here." in text
    assert "4 out of 10" in text and "1 of 3 criteria scored" in text
    assert 'value="8"' in page.text and "Cools well" in page.text
    stored = (await api.get(f"/api/assignments/{first['id']}", headers=evaluator.headers)).json()
    assert [(s["score"], s["comment"]) for s in stored["scores"]] == [(8, "Cools well")]
    assert stored["complete"] is False

    # The rest, and on to the next proposal to score.
    rest = sheet_form(first, {0: ("8", "Cools well"), 1: ("7", ""), 2: ("10", "Cheap")})
    saved = await post_form(api, sheet, sheet, {**rest, "then": "next"})
    second = await assignment_of(api, evaluator, ids[1])
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/evaluator/assignments/{second['id']}"
    page = await api.get(sheet)
    text = text_of(page.text)
    assert "8.1 out of 10" in text and "3 of 3 criteria scored" in text  # 4 + 2.1 + 2
    assert "Done" in text
    stored = (await api.get(f"/api/assignments/{first['id']}", headers=evaluator.headers)).json()
    assert stored["complete"] is True


async def test_a_refused_sheet_keeps_what_was_typed_and_marks_each_field(api, actors, temporal):
    _, ids, [evaluator] = await review(api, actors, temporal)
    await sign_in(api, evaluator)
    first = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{first['id']}"

    typed = sheet_form(first, {0: ("11", "Too good"), 1: ("seven", ""), 2: ("", "No score")})
    refused = await post_form(api, sheet, sheet, typed)
    assert refused.status_code == 422
    html = refused.text
    assert "There is a problem" in html and "<title>Error:" in html
    summary = text_of(re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0))
    assert "Impact: Enter 10 or less." in summary
    assert "Feasibility: Enter a whole number, like 12." in summary
    assert "Cost: Give this criterion a score to save your comment with it." in summary
    for n in range(3):
        field = re.search(rf'<input[^>]*name="scores\.{n}\.score"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field
        assert f'aria-describedby="f-scores-{n}-score-error"' in field
    assert 'value="11"' in html and 'value="seven"' in html and "No score" in html
    stored = (await api.get(f"/api/assignments/{first['id']}", headers=evaluator.headers)).json()
    assert stored["scores"] == []

    empty = await post_form(api, sheet, sheet, sheet_form(first, {}))
    assert empty.status_code == 422
    assert "Give at least one criterion a score from 0 to 10 before you save." in empty.text

    # A saved score cannot be taken back (the API has no way to), so clearing it is said.
    await post_form(api, sheet, sheet, sheet_form(first, {0: ("8", "")}))
    cleared = await post_form(api, sheet, sheet, sheet_form(first, {1: ("5", "")}))
    assert cleared.status_code == 422 and "A saved score cannot be removed" in cleared.text


async def test_an_evaluator_never_sees_another_evaluators_scores(api, actors, temporal):
    _, ids, [a, b] = await review(api, actors, temporal, startups=1, evaluators=2)
    await sign_in(api, a)
    mine = await assignment_of(api, a, ids[0])
    sheet = f"/evaluator/assignments/{mine['id']}"
    full = {0: ("9", "A-private-impact"), 1: ("9", "A-private-feasibility"), 2: ("9", "")}
    assert (await post_form(api, sheet, sheet, sheet_form(mine, full))).status_code == 303

    api.cookies.clear()
    await sign_in(api, b)
    theirs = await assignment_of(api, b, ids[0])
    for path in ("/evaluator", f"/evaluator/assignments/{theirs['id']}"):
        page = await api.get(path)
        assert page.status_code == 200
        assert "A-private" not in page.text and 'value="9"' not in page.text
    assert "0 out of 10" in text_of((await api.get(f"/evaluator/assignments/{theirs['id']}")).text)
    assert "Proposal 1" in section((await api.get("/evaluator")).text, "todo")

    # A's assignment is refused to B as the API refuses it; a missing one is not found.
    api_answer = await api.get(f"/api/assignments/{mine['id']}", headers=b.headers)
    assert api_answer.status_code == 403
    for path in (sheet, f"{sheet}/conflict"):
        refused = await api.get(path)
        assert refused.status_code == 403 and "A-private" not in refused.text
    token = csrf_field((await api.get("/evaluator/assignments/" + str(theirs["id"]))).text)
    posted = await api.post(
        sheet, data={**sheet_form(mine, {0: ("1", "")}), "_csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 403
    stored = (await api.get(f"/api/assignments/{mine['id']}", headers=a.headers)).json()
    assert [s["score"] for s in stored["scores"]] == [9, 9, 9]
    assert (await api.get("/evaluator/assignments/999999")).status_code == 404


async def test_only_evaluators_open_the_pages_and_posts_need_the_csrf_token(api, actors, temporal):
    _, ids, [evaluator] = await review(api, actors, temporal, startups=1)
    assignment = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{assignment['id']}"
    paths = ["/evaluator", sheet, f"{sheet}/conflict", "/evaluator/pilots/1"]

    for path in paths:
        anonymous = await api.get(path, follow_redirects=False)
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/login?next=%2Fevaluator"), path
    for account in (await actors.startup(), await actors.resident(), await actors.city()):
        api.cookies.clear()
        await sign_in(api, account)
        for path in paths:
            assert (await api.get(path)).status_code == 403, (account.role, path)
        token = csrf_field((await api.get("/me")).text)
        posted = await api.post(
            sheet, data={**sheet_form(assignment, {0: ("5", "")}), "_csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert posted.status_code == 403

    api.cookies.clear()
    await sign_in(api, evaluator)
    await api.get(sheet)  # the browser holds the CSRF cookie, the form has no token
    for path in (sheet, f"{sheet}/conflict", "/evaluator/pilots/1"):
        response = await api.post(path, data={"scores.0.score": "5", "reason": "I know them"},
                                  follow_redirects=False)  # fmt: skip
        assert response.status_code == 403, path
    stored = await api.get(f"/api/assignments/{assignment['id']}", headers=evaluator.headers)
    assert stored.json()["scores"] == [] and stored.json()["status"] == "active"
    assert SESSION_COOKIE in api.cookies


async def test_declaring_a_conflict_of_interest(api, actors, temporal):
    _, ids, [evaluator, _other] = await review(api, actors, temporal, startups=1, evaluators=2)
    await sign_in(api, evaluator)
    assignment = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{assignment['id']}"
    assert f'href="{sheet}/conflict"' in (await api.get(sheet)).text

    confirm = await api.get(f"{sheet}/conflict")
    text = text_of(confirm.text)
    assert "You are about to hand back “Proposal 1”" in text
    assert "Scores you already gave it no longer count." in text

    refused = await post_form(api, f"{sheet}/conflict", f"{sheet}/conflict", {"reason": "  "})
    assert refused.status_code == 422
    assert "Say in a few words what the conflict of interest is." in refused.text
    assert 'aria-invalid="true"' in refused.text

    declared = await post_form(
        api, f"{sheet}/conflict", f"{sheet}/conflict", {"reason": "I advise this startup"}
    )
    assert declared.status_code == 303 and declared.headers["location"] == "/evaluator"
    home = await api.get("/evaluator")
    assert "You declared a conflict of interest." in home.text
    assert "Proposal 1" in section(home.text, "closed")
    assert "Proposal 1" not in section(home.text, "todo")
    stored = await api.get(f"/api/assignments/{assignment['id']}", headers=evaluator.headers)
    assert stored.json()["status"] == "conflict"
    page = await api.get(sheet)
    assert "You declared a conflict of interest on this proposal" in page.text
    assert 'name="scores.0.score"' not in page.text
    late = {**sheet_form(assignment, {0: ("5", "")}), "_csrf_token": csrf_field(page.text)}
    stale = await api.post(sheet, data=late, follow_redirects=False)
    assert stale.status_code == 409
    assert "You declared a conflict of interest on this proposal, so your scores" in stale.text


async def test_after_the_review_a_save_says_which_phase_and_keeps_the_input(api, actors, temporal):
    challenge, ids, [evaluator] = await review(api, actors, temporal, startups=1)
    await sign_in(api, evaluator)
    assignment = await assignment_of(api, evaluator, ids[0])
    sheet = f"/evaluator/assignments/{assignment['id']}"
    open_sheet = await api.get(sheet)  # opened before the review closes
    full = sheet_form(assignment, {0: ("6", ""), 1: ("6", ""), 2: ("6", "")})
    assert (await post_form(api, sheet, sheet, full)).status_code == 303
    assert await wait_for_phase(api, challenge["id"], "selection") == "selection"

    late = {**sheet_form(assignment, {0: ("2", "Changed my mind")}),
            "_csrf_token": csrf_field(open_sheet.text)}  # fmt: skip
    refused = await api.post(sheet, data=late, follow_redirects=False)
    assert refused.status_code == 409
    text = text_of(refused.text)
    assert "this challenge is now in the phase “Selection”" in text
    assert "ask the city" in text
    page = await api.get(sheet)
    assert 'name="scores.0.score"' not in page.text and "The review is over" in page.text
    assert "6 out of 10" in text_of(page.text)
    stored = await api.get(f"/api/assignments/{assignment['id']}", headers=evaluator.headers)
    assert [s["score"] for s in stored.json()["scores"]] == [6, 6, 6]
    conflict = await api.get(f"{sheet}/conflict")
    assert "Tell the city about it instead" in conflict.text and "<textarea" not in conflict.text


async def test_a_pilot_is_evaluated_beside_its_results_and_residents_ratings(api, actors, temporal):
    city, startup, resident = await actors.city(), await actors.startup(), await actors.resident()
    evaluator, outsider = await actors.evaluator(), await actors.evaluator()
    challenge, _, pilots, t0 = await challenge_in_piloting(
        api, city, [startup], [evaluator], temporal
    )
    [pilot_id] = pilots.values()
    await agree(api, city, startup, pilot_id, t0 + timedelta(days=1), days=30)
    await temporal.sleep(timedelta(days=2))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"
    kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
    report = {
        "values": [{"kpi_id": kpis["Peak temperature drop"], "value": 2.5},
                   {"kpi_id": kpis["Resident satisfaction"], "value": 64}],
        "note": "July measurements, sensor 7 broke",
    }  # fmt: skip
    filed = await api.post(f"/api/pilots/{pilot_id}/kpi-reports", json=report,
                           headers=startup.headers)  # fmt: skip
    assert filed.status_code == 201, filed.text
    rating = {"body": "Lovely cool air", "rating": 4}
    rated = await api.post(f"/api/pilots/{pilot_id}/inputs", json=rating, headers=resident.headers)
    assert rated.status_code == 201, rated.text

    await sign_in(api, evaluator)
    page_path = f"/evaluator/pilots/{pilot_id}"
    early = await api.get(page_path)
    assert early.status_code == 200
    assert "it is scored once it has ended" in text_of(early.text)
    assert 'name="score"' not in early.text
    assert "Pilots awaiting" not in (await api.get("/evaluator")).text

    await temporal.sleep(timedelta(days=31))
    assert await wait_for_pilot(api, pilot_id, "evaluation") == "evaluation"
    home = await api.get("/evaluator")
    pilots_section = section(home.text, "pilots")
    assert "Proposal 1" in pilots_section and "Not scored yet" in pilots_section
    page = await api.get(page_path)
    text = text_of(page.text)
    assert "Peak temperature drop 1 report at least 2 °C 2.5 °C met" in text
    assert "Resident satisfaction 1 report at least 70 % 64 % not met" in text
    assert "July measurements, sensor 7 broke" in text  # a pilot's evaluators read the notes
    assert "Residents rate it 4 out of 5 (1 rating)" in text and "Lovely cool air" in text

    refused = await post_form(api, page_path, page_path, {"score": "11", "comment": "Great"})
    assert refused.status_code == 422 and "Enter 10 or less." in refused.text
    assert 'value="11"' in refused.text and "Great" in refused.text
    saved = await post_form(api, page_path, page_path, {"score": "8", "comment": "Works well"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{page_path}#evaluation"
    page = await api.get(page_path)
    assert "Your evaluation of the pilot is saved." in page.text and 'value="8"' in page.text
    city_view = (await api.get(f"/api/pilots/{pilot_id}", headers=city.headers)).json()
    assert [(s["score"], s["comment"]) for s in city_view["evaluation"]["scores"]] == [
        (8, "Works well")
    ]
    assert "Your score: 8 out of 10" in section((await api.get("/evaluator")).text, "pilots")

    api.cookies.clear()
    await sign_in(api, outsider)  # an evaluator, but not of this pilot
    assert (await api.get(page_path)).status_code == 403
    assert "Pilots awaiting" not in (await api.get("/evaluator")).text
