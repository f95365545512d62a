"""Every page and form of the web interface, as every role and anonymously, against the
table in tests/authorization.py (``PAGES``), beside the API's matrix: who the table lets
in gets the page, a signed-in account of another role gets the 403 page (HTML, saying
whose page it is), an anonymous visitor on a page for accounts is sent to sign in and
then back. A form posted by a wrong role is refused and changes nothing. The pages'
routes are read from the app, so a new page without a row fails here."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from litestar.routes import HTTPRoute
from sqlalchemy import select

from service.tables import metadata
from service.web.session import is_page_path
from tests.actors import Account
from tests.authorization import EXPECTED, PAGES, PUBLIC, Page
from tests.builders import open_challenge
from tests.security.world import World, build_world
from tests.web.pages import CSRF_COOKIE, sign_in, text_of

MISSING_ID = "999999"
ROLES = ("anonymous", "resident", "evaluator", "startup", "city")
# Every request is logged, refused ones too: the log may grow, nothing else.
REQUEST_LOGS = {"audit_log"}
LABELS = {
    "city": "City staff",
    "startup": "Startup",
    "evaluator": "Evaluator",
    "resident": "Resident",
}


def served_pages(app) -> set[str]:
    """``METHOD /path`` of every GET and POST the app serves outside /api, the docs and
    static files, path parameters written as in the OpenAPI schema."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not is_page_path(route.path):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        found |= {f"{method} {path}" for method in route.methods & {"GET", "POST"}}
    return found


def with_ids(template: str, ids: dict[str, list[int]]) -> list[str]:
    """The template filled with real ids: as many paths as the longest list of ids."""
    names = re.findall(r"\{(\w+)\}", template)
    if not names:
        return [template]
    paths = []
    for n in range(max(len(ids.get(name) or [0]) for name in names)):
        path = template
        for name in names:
            known = ids.get(name) or [int(MISSING_ID)]
            path = path.replace(f"{{{name}}}", str(known[n % len(known)]))
        paths.append(path)
    return paths


async def as_role(api, account: Account | None) -> None:
    """The client is now ``account``'s browser (or an anonymous one)."""
    api.cookies.clear()
    if account is not None:
        await sign_in(api, account)


async def request(api, endpoint: str, path: str):
    method = endpoint.split(" ", 1)[0]
    if method == "GET":
        return await api.get(path, follow_redirects=False)
    await api.get("/")  # as a browser on the page with the form: it sets the CSRF cookie
    return await api.post(
        path,
        data={},
        headers={"x-csrftoken": api.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )


def is_403_page(response, role: str, page: Page) -> str:
    """'' when ``response`` is the 403 page a ``role`` account should get, else why not."""
    if response.status_code != 403:
        return f"{response.status_code}, expected 403"
    if not response.headers["content-type"].startswith("text/html"):
        return "403 but not a page"
    text = text_of(response.text)
    if "You cannot open this page" not in text or 'href="/"' not in response.text:
        return "403 page without its title or a way home"
    if role not in page.roles:  # refused by the role guard: the page says whose it is
        names = ", ".join(
            LABELS[r] for r in ("city", "startup", "evaluator", "resident") if r in page.roles
        )
        if f"This page is only for these accounts: {names}." not in text:
            return f"403 page without 'only for these accounts: {names}'"
    return ""


def sends_to_sign_in(response, endpoint: str, path: str) -> str:
    if response.status_code != 303:
        return f"{response.status_code}, expected 303 to /login"
    location = urlsplit(response.headers["location"])
    if location.path != "/login":
        return f"sent to {response.headers['location']}"
    back = parse_qs(location.query).get("next", [""])[0]
    if endpoint.startswith("GET") and back != path:
        return f"sent to sign in with next={back!r}, expected {path!r}"
    if endpoint.startswith("POST") and not (back and path.startswith(back)):
        return f"a form sent to sign in with next={back!r}, not a page at or above {path!r}"
    return ""


def test_every_page_has_a_reviewed_row(api):
    assert served_pages(api.app) == set(PAGES)


def test_a_page_that_does_what_an_endpoint_does_lets_in_who_the_api_does():
    differing = {
        endpoint: (sorted(page.roles), sorted(EXPECTED[page.api]))
        for endpoint, page in PAGES.items()
        if page.api is not None and page.roles != EXPECTED[page.api]
    }
    assert differing == {}
    assert all(p.reachers <= p.roles for p in PAGES.values())


async def test_each_role_is_let_in_or_refused_as_the_table_says(api, actors):
    """With ids that exist nowhere: the guards answer before any record is read, and
    who is let in learns only that there is no such page."""
    callers = await actors.everyone()
    wrong = []
    for role in ROLES:
        await as_role(api, callers[role])
        for endpoint, page in sorted(PAGES.items()):
            if endpoint.startswith("POST") and page.roles == PUBLIC and role != "anonymous":
                continue  # signing in, up or out: nothing to refuse, and it ends the session
            path = re.sub(r"\{\w+\}", MISSING_ID, endpoint.split(" ", 1)[1])
            response = await request(api, endpoint, path)
            if response.status_code >= 500:
                wrong.append(f"{endpoint} as {role}: {response.status_code}")
            elif role in page.roles:
                if endpoint.startswith("GET") and "{" not in endpoint:
                    if response.status_code != 200:
                        wrong.append(f"{endpoint} as {role}: {response.status_code}, expected 200")
                elif response.status_code in (401, 403) or (
                    response.status_code == 303
                    and response.headers["location"].startswith("/login")
                ):
                    wrong.append(f"{endpoint} as {role}: refused ({response.status_code})")
                elif "{" in endpoint and endpoint.startswith("GET") and response.status_code != 404:
                    wrong.append(f"{endpoint} as {role}: {response.status_code}, expected 404")
            elif role == "anonymous":
                if why := sends_to_sign_in(response, endpoint, path):
                    wrong.append(f"{endpoint} as {role}: {why}")
            elif why := is_403_page(response, role, page):
                wrong.append(f"{endpoint} as {role}: {why}")
    assert wrong == []


async def cancelled_challenge(api, city: Account) -> int:
    """A challenge that has ended, so its outcome report has something to show."""
    challenge = await open_challenge(api, city)
    response = await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "The budget moved"},
        headers=city.headers,
    )
    assert response.status_code == 200, response.text
    return challenge["id"]


async def world_of_records(api, actors, temporal, settings) -> World:
    world = await build_world(api, actors, temporal, settings)
    city = world.accounts["city"]
    assert city is not None
    world.add("challenge_id", await cancelled_challenge(api, city))
    return world


async def test_on_real_records_each_role_gets_the_page_or_the_refusal(
    api, actors, temporal, settings
):
    world = await world_of_records(api, actors, temporal, settings)
    wrong, reached = [], set()
    for role in ROLES:
        await as_role(api, world.accounts[role])
        for endpoint, page in sorted(PAGES.items()):
            if not endpoint.startswith("GET"):
                continue
            for path in with_ids(endpoint.split(" ", 1)[1], world.ids):
                response = await request(api, endpoint, path)
                if response.status_code >= 500:
                    wrong.append(f"{path} as {role}: {response.status_code}")
                elif role in page.roles:
                    if response.status_code == 200:
                        reached.add((endpoint, role))
                elif role == "anonymous":
                    if why := sends_to_sign_in(response, endpoint, path):
                        wrong.append(f"{path} as {role}: {why}")
                elif why := is_403_page(response, role, page):
                    wrong.append(f"{path} as {role}: {why}")
    assert wrong == []
    # Everyone the table lets in opens each page on some real record.
    expected = {
        (endpoint, role)
        for endpoint, page in PAGES.items()
        if endpoint.startswith("GET")
        for role in page.reachers
    }
    assert sorted(expected - reached) == []


async def snapshot(sessions) -> dict[str, list[str]]:
    """Every row of every table (but the request log), as text: a refused form that
    wrote anything, an insert or an update, changes it."""
    async with sessions() as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in await session.exec(select(table)))
            for table in metadata.sorted_tables
            if table.name not in REQUEST_LOGS
        }


async def test_a_form_posted_by_a_wrong_role_is_refused_and_changes_nothing(
    api, actors, temporal, settings, sessions
):
    world = await world_of_records(api, actors, temporal, settings)
    forms = {e: p for e, p in PAGES.items() if e.startswith("POST") and p.roles != PUBLIC}
    wrong, sent_back = [], {}
    for role in ROLES:
        await as_role(api, world.accounts[role])
        before = await snapshot(sessions)  # after signing in, which may record it
        for endpoint, page in sorted(forms.items()):
            if role in page.roles:
                continue
            for path in with_ids(endpoint.split(" ", 1)[1], world.ids):
                response = await request(api, endpoint, path)
                if role == "anonymous":
                    if why := sends_to_sign_in(response, endpoint, path):
                        wrong.append(f"POST {path} as {role}: {why}")
                    else:
                        back = parse_qs(urlsplit(response.headers["location"]).query)["next"][0]
                        sent_back[path] = back
                elif why := is_403_page(response, role, page):
                    wrong.append(f"POST {path} as {role}: {why}")
        after = await snapshot(sessions)
        changed = sorted(name for name in before if before[name] != after[name])
        if changed:
            wrong.append(f"as {role}, refused forms changed the tables {changed}")
    assert wrong == []
    # Where a form sent to sign in first sends the visitor back: a page that opens.
    await as_role(api, world.accounts["city"])
    for back in sorted(set(sent_back.values())):
        assert (await api.get(back, follow_redirects=False)).status_code != 405, back
