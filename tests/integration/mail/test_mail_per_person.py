"""One lifecycle against a real SMTP server (issue 13, "Notifications people can act
on"): per person and per event exactly one mail, in the recipient's language (the
startup reads Dutch), with dates in the city's time zone, and a link to the page where
that person acts, which the test follows signed in as them; the city is mailed at each
moment it must act."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time
from sqlmodel import select

from service.settings import Settings
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
from tests.feedback import text_of
from tests.stack import eventually
from tests.web.pages import post_form, sign_in
from workflows.standing import ensure_standing_workflows

CITY_ZONE = "Europe/Amsterdam"
PUBLIC_URL = "http://proeftuin.city.example"  # plain HTTP: the test client sends its cookies
LINK = re.compile(r"^(?:Open the page|Open de pagina): (\S+)", re.MULTILINE)
MACHINE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|\bUTC\b")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"time_zone": CITY_ZONE, "public_url": PUBLIC_URL})


def subjects(smtp, account) -> list[str]:
    return [str(m["Subject"]) for m in smtp.to(account.email)]


async def received(smtp, account) -> set[str]:
    return set(subjects(smtp, account))


async def test_one_mail_per_person_and_event_in_their_language_with_a_page_to_act_on(
    api, actors, smtp, temporal, settings
):
    smtp.start()
    city = await actors.city("Innovation office")
    startup = await actors.startup("Koel BV")
    evaluator = await actors.evaluator("Eva")
    follower = await actors.resident("Fatima")
    # The startup chose Dutch with the site's language switch while signed in.
    await sign_in(api, startup)
    assert (await api.get("/me?lang=nl")).status_code == 200
    api.cookies.delete("proeftuin_lang")

    challenge = await open_challenge(
        api,
        city,
        title="Cooler streets",
        max_pilots=1,
        close_in=timedelta(days=10),
        review_for=timedelta(days=20),
    )
    cid = challenge["id"]
    proposal = await submit(api, startup, cid, title="Shade sails")
    assert proposal.status_code == 201, proposal.text
    pid = proposal.json()["id"]
    await api.post(f"/api/challenges/{cid}/follow", headers=follower.headers)

    # A question, answered; input from a resident: the city hears of both at once.
    asked = await api.post(
        f"/api/challenges/{cid}/questions",
        json={"body": "May the sails hang from the facades?"},
        headers=startup.headers,
    )
    assert asked.status_code == 201, asked.text
    # The city answers on the page its mail leads to (mail goes out at the end; the link
    # is the one the mail carries, checked below).
    question_id = asked.json()["id"]
    await sign_in(api, city)
    empty = await post_form(
        api, f"/challenges/{cid}", f"/city/questions/{question_id}/answer", {"body": " "}
    )
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    answered = await post_form(
        api,
        f"/challenges/{cid}",
        f"/city/questions/{question_id}/answer",
        {"body": "Yes, with the owners' consent."},
    )
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"/challenges/{cid}#question-{question_id}"
    api.cookies.clear()
    given = await api.post(
        f"/api/challenges/{cid}/inputs",
        json={"body": "Please keep the pavement free for wheelchairs."},
        headers=follower.headers,
    )
    assert given.status_code == 201, given.text

    # The call closes; the city screens and assigns; the review completes.
    await temporal.sleep(timedelta(days=11))
    assert await wait_for_phase(api, cid, "review") == "review"
    await screen(api, city, pid, reason="Meets every condition")
    await assign(api, city, cid, [evaluator])
    for assignment in await my_assignments(api, evaluator):
        await score(api, evaluator, assignment, (8, 8, 8), comment="Solid")
    assert await wait_for_phase(api, cid, "selection") == "selection"
    shortlist = await api.post(
        f"/api/challenges/{cid}/shortlist", json={"proposal_ids": [pid]}, headers=city.headers
    )
    assert shortlist.status_code == 200, shortlist.text
    [pilot] = shortlist.json()["pilots"]
    pilot_id = pilot["id"]

    # The agreement (one milestone), accepted; the pilot runs, ends, is evaluated, decided.
    now = await temporal.get_current_time()
    starts_at, ends_at = now + timedelta(days=1), now + timedelta(days=31)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={
            "starts_at": iso(starts_at),
            "ends_at": iso(ends_at),
            "budget_eur": 40000,
            "milestones": [{"title": "Sails up", "due_at": iso(now + timedelta(days=5))}],
        },
        headers=city.headers,
    )
    assert agreement.status_code == 200, agreement.text
    [milestone] = agreement.json()["milestones"]
    accepted = await api.post(f"/api/pilots/{pilot_id}/accept", headers=startup.headers)
    assert accepted.status_code == 200, accepted.text
    await temporal.sleep(timedelta(days=2))
    assert await wait_for_pilot(api, pilot_id, "running") == "running"
    done = await api.post(
        f"/api/pilots/{pilot_id}/milestones/{milestone['id']}/complete", headers=startup.headers
    )
    assert done.status_code == 200, done.text
    await temporal.sleep(timedelta(days=32))
    assert await wait_for_pilot(api, pilot_id, "evaluation") == "evaluation"
    evaluated = await api.put(
        f"/api/pilots/{pilot_id}/evaluation",
        json={"score": 9, "comment": "Measured, not guessed"},
        headers=evaluator.headers,
    )
    assert evaluated.status_code == 200, evaluated.text
    decided = await api.post(
        f"/api/pilots/{pilot_id}/decision",
        json={
            "decision": "scale_up",
            "reason": "Target met",
            "plan": {
                "budget_eur": 400000,
                "procurement_route": "innovation_partnership",
                "areas": ["Zuid"],
                "starts_at": iso(ends_at + timedelta(days=60)),
            },
        },
        headers=city.headers,
    )
    assert decided.status_code == 200, decided.text
    assert await wait_for_phase(api, cid, "closed") == "closed"
    # The mail goes out now: the outbox, polled every 0.1 s, is started once time need
    # no longer skip (months of polls would swamp the time-skipping server).
    await ensure_standing_workflows(temporal.client, settings)

    # -- the city: mailed at each moment it must act, each with its page ----------------
    city_wants = {
        "A question about “Cooler streets”": "/challenges/",
        "New input from a resident on “Cooler streets”": "/city/inputs/",
        "The call for “Cooler streets” has closed: screen the proposals": "/review",
        "“Cooler streets”: the ranking is ready for your shortlist": "/ranking",
        "The startup accepted the pilot agreement for “Shade sails”": f"/city/pilots/{pilot_id}",
        "The pilot “Shade sails” has ended: your decision": f"/city/pilots/{pilot_id}",
        "The pilot “Shade sails” will be scaled up": f"/city/pilots/{pilot_id}",
        "“Cooler streets” is closed: the outcome report is out": f"/challenges/{cid}/report",
    }
    await eventually(lambda: received(smtp, city), lambda s: set(city_wants) <= s, timeout=30)
    startup_wants = {
        "De gemeente heeft uw vraag over “Cooler streets” beantwoord",
        "Uw voorstel “Shade sails” is beoordeeld: toelaatbaar",
        "“Shade sails” is gekozen",
        "Uw pilotovereenkomst voor “Shade sails” staat klaar",
        "De pilot “Shade sails” wordt opgeschaald",
        "“Cooler streets” is afgesloten: het eindverslag is uit",
    }
    evaluator_wants = {
        "Beoordeel “Shade sails”".replace("Beoordeel", "Please review"),
        "Please evaluate the pilot “Shade sails”",
        "“Cooler streets” is closed: the outcome report is out",
    }
    follower_wants = {
        "Decision: pilot “Shade sails” will be scaled up",
        "“Cooler streets” is closed: the outcome report is out",
    }
    for account, wants in (
        (startup, startup_wants),
        (evaluator, evaluator_wants),
        (follower, follower_wants),
    ):
        await eventually(
            lambda account=account: received(smtp, account),
            lambda s, wants=wants: wants <= s,
            timeout=30,
        )

    people = (city, startup, evaluator, follower)
    for account in people:
        mails = smtp.to(account.email)
        # One mail per event: no subject twice, and a decision or the close told once.
        twice = [s for s, n in Counter(subjects(smtp, account)).items() if n > 1]
        assert twice == [], (account.email, twice)
        told = " ".join(subjects(smtp, account))
        assert len(re.findall(r"scaled up|opgeschaald", told)) <= 1, told
        assert len(re.findall(r"is closed|afgesloten", told)) == 1, told
        for mail in mails:
            text = text_of(mail)
            # Written for a person: local dates, no ISO times, no machine reasons.
            assert not MACHINE_TIME.search(text), text
            assert "scale_up" not in text and "1 milestones" not in text
            # In the recipient's language.
            dutch = account is startup
            assert text.startswith("Beste " if dutch else "Hello "), text
            links = LINK.findall(text)
            assert len(links) == 1, text  # every mail leads to a page
            assert links[0].startswith(PUBLIC_URL) and "/api/" not in links[0], links[0]

    # The agreement tells its dates in the city's time zone, in Dutch.
    [agreed] = [m for m in smtp.to(startup.email) if "overeenkomst" in str(m["Subject"])]
    local = starts_at.astimezone(ZoneInfo(CITY_ZONE))
    assert format_time(local, "short", locale="nl_NL") in text_of(agreed)
    assert "1 mijlpaal" in text_of(agreed) and "€ 40.000" in text_of(agreed)

    # Each link opens, signed in as its recipient, the page that shows the thing and the
    # way to act on it.
    acts = {
        # (recipient, subject): what the page must offer
        (city.email, "The call for “Cooler streets” has closed: screen the proposals"): "<form",
        (city.email, "“Cooler streets”: the ranking is ready for your shortlist"): "<form",
        (city.email, "The pilot “Shade sails” has ended: your decision"): "<form",
        (city.email, "New input from a resident on “Cooler streets”"): "<form",
        (city.email, "A question about “Cooler streets”"): "Yes, with the owners",
        (startup.email, "Uw pilotovereenkomst voor “Shade sails” staat klaar"): "Shade sails",
        (evaluator.email, "Please review “Shade sails”"): "<form",
        (evaluator.email, "Please evaluate the pilot “Shade sails”"): "Shade sails",
    }
    for account in people:
        await sign_in(api, account)
        for mail in smtp.to(account.email):
            subject = str(mail["Subject"])
            [link] = LINK.findall(text_of(mail))
            path = link.removeprefix(PUBLIC_URL)
            for expected, prefix in city_wants.items():
                if account is city and subject == expected:
                    assert prefix in path, (subject, path)
            page = await api.get(path)
            assert page.status_code == 200, (account.email, subject, path)
            assert "Cooler streets" in page.text or "Shade sails" in page.text, (subject, path)
            if (account.email, subject) in acts:
                assert acts[(account.email, subject)] in page.text, (subject, path)
        api.cookies.clear()

    # Public pages and reports name who acted by role, never by an account id.
    public = (await api.get(f"/api/challenges/{cid}")).json()
    by_people = [e for e in public["timeline"] if e["actor"] not in ("timer", "system")]
    assert by_people and all(not e["actor"].startswith("user:") for e in by_people)
    assert all(e["actor_id"] is None for e in public["timeline"])
    assert {e["actor_name"] for e in by_people} <= {"the innovation office", "the startup"}
    report = (await api.get(f"/api/challenges/{cid}/report")).json()
    assert "user:" not in str(report)
    staff = (await api.get(f"/api/challenges/{cid}", headers=city.headers)).json()
    assert f"user:{city.id}" in {e["actor"] for e in staff["timeline"]}


async def test_the_language_is_set_at_sign_up_and_changed_by_the_language_switch(api, sessions):
    from service.auth.models import User
    from tests.actors import PASSWORD, Account

    async def language_of(email: str) -> str | None:
        async with sessions() as session:
            user = (await session.exec(select(User).where(User.email == email))).one()
            return user.language

    signed_up = await api.post(
        "/api/auth/register",
        json={
            "email": "anne@example.org",
            "password": PASSWORD,
            "role": "resident",
            "display_name": "Anne",
        },
        headers={"accept-language": "nl-NL,nl;q=0.9,en;q=0.5"},
    )
    assert signed_up.status_code == 201, signed_up.text
    assert await language_of("anne@example.org") == "nl"
    anne = Account(id=0, email="anne@example.org", role="resident", display_name="Anne", token="")
    await sign_in(api, anne)
    assert (await api.get("/me")).status_code == 200
    assert await language_of("anne@example.org") == "nl"  # a page without ?lang= keeps it
    assert (await api.get("/me?lang=en")).status_code == 200
    assert await language_of("anne@example.org") == "en"
