"""The city console: the dashboard, drafting, publishing and cancelling a challenge
through its forms (the same services as the JSON API), and who may enter it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from schemas.common import ChallengePhase
from tests.builders import create_challenge
from tests.web.conftest import add_challenge
from tests.web.pages import csrf_field, post_form, sign_in, text_of


def local(moment: datetime, zone: str = "UTC") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def draft_form(**overrides: str) -> dict[str, str]:
    now = datetime.now(ZoneInfo("UTC"))
    form = {
        "title": "Cooler streets in Zuid",
        "problem_statement": "Summer heat builds up in the paved streets of Zuid.",
        "test_bed": "Three streets around the Marktplein.",
        "pilot_budget_cap_eur": "50000",
        "max_pilots": "2",
        "criteria.0.name": "Impact",
        "criteria.0.description": "Degrees of cooling",
        "criteria.0.weight": "60",
        "criteria.1.name": "Cost",
        "criteria.1.description": "",
        "criteria.1.weight": "30",
        "criteria.2.name": "",
        "criteria.2.description": "",
        "criteria.2.weight": "",
        "kpis.0.name": "Peak temperature drop",
        "kpis.0.unit": "°C",
        "kpis.0.direction": "at_least",
        "kpis.0.target": "2",
        "kpis.1.name": "",
        "kpis.1.unit": "",
        "kpis.1.direction": "at_least",
        "kpis.1.target": "",
        "proposals_close_at": local(now + timedelta(days=30)),
        "review_deadline": local(now + timedelta(days=50)),
    }
    form.update(overrides)
    return form


def field_marked(html: str, name: str) -> bool:
    """The field carries aria-invalid and names its message with aria-describedby."""
    field_id = "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    return bool(
        tag and 'aria-invalid="true"' in tag.group(0) and "aria-describedby" in tag.group(0)
    )


async def test_the_dashboard_lists_every_challenge_and_what_waits(api, actors, sessions):
    city = await actors.city()
    await sign_in(api, city)
    draft = await create_challenge(api, city, title="A draft of ours")
    await add_challenge(sessions, city.id, "Quieter nights", phase=ChallengePhase.SELECTION)
    opened = await add_challenge(sessions, city.id, "Cleaner canals")
    page = await api.get("/city")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "A draft of ours" in text and "Quieter nights" in text and "Cleaner canals" in text
    assert "Draft: finish and publish it" in text
    assert "Approve the shortlist" in text
    assert f'href="/city/challenges/{draft["id"]}"' in page.text
    assert f'href="/city/challenges/{opened}"' in page.text


async def test_a_draft_through_the_form(api, actors):
    city = await actors.city()
    await sign_in(api, city)
    refused = await post_form(api, "/city/challenges/new", "/city/challenges", draft_form())
    assert refused.status_code == 422
    assert "The weights add up to 90" in text_of(refused.text)
    assert field_marked(refused.text, "criteria.0.weight")
    assert 'value="Cooler streets in Zuid"' in refused.text  # what was typed comes back

    created = await api.post(
        "/city/challenges",
        data={**draft_form(**{"criteria.1.weight": "40"}), "_csrf_token": csrf_field(refused.text)},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    shown = await api.get(created.headers["location"])
    assert shown.status_code == 200
    text = text_of(shown.text)
    assert "Cooler streets in Zuid" in text and "Impact" in text and "60%" in text
    assert "The draft is saved" in text


async def test_editing_publishing_and_the_public_page(api, actors, worker):
    city = await actors.city()
    await sign_in(api, city)
    draft = await create_challenge(api, city, title="Cooler streets")
    cid = draft["id"]
    edit = await api.get(f"/city/challenges/{cid}/edit")
    assert edit.status_code == 200
    assert 'value="Cooler streets"' in edit.text and 'value="Impact"' in edit.text
    # the rows the draft has, and blank ones to add more without JavaScript
    assert 'name="criteria.3.weight"' in edit.text
    more = await api.post(
        f"/city/challenges/{cid}/edit",
        data={"add_row": "criteria", "criteria_rows": "4", "criteria.0.name": "Impact",
              "_csrf_token": csrf_field(edit.text)},
    )  # fmt: skip
    assert more.status_code == 200 and 'name="criteria.4.weight"' in more.text
    saved = await post_form(
        api,
        f"/city/challenges/{cid}/edit",
        f"/city/challenges/{cid}/edit",
        draft_form(title="Cooler streets in Noord", **{"criteria.1.weight": "40"}),
    )
    assert saved.status_code == 303
    check = await api.get(f"/city/challenges/{cid}/publish")
    assert check.status_code == 200
    assert "Cooler streets in Noord" in text_of(check.text)
    assert "Publish the challenge" in check.text
    published = await api.post(
        f"/city/challenges/{cid}/publish",
        data={"_csrf_token": csrf_field(check.text)},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    assert published.headers["location"] == f"/city/challenges/{cid}"
    shown = text_of((await api.get(f"/city/challenges/{cid}")).text)
    assert "The challenge is published" in shown and "Open for proposals" in shown
    public = await api.get(f"/challenges/{cid}")
    assert public.status_code == 200 and "Cooler streets in Noord" in public.text
    # the rules are frozen: the console says why, and what to do instead
    frozen = await api.get(f"/city/challenges/{cid}/edit")
    assert frozen.status_code == 409
    assert "Open for proposals" in text_of(frozen.text) and "cancel it" in text_of(frozen.text)
    refused = await api.post(
        f"/city/challenges/{cid}/edit",
        data={**draft_form(), "_csrf_token": csrf_field(frozen.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 409 and "Open for proposals" in text_of(refused.text)


async def test_cancelling_asks_for_a_reason_then_confirmation(api, actors):
    city = await actors.city()
    await sign_in(api, city)
    cid = (await create_challenge(api, city, title="Not this year"))["id"]
    form = await api.get(f"/city/challenges/{cid}/cancel")
    token = csrf_field(form.text)
    empty = await api.post(
        f"/city/challenges/{cid}/cancel", data={"reason": " ", "_csrf_token": token}
    )
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    check = await api.post(
        f"/city/challenges/{cid}/cancel",
        data={"reason": "No budget this year", "_csrf_token": token},
    )
    assert check.status_code == 200 and "Are you sure" in text_of(check.text)
    assert (await api.get(f"/api/challenges/{cid}", headers=city.headers)).json()[
        "phase"
    ] == "draft"
    done = await api.post(
        f"/city/challenges/{cid}/cancel",
        data={"reason": "No budget this year", "confirmed": "yes", "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert (await api.get(f"/api/challenges/{cid}", headers=city.headers)).json()[
        "phase"
    ] == "cancelled"
    audit = text_of((await api.get(f"/city/challenges/{cid}/audit")).text)
    assert "Cancelled" in audit and "No budget this year" in audit and city.display_name in audit


def city_page_paths(app) -> list[tuple[str, str]]:
    """Every console route (method, path with ids filled in), from the app itself, so a
    page added later is checked too."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/city"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


async def test_only_the_city_enters_the_console(api, actors):
    paths = city_page_paths(api.app)
    assert ("GET", "/city") in paths and ("POST", "/city/challenges") in paths
    assert len(paths) >= 20
    home = await api.get("/login")  # a page with a form: the CSRF token
    for method, path in paths:
        response = await api.request(
            method, path, data={"_csrf_token": csrf_field(home.text)} if method == "POST" else None,
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login?next=" + quote(path, safe="")[:5])
    for role in ("startup", "evaluator", "resident"):
        account = await getattr(actors, role)()
        await sign_in(api, account)
        token = csrf_field((await api.get("/")).text)
        for method, path in paths:
            data = {"_csrf_token": token} if method == "POST" else None
            response = await api.request(method, path, data=data, follow_redirects=False)
            assert response.status_code == 403, (role, method, path, response.status_code)


async def test_a_post_without_its_csrf_token_is_refused(api, actors):
    city = await actors.city()
    await sign_in(api, city)
    response = await api.post("/city/challenges", data=draft_form(**{"criteria.1.weight": "40"}))
    assert response.status_code == 403
    listed = await api.get("/api/challenges", headers=city.headers)
    assert listed.json()["items"] == []
