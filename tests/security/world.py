"""A small world of real records in every phase, so that requests with real ids reach
the code behind the 404s: a challenge in piloting (with a running pilot, milestones, a
KPI report and resident input on it), one in review (with assignments and a request
for information), one open (with a proposal, a question, input and a follower) and a
draft. One account per role acts on them; ``ids`` lists the real ids per path
parameter name of the OpenAPI schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio.testing import WorkflowEnvironment

from service.notifications.tokens import unsubscribe_token
from service.settings import Settings
from tests.actors import PASSWORD, Account, Actors
from tests.builders import (
    assign,
    challenge_body,
    create_challenge,
    iso,
    my_assignments,
    open_challenge,
    proposal_body,
    score,
    screen,
    submit,
    wait_for_phase,
    wait_for_pilot,
)

ROLES = ("anonymous", "resident", "evaluator", "startup", "city")


@dataclass
class World:
    accounts: dict[str, Account | None]
    ids: dict[str, list[int]] = field(default_factory=dict)
    unsubscribe_token: str = ""
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    """A valid body per endpoint ("POST /api/challenges"), with real ids in it."""

    def headers(self, role: str) -> dict[str, str]:
        account = self.accounts[role]
        return dict(account.headers) if account else {}

    def add(self, name: str, *values: int) -> None:
        known = self.ids.setdefault(name, [])
        known.extend(v for v in values if v not in known)


def _ok(response: Any, *codes: int) -> dict:
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json()


async def build_world(
    api: Any, actors: Actors, temporal: WorkflowEnvironment, settings: Settings
) -> World:
    city, startup = await actors.city(), await actors.startup()
    evaluator, resident = await actors.evaluator(), await actors.resident()
    rival, second_evaluator = await actors.startup(), await actors.evaluator()
    world = World(
        {
            "anonymous": None,
            "resident": resident,
            "evaluator": evaluator,
            "startup": startup,
            "city": city,
        }
    )
    evaluators = [evaluator, second_evaluator]

    # Two calls close together: one goes on to piloting, one stays in review.
    close = {"close_in": timedelta(days=10), "review_for": timedelta(days=30)}
    piloted = await open_challenge(api, city, max_pilots=2, **close)
    reviewed = await open_challenge(api, city, **close)
    proposals: dict[int, list[int]] = {}
    for challenge in (piloted, reviewed):
        for author in (startup, rival):
            created = _ok(await submit(api, author, challenge["id"], title=f"By {author.email}"))
            proposals.setdefault(challenge["id"], []).append(created["id"])
    await temporal.sleep(timedelta(days=10, hours=1))
    for challenge in (piloted, reviewed):
        assert await wait_for_phase(api, challenge["id"], "review") == "review"

    # Piloting: screened, scored by both evaluators, both selected.
    for proposal_id in proposals[piloted["id"]]:
        await screen(api, city, proposal_id)
    await assign(api, city, piloted["id"], evaluators)
    for judge in evaluators:
        for assignment in await my_assignments(api, judge):
            if assignment["proposal_id"] in proposals[piloted["id"]]:
                await score(api, judge, assignment, (7, 6, 8), comment="Solid")
    assert await wait_for_phase(api, piloted["id"], "selection") == "selection"
    shortlisted = _ok(
        await api.post(
            f"/api/challenges/{piloted['id']}/shortlist",
            json={"proposal_ids": proposals[piloted["id"]]},
            headers=city.headers,
        )
    )
    clock = shortlisted["timeline"][-1]["at"]
    pilots = {p["proposal_id"]: p["id"] for p in shortlisted["pilots"]}
    own_pilot = pilots[proposals[piloted["id"]][0]]
    start = datetime.fromisoformat(clock) + timedelta(hours=1)
    agreement = _ok(
        await api.post(
            f"/api/pilots/{own_pilot}/agreement",
            json={
                "starts_at": iso(start),
                "ends_at": iso(start + timedelta(days=60)),
                "budget_eur": 30000,
                "milestones": [
                    {"title": "Poles installed", "due_at": iso(start + timedelta(days=10))},
                    {"title": "First measurements", "due_at": iso(start + timedelta(days=30))},
                ],
            },
            headers=city.headers,
        )
    )
    _ok(await api.post(f"/api/pilots/{own_pilot}/accept", headers=startup.headers))
    await temporal.sleep(timedelta(hours=2))  # the pilot starts running
    assert await wait_for_pilot(api, own_pilot, "running") == "running"
    kpi_values = [{"kpi_id": k["id"], "value": 1.5} for k in piloted["kpis"]]
    _ok(
        await api.post(
            f"/api/pilots/{own_pilot}/kpi-reports",
            json={"values": kpi_values, "note": "First week"},
            headers=startup.headers,
        )
    )
    pilot_input = _ok(
        await api.post(
            f"/api/pilots/{own_pilot}/inputs",
            json={"body": "The mist is pleasant.", "rating": 4},
            headers=resident.headers,
        )
    )
    world.add("input_id", pilot_input["id"])
    world.add("challenge_id", piloted["id"])
    world.add("pilot_id", *pilots.values())
    world.add("milestone_id", *(m["id"] for m in agreement["milestones"]))
    world.add("proposal_id", *proposals[piloted["id"]])

    # Review: screened in part, assigned, a request for information to the startup.
    first, second = proposals[reviewed["id"]]
    await screen(api, city, second)
    await assign(api, city, reviewed["id"], evaluators)
    asked = _ok(
        await api.post(
            f"/api/proposals/{first}/info-requests",
            json={
                "question": "How much water do the poles use?",
                "reply_deadline": iso(datetime.fromisoformat(clock) + timedelta(days=5)),
            },
            headers=city.headers,
        ),
        200,
        201,
    )
    world.add("request_id", asked["id"])
    world.add("challenge_id", reviewed["id"])
    world.add("proposal_id", first, second)
    world.add("assignment_id", *(a["id"] for a in await my_assignments(api, evaluator)))

    # Open: a proposal, a public question, resident input, a follower.
    opened = await open_challenge(api, city, close_in=timedelta(days=80))
    draft = await create_challenge(api, city, close_in=timedelta(days=90))
    world.add("challenge_id", opened["id"], draft["id"])
    world.add("proposal_id", _ok(await submit(api, startup, opened["id"]))["id"])
    question = _ok(
        await api.post(
            f"/api/challenges/{opened['id']}/questions",
            json={"body": "Can the poles run at night?"},
            headers=resident.headers,
        )
    )
    world.add("question_id", question["id"])
    given = _ok(
        await api.post(
            f"/api/challenges/{opened['id']}/inputs",
            json={"body": "Please keep the market free."},
            headers=resident.headers,
        )
    )
    world.add("input_id", given["id"])

    for account in (city, startup, evaluator, resident):
        listed = _ok(await api.get("/api/me/notifications?limit=100", headers=account.headers))
        world.add("notification_id", *(n["id"] for n in listed["items"][:5]))
    world.unsubscribe_token = unsubscribe_token(settings.signing_secret(), resident.id)
    later = datetime.fromisoformat(clock) + timedelta(days=5)
    reviewed_criteria = [c["id"] for c in reviewed["criteria"]]
    world.bodies = {
        "POST /api/auth/register": {
            "email": "someone.new@example.org",
            "password": "a long enough password",
            "role": "resident",
            "display_name": "Someone New",
        },
        "POST /api/auth/login": {"email": resident.email, "password": PASSWORD},
        "POST /api/challenges": challenge_body(),
        "PATCH /api/challenges/{challenge_id}": {"title": "Cooler streets in Noord"},
        "POST /api/challenges/{challenge_id}/cancel": {"reason": "The budget moved"},
        "POST /api/challenges/{challenge_id}/proposals": proposal_body(),
        "PATCH /api/proposals/{proposal_id}": {"summary": "Now with rain water."},
        "POST /api/challenges/{challenge_id}/questions": {"body": "Is night work allowed?"},
        "POST /api/questions/{question_id}/answer": {"body": "Until 22:00."},
        "POST /api/proposals/{proposal_id}/screening": {"eligible": True, "reason": ""},
        "POST /api/proposals/{proposal_id}/info-requests": {
            "question": "Which nozzles?",
            "reply_deadline": iso(later),
        },
        "POST /api/info-requests/{request_id}/answer": {"body": "Brass ones."},
        "POST /api/challenges/{challenge_id}/evaluators": {
            "evaluator_ids": [e.id for e in evaluators],
            "per_proposal": 1,
        },
        "POST /api/assignments/{assignment_id}/conflict": {"reason": "My former employer"},
        "PUT /api/assignments/{assignment_id}/scores": {
            "scores": [
                {"criterion_id": c, "score": 6, "comment": "Fine"} for c in reviewed_criteria
            ]
        },
        "POST /api/challenges/{challenge_id}/shortlist": {"proposal_ids": [first, second]},
        "POST /api/challenges/{challenge_id}/pilots": {"proposal_id": second},
        "POST /api/pilots/{pilot_id}/agreement": {
            "starts_at": iso(later),
            "ends_at": iso(later + timedelta(days=30)),
            "budget_eur": 20000,
            "milestones": [{"title": "Installed", "due_at": iso(later + timedelta(days=3))}],
        },
        "POST /api/pilots/{pilot_id}/decline": {"reason": "We cannot staff it"},
        "POST /api/pilots/{pilot_id}/kpi-reports": {"values": kpi_values, "note": "Week 2"},
        "POST /api/pilots/{pilot_id}/evaluators": {"evaluator_ids": [e.id for e in evaluators]},
        "PUT /api/pilots/{pilot_id}/evaluation": {"score": 7, "comment": "Cooler indeed"},
        "POST /api/pilots/{pilot_id}/decision": {
            "decision": "extend",
            "reason": "Needs a summer more",
            "new_end_at": iso(start + timedelta(days=120)),
        },
        "POST /api/challenges/{challenge_id}/inputs": {"body": "More shade, please."},
        "POST /api/pilots/{pilot_id}/inputs": {"body": "Nice and cool.", "rating": 5},
        "POST /api/inputs/{input_id}/response": {"body": "Thank you, we will."},
        "POST /api/inputs/{input_id}/hide": {"reason": "Personal data"},
        "POST /api/inputs/{input_id}/report": {"reason": "Spam"},
        "PUT /api/me/email-preference": {"email_preference": "daily"},
    }
    return world
