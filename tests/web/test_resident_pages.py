"""A resident's pages: following a challenge and stopping, endorsing another's input
once, reporting input to the city, input with a rating on a running pilot, and /me
(followed challenges, notifications marked read, hidden input with the city's reason);
the wrong role gets 403, anonymous the sign-in page, a POST without CSRF token 403."""

from __future__ import annotations

import re
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.builders import challenge_in_piloting, iso, open_challenge, wait_for_pilot
from tests.web.pages import post_form, sign_in, text_of

KPI_NOTE = "Sensor 4 failed twice; our supplier Acme BV replaced it at cost EUR 1,200."


async def follows(api, account) -> list[int]:
    response = await api.get("/api/me/follows", headers=account.headers)
    return [f["challenge_id"] for f in response.json()["items"]]


async def test_a_resident_follows_and_stops_following(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city, title="Shade on the Marktplein")
    path = f"/challenges/{challenge['id']}"
    assert "Sign in to follow this challenge" in text_of((await api.get(path)).text)

    await sign_in(api, resident)
    followed = await post_form(api, path, f"{path}/follow", {})
    assert followed.status_code == 303 and followed.headers["location"] == f"{path}#follow"
    page = text_of((await api.get(path)).text)
    assert "You follow this challenge. You get a notification at every step." in page
    assert "Stop following" in page
    assert await follows(api, resident) == [challenge["id"]]
    again = await post_form(api, path, f"{path}/follow", {})  # following twice is once
    assert again.status_code == 303 and await follows(api, resident) == [challenge["id"]]

    me = await api.get("/me")
    following = re.search(r'<section[^>]*id="following">(.*?)</section>', me.text, re.S).group(1)
    assert "Shade on the Marktplein" in text_of(following)
    stopped = await post_form(
        api, "/me", f"{path}/unfollow", {"next": "/me#following"}
    )  # from /me, back to /me
    assert stopped.status_code == 303 and stopped.headers["location"] == "/me#following"
    assert await follows(api, resident) == []
    assert "You follow no challenge" in text_of((await api.get("/me")).text)
    # A next that leaves the site is not followed.
    outside = await post_form(api, path, f"{path}/follow", {"next": "//evil.example/"})
    assert outside.headers["location"] == f"{path}#follow"


async def test_endorsing_counts_once_and_never_ones_own(api, actors, worker):
    city, author, neighbour = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    path = f"/challenges/{challenge['id']}"
    said = await api.post(
        f"/api/challenges/{challenge['id']}/inputs",
        json={"body": "Benches in the shade, please."},
        headers=author.headers,
    )
    input_id = said.json()["id"]
    endorse = f"/inputs/{input_id}/endorse"

    await sign_in(api, neighbour)
    page = await api.get(path)
    assert f'action="{endorse}"' in page.text
    done = await post_form(api, path, endorse, {})
    assert done.status_code == 303 and done.headers["location"] == f"{path}#input-{input_id}"
    shown = text_of((await api.get(path)).text)
    assert "You endorsed this input" in shown
    assert "1 resident agrees" in shown and "You agree with this" in shown
    assert f'action="{endorse}"' not in (await api.get(path)).text  # no second button

    twice = await post_form(api, path, endorse, {})  # a second post, e.g. from an old tab
    assert twice.status_code == 409
    assert "You already endorsed this input. Each resident counts once" in text_of(twice.text)
    count = (await api.get(f"/api/inputs/{input_id}")).json()["endorsement_count"]
    assert count == 1

    api.cookies.clear()
    await sign_in(api, author)
    own_page = await api.get(path)
    assert f'action="{endorse}"' not in own_page.text
    own = await post_form(api, path, endorse, {})
    assert own.status_code == 409 and "You cannot endorse your own input" in text_of(own.text)
    assert (await api.get(f"/api/inputs/{input_id}")).json()["endorsement_count"] == 1


async def test_a_resident_reports_input_with_a_reason(api, actors, worker):
    city, author, neighbour = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    said = await api.post(
        f"/api/challenges/{challenge['id']}/inputs",
        json={"body": "Call 06-12345678 for cheap sunshades!"},
        headers=author.headers,
    )
    input_id = said.json()["id"]
    form_path = f"/inputs/{input_id}/report"

    await sign_in(api, neighbour)
    challenge_page = await api.get(f"/challenges/{challenge['id']}")
    assert f'href="{form_path}?next=' in challenge_page.text
    form = await api.get(form_path)
    assert form.status_code == 200 and "Call 06-12345678" in form.text
    refused = await post_form(api, form_path, form_path, {"reason": ""})
    assert refused.status_code == 422
    assert 'href="#f-reason"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "Tell the city what is wrong with this input." in text_of(refused.text)

    sent = await post_form(api, form_path, form_path, {"reason": "Advertising"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/challenges/{challenge['id']}#input-{input_id}"
    assert "The city is told" in text_of((await api.get(sent.headers["location"])).text)
    reported = await api.get(
        f"/api/challenges/{challenge['id']}/inputs?reported=true", headers=city.headers
    )
    assert [(i["id"], i["report_count"]) for i in reported.json()["items"]] == [(input_id, 1)]


async def test_me_shows_hidden_input_with_the_reason_and_marks_notifications_read(
    api, actors, worker
):
    city, resident = await actors.city(), await actors.resident()
    challenge = await open_challenge(api, city, title="Quieter nights")
    said = await api.post(
        f"/api/challenges/{challenge['id']}/inputs",
        json={"body": "My neighbour at no. 12 is the noisy one."},
        headers=resident.headers,
    )
    input_id = said.json()["id"]
    hidden = await api.post(
        f"/api/inputs/{input_id}/hide",
        json={"reason": "It names a neighbour."},
        headers=city.headers,
    )
    assert hidden.status_code == 200, hidden.text

    await sign_in(api, resident)
    me = await api.get("/me")
    text = text_of(me.text)
    assert "Hidden by the city: It names a neighbour." in text
    assert "Quieter nights" in text
    assert (
        'value="immediate"' in me.text and 'value="daily"' in me.text and 'value="none"' in me.text
    )
    told = (await api.get("/api/me/notifications", headers=resident.headers)).json()
    unread = [n for n in told["items"] if n["read_at"] is None]
    assert unread, told
    first = unread[0]["id"]
    marked = await post_form(api, "/me", f"/me/notifications/{first}/read", {})
    assert marked.status_code == 303 and marked.headers["location"] == f"/me#notification-{first}"
    after = (await api.get("/api/me/notifications", headers=resident.headers)).json()
    assert after["unread_count"] == told["unread_count"] - 1
    if after["unread_count"]:
        await post_form(api, "/me", "/me/notifications/read-all", {})
    assert (await api.get("/api/me/notifications", headers=resident.headers)).json()[
        "unread_count"
    ] == 0
    # Another's notification is not found, as in the API.
    other = await post_form(api, "/me", "/me/notifications/999999/read", {})
    assert other.status_code == 404


async def test_wrong_roles_anonymous_and_posts_without_a_token(api, actors, worker):
    city, author, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    path = f"/challenges/{challenge['id']}"
    said = await api.post(
        f"/api/challenges/{challenge['id']}/inputs", json={"body": "Hi"}, headers=author.headers
    )
    input_id = said.json()["id"]
    posts = [
        f"{path}/follow",
        f"{path}/unfollow",
        f"/inputs/{input_id}/endorse",
        f"/inputs/{input_id}/report",
        "/pilots/1/inputs",
    ]
    for action in posts:  # anonymous: to the sign-in page, and back here after
        response = await post_form(api, "/login", action, {"body": "x", "reason": "xxx"})
        assert response.status_code == 303, action
        assert response.headers["location"].startswith("/login?next="), action
    anonymous_form = await api.get(f"/inputs/{input_id}/report", follow_redirects=False)
    assert anonymous_form.headers["location"].startswith("/login?next=")

    await sign_in(api, startup)
    assert "Follow this challenge" not in (await api.get(path)).text
    for action in posts:
        response = await post_form(api, path, action, {"body": "x", "rating": "5"})
        assert response.status_code == 403, action
        assert "You cannot open this page" in response.text
    assert (await api.get(f"/inputs/{input_id}/report")).status_code == 403

    api.cookies.clear()
    await sign_in(api, await actors.resident())
    no_token = await api.post(f"{path}/follow", data={}, follow_redirects=False)
    assert no_token.status_code == 403
    wrong_token = await api.post(
        f"/inputs/{input_id}/endorse", data={"_csrf_token": "0" * 64}, follow_redirects=False
    )
    assert wrong_token.status_code == 403
    assert (await api.get(f"/api/inputs/{input_id}")).json()["endorsement_count"] == 0


async def test_the_pilot_page_and_a_resident_s_rating(api, actors, temporal: WorkflowEnvironment):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    resident, neighbour = await actors.resident("Fatima"), await actors.resident("Joost")
    challenge, _, pilots, t0 = await challenge_in_piloting(
        api, city, [startup], [evaluator], temporal
    )
    [pilot_id] = pilots.values()
    start = t0 + timedelta(days=2)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(days=60)),
            "budget_eur": 40000,
            "milestones": [
                {"title": "Sensors installed", "due_at": iso(start + timedelta(days=10))},
                {"title": "Summer measured", "due_at": iso(start + timedelta(days=50))},
            ],
        },
        headers=city.headers,
    )
    assert agreement.status_code == 200, agreement.text
    path = f"/pilots/{pilot_id}"
    waiting = text_of((await api.get(path)).text)
    assert "Residents can give input and a rating once the pilot runs." in waiting
    accepted = await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
    assert accepted.status_code == 200
    await temporal.sleep(timedelta(days=3))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"
    kpis = {k["name"]: k["id"] for k in challenge["kpis"]}
    report = await api.post(
        f"/api/pilots/{pilot_id}/kpi-reports",
        json={
            "values": [
                {"kpi_id": kpis["Peak temperature drop"], "value": 2.5},
                {"kpi_id": kpis["Resident satisfaction"], "value": 55},
            ],
            "note": KPI_NOTE,
        },
        headers=startup.headers,
    )
    assert report.status_code == 201, report.text

    # The challenge page links the pilot; the pilot page shows KPI values against targets.
    challenge_page = await api.get(f"/challenges/{challenge['id']}")
    assert f'href="{path}"' in challenge_page.text
    page = await api.get(path)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Peak temperature drop 2.5 °C at least 2 °C Met" in text
    assert "Resident satisfaction 55 % at least 70 % Not yet" in text
    assert "Sensors installed" in text and "€40,000" in text.replace("\xa0", "")
    assert KPI_NOTE not in page.text  # the startup's own words: not for the public
    assert "Sign in to give your input" in text and "No ratings yet." in text

    await sign_in(api, resident)
    as_resident = await api.get(path)
    assert KPI_NOTE not in as_resident.text  # nor for a resident, as in the API
    assert 'name="body"' in as_resident.text and as_resident.text.count('name="rating"') == 5
    refused = await post_form(api, path, f"{path}/inputs", {"body": " ", "rating": "9"})
    assert refused.status_code == 422
    assert 'href="#f-body"' in refused.text and 'href="#f-rating"' in refused.text
    assert 'value="9"' not in refused.text  # nothing but the five choices
    rated = await post_form(
        api, path, f"{path}/inputs", {"body": "Cooler at the bus stop.", "rating": "4"}
    )
    assert rated.status_code == 303
    assert re.fullmatch(rf"{path}#input-\d+", rated.headers["location"])
    shown = text_of((await api.get(path)).text)
    assert "Thank you. Your input on the pilot was received" in shown
    assert "Cooler at the bus stop." in shown and "Rated 4 out of 5" in shown
    assert "4 out of 5 from 1 rating" in shown
    api_view = (await api.get(f"/api/pilots/{pilot_id}/inputs")).json()["items"]
    assert [(i["body"], i["rating"]) for i in api_view] == [("Cooler at the bus stop.", 4)]

    # Another resident endorses it from the pilot page and comes back there.
    api.cookies.clear()
    await sign_in(api, neighbour)
    input_id = api_view[0]["id"]
    endorsed = await post_form(
        api, path, f"/inputs/{input_id}/endorse", {"next": f"{path}#input-{input_id}"}
    )
    assert endorsed.headers["location"] == f"{path}#input-{input_id}"

    # The startup reads its own note on its pilot's page, and cannot give resident input.
    api.cookies.clear()
    await sign_in(api, startup)
    own = await api.get(path)
    assert KPI_NOTE in own.text and 'name="rating"' not in own.text
    assert "Only residents give input here." in text_of(own.text)
    refused = await post_form(api, path, f"{path}/inputs", {"body": "We love it", "rating": "5"})
    assert refused.status_code == 403
