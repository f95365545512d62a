"""E-mail against a real SMTP server: the right mails to the right people, safe HTML,
unsubscribe without signing in, and a mail server that is down delays mail but loses
none and sends none twice."""

from __future__ import annotations

import re

from sqlmodel import select

from service.notifications.commands import notify
from service.notifications.messages import Message
from service.notifications.models import MailOutbox
from tests.builders import open_challenge, submit
from tests.feedback import give_input, html_of, text_of
from tests.integration.mail.conftest import PUBLIC_URL
from tests.stack import eventually
from workflows.standing import ensure_standing_workflows


async def outbox(sessions, user_id: int) -> list[MailOutbox]:
    async with sessions() as session:
        rows = await session.exec(select(MailOutbox).where(MailOutbox.user_id == user_id))
        return list(rows.all())


async def test_the_right_mails_reach_the_right_people_and_unsubscribe_works(
    api, actors, sessions, smtp, temporal, settings
):
    smtp.start()
    await ensure_standing_workflows(temporal.client, settings)
    city = await actors.city()
    follower, author = await actors.resident("Fatima"), await actors.resident("Anne")
    bystander, digest_reader = await actors.resident(), await actors.resident()
    startup = await actors.startup("CoolCo")
    challenge = await open_challenge(api, city, title="Cooler streets in Zuid")
    assert (await submit(api, startup, challenge["id"])).status_code == 201
    for resident in (follower, digest_reader):
        await api.post(f"/api/challenges/{challenge['id']}/follow", headers=resident.headers)
    await api.put(
        "/api/me/email-preference",
        json={"email_preference": "daily"},
        headers=digest_reader.headers,
    )
    given = await give_input(
        api, author, challenge["id"], "Shade please <img src=x onerror=alert(1)>"
    )
    answer = "Yes: <b>twelve</b> trees & a <script>fountain</script>."
    await api.post(
        f"/api/inputs/{given['id']}/response", json={"body": answer}, headers=city.headers
    )
    await api.post(
        f"/api/challenges/{challenge['id']}/cancel",
        json={"reason": "The council moved the budget to 2027"},
        headers=city.headers,
    )

    expected = {author.email: 2, follower.email: 1, startup.email: 1, city.email: 1}
    await eventually(lambda: _count(smtp), lambda n: n >= sum(expected.values()), timeout=30)
    received = {email: sorted(m["Subject"] for m in smtp.to(email)) for email in expected}
    assert received == {
        author.email: [
            "The city answered your input on “Cooler streets in Zuid”",
            "“Cooler streets in Zuid” was cancelled",
        ],
        follower.email: ["“Cooler streets in Zuid” was cancelled"],
        startup.email: ["“Cooler streets in Zuid” was cancelled"],
        # The city is told of new input, the moment it has to answer it.
        city.email: ["New input from a resident on “Cooler streets in Zuid”"],
    }
    assert smtp.to(bystander.email) == []
    # The daily reader's mail waits for the daily round; the bystander has none queued.
    assert [(r.delivery, r.status) for r in await outbox(sessions, digest_reader.id)] == [
        ("daily", "pending")
    ]
    assert await outbox(sessions, bystander.id) == []

    [answered] = [m for m in smtp.to(author.email) if "answered" in m["Subject"]]
    assert answered["From"] == "Proeftuin Zuid <proeftuin@city.example>"
    assert answered["To"].addresses[0].display_name == "Anne"
    html, text = html_of(answered), text_of(answered)
    assert "&lt;b&gt;twelve&lt;/b&gt; trees &amp; a &lt;script&gt;fountain&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert answer in text and "Shade please <img src=x onerror=alert(1)>" in text
    assert f"{PUBLIC_URL}/me#my-input-title" in text  # their input and the answer
    [cancelled] = smtp.to(follower.email)
    assert "The council moved the budget to 2027" in text_of(cancelled)

    # Unsubscribe, without signing in: the header and the link in the body agree.
    header_url = cancelled["List-Unsubscribe"].strip().strip("<>")
    assert cancelled["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body_url = re.search(
        r"Stop all e-mail from Proeftuin, or stop following a challenge: (\S+)", text_of(cancelled)
    ).group(1)
    assert header_url == body_url and header_url.startswith(f"{PUBLIC_URL}/api/unsubscribe?token=")
    path = header_url.removeprefix(PUBLIC_URL)
    page = await api.get(path)
    assert page.status_code == 200 and follower.email in page.text and "<form" in page.text
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await api.post(forged)).status_code == 404
    done = await api.post(path)  # what a mail client's one-click unsubscribe does
    assert done.status_code == 200 and done.json()["email_preference"] == "none"
    preference = await api.get("/api/me/email-preference", headers=follower.headers)
    assert preference.json() == {"email_preference": "none"}

    before = len(smtp.messages)
    async with sessions() as session:
        await notify(
            session,
            [follower.id, author.id],
            Message(kind="test", key="after-unsubscribe", title="One more thing", body="News"),
        )
        await session.commit()
    await eventually(lambda: _count(smtp), lambda n: n > before)
    assert [m["Subject"] for m in smtp.to(author.email)][-1] == "One more thing"
    assert [m["Subject"] for m in smtp.to(follower.email)] == [cancelled["Subject"]]
    # Still told in the app.
    told = (await api.get("/api/me/notifications", headers=follower.headers)).json()["items"]
    assert told[0]["title"] == "One more thing"


async def test_mail_waits_for_a_server_that_is_down_and_arrives_exactly_once(
    api, actors, sessions, smtp, temporal, settings
):
    resident = await actors.resident()
    await ensure_standing_workflows(temporal.client, settings)
    async with sessions() as session:
        await notify(
            session, [resident.id], Message(kind="test", key="first", title="First", body="1")
        )
        await session.commit()

    # The server is down: the drainer tries, fails, and keeps the mail.
    rows = await eventually(
        lambda: outbox(sessions, resident.id), lambda rows: rows[0].attempts >= 2, timeout=30
    )
    [row] = rows
    assert row.status == "pending" and row.attempts >= 2
    assert "cannot reach the mail server" in row.last_error
    assert smtp.messages == []

    smtp.start()
    await eventually(lambda: _count(smtp), lambda n: n >= 1, timeout=60)
    [row] = await eventually(
        lambda: outbox(sessions, resident.id), lambda rows: rows[0].status == "sent"
    )
    assert row.sent_at is not None and row.last_error is None

    # Mail queued after it came back goes out too, behind the first: by then the
    # drainer has had every chance to send the first one twice.
    async with sessions() as session:
        await notify(
            session, [resident.id], Message(kind="test", key="second", title="Second", body="2")
        )
        await session.commit()
    await eventually(lambda: _count(smtp), lambda n: n >= 2)
    assert [m["Subject"] for m in smtp.to(resident.email)] == ["First", "Second"]
    assert len({m["Message-ID"] for m in smtp.messages}) == 2


async def _count(smtp) -> int:
    return len(smtp.messages)
