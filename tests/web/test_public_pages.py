"""The public pages: the list of challenges (search, phase, pages) and a challenge's
page (what the JSON API shows this viewer, its timeline, residents' input)."""

from __future__ import annotations

import re

from schemas.common import ChallengePhase
from service.web.public import LIST_SIZE
from tests.builders import create_challenge, open_challenge
from tests.web.conftest import add_challenge
from tests.web.pages import post_form, sign_in, text_of


async def test_the_list_shows_public_challenges_and_finds_them(api, actors, sessions):
    city = await actors.city()
    heat = await add_challenge(sessions, city.id, "Cooler streets", problem="Heat in summer.")
    await add_challenge(sessions, city.id, "Quieter nights", problem="Noise from scooters.")
    await add_challenge(
        sessions, city.id, "Cleaner canals", phase=ChallengePhase.REVIEW, problem="Litter."
    )
    await add_challenge(
        sessions, city.id, "Secret plan", phase=ChallengePhase.DRAFT, published=False
    )

    home = await api.get("/")
    assert home.status_code == 200
    assert "text/html" in home.headers["content-type"]
    assert f'href="/challenges/{heat}"' in home.text
    text = text_of(home.text)
    for title in ("Cooler streets", "Quieter nights", "Cleaner canals"):
        assert title in text
    assert "Secret plan" not in text  # a draft is the city's alone

    found = text_of((await api.get("/", params={"q": "SCOOTERS"})).text)
    assert "Quieter nights" in found and "Cooler streets" not in found
    in_review = text_of((await api.get("/", params={"phase": "review"})).text)
    assert "Cleaner canals" in in_review and "Quieter nights" not in in_review
    nothing = await api.get("/", params={"q": "100%_"})  # LIKE's wildcards are plain text
    assert nothing.status_code == 200 and "No challenge matches" in nothing.text
    assert (await api.get("/", params={"phase": "nonsense"})).status_code == 200


async def test_the_list_pages_on(api, actors, sessions):
    city = await actors.city()
    for n in range(LIST_SIZE + 2):
        await add_challenge(sessions, city.id, f"Challenge number {n:02d}")
    first = await api.get("/")
    assert first.text.count('class="card"') == LIST_SIZE
    next_link = re.search(r'rel="next" href="([^"]+)"', first.text).group(1)
    second = await api.get(next_link.replace("&amp;", "&"))
    assert second.text.count('class="card"') == 2
    assert "Challenge number 00" in second.text and "First page" in second.text
    broken = await api.get("/", params={"cursor": "not-ours"})
    assert broken.status_code == 200 and broken.text.count('class="card"') == LIST_SIZE


async def test_the_challenge_page_shows_what_the_api_shows(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city, title="<script>alert(1)</script> Cooler streets")
    page = await api.get(f"/challenges/{challenge['id']}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Cooler streets" in html
    text = text_of(html)
    assert challenge["problem_statement"] in text and challenge["test_bed"] in text
    for criterion in challenge["criteria"]:
        assert f"{criterion['name']} {criterion['description']} {criterion['weight']}%" in text
    assert "Peak temperature drop at least 2 °C" in text

    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    steps = re.findall(r"<li[^>]*>", timeline)
    assert len(steps) == 5
    assert [("aria-current" in s) for s in steps] == [True, False, False, False, False]
    assert 'aria-current="step"' in steps[0]
    assert "Open for proposals : now" in text_of(timeline)


async def test_a_draft_is_404_for_everyone_but_the_city(api, actors):
    city = await actors.city()
    draft = await create_challenge(api, city, title="Draft only")
    path = f"/challenges/{draft['id']}"
    anonymous = await api.get(path)
    assert anonymous.status_code == 404 and "Page not found" in anonymous.text
    assert "Draft only" not in anonymous.text
    for account in (await actors.resident(), await actors.startup(), await actors.evaluator()):
        api.cookies.clear()
        await sign_in(api, account)
        assert (await api.get(path)).status_code == 404, account.role
    api.cookies.clear()
    await sign_in(api, city)
    seen = await api.get(path)
    assert seen.status_code == 200 and "This is a draft" in seen.text
    assert (await api.get("/challenges/999999")).status_code == 404
    assert (await api.get("/challenges/99999999999")).status_code == 404


async def test_a_resident_gives_input_on_the_page(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    path = f"/challenges/{challenge['id']}"
    anonymous = text_of((await api.get(path)).text)
    assert "Sign in to give your input" in anonymous

    resident = await actors.resident()
    await sign_in(api, resident)
    page = await api.get(path)
    assert 'name="body"' in page.text

    refused = await post_form(api, path, f"{path}/inputs", {"body": "   "})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and 'href="#f-body"' in refused.text
    field = re.search(r"<textarea[^>]*>", refused.text).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="f-body-hint f-body-error"' in field
    assert 'id="f-body-error"' in refused.text

    sent = await post_form(api, path, f"{path}/inputs", {"body": "<b>More</b> trees, please"})
    assert sent.status_code == 303
    assert re.fullmatch(rf"{path}#input-\d+", sent.headers["location"])
    shown = await api.get(path)
    assert "Thank you. Your input was received" in shown.text
    assert "&lt;b&gt;More&lt;/b&gt; trees, please" in shown.text
    assert "<b>More</b>" not in shown.text
    item = re.search(r'<li class="item item--mine" id="input-\d+">(.*?)</li>', shown.text, re.S)
    assert "Received" in text_of(item.group(1)) and "Yours" in text_of(item.group(1))
    # The same input through the API, as the API shows it.
    api_view = (await api.get(f"/api/challenges/{challenge['id']}/inputs")).json()["items"]
    assert [i["body"] for i in api_view] == ["<b>More</b> trees, please"]


async def test_only_a_signed_in_resident_may_post_input(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    path = f"/challenges/{challenge['id']}"
    anonymous = await post_form(api, "/login", f"{path}/inputs", {"body": "Hello"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    startup = await actors.startup()
    await sign_in(api, startup)
    page = await api.get(path)
    assert 'name="body"' not in page.text and "Only residents give input here." in page.text
    refused = await post_form(api, path, f"{path}/inputs", {"body": "Hello"})
    assert refused.status_code == 403
    assert "You cannot open this page" in refused.text


async def test_pages_load_only_our_own_script_and_style(api):
    page = await api.get("/")
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in page.headers["content-security-policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"] and policy["default-src"] == ["'none'"]
    assert "<script>" not in page.text and " style=" not in page.text
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        served = await api.get(asset)
        assert served.status_code == 200, asset
        assert "max-age" in served.headers["cache-control"]
    assert "script-src" not in (await api.get("/api/health")).headers["content-security-policy"]
