"""The city console's front: every challenge with its phase and what waits for the
city in it, and a challenge's own page in the console (its phase, what to do next,
its pilots), from which every other console page is reached."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.identity import CurrentUser
from service.challenges.search import proposal_titles
from service.challenges.services import ChallengeService
from service.errors import FieldError
from service.web.city.drafts import editable
from service.web.city.waiting import waiting_for_city
from service.web.rendering import page
from service.web.timeline import steps

LIST_SIZE = 50
ENDED = ("closed", "cancelled")


@get("/", name="city.dashboard")
async def dashboard(
    request: Request[Any, Any, Any],
    city_challenges: NamedDependency[ChallengeService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
    cursor: FromQuery[str | None] = None,
) -> Template:
    try:
        found = await city_challenges.page(user, None, cursor or None, LIST_SIZE)
    except FieldError:  # a cursor we did not hand out: the first page
        found, cursor = await city_challenges.page(user, None, None, LIST_SIZE), None
    waiting = await waiting_for_city(db_session, [(c.id, c.phase) for c in found.items])
    return page(
        request,
        "city/dashboard.html",
        challenges=found.items,
        waiting=waiting,
        waiting_count=sum(1 for w in waiting.values() if w.anything),
        next_cursor=found.next_cursor,
        paged=bool(cursor),
    )


@get("/challenges/{challenge_id:int}", name="city.challenge")
async def challenge_console(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
) -> Template:
    challenge = await city_challenges.read(challenge_id, user)
    waiting = await waiting_for_city(db_session, [(challenge.id, challenge.phase)])
    titles = await proposal_titles(db_session, [p.proposal_id for p in challenge.pilots])
    return page(
        request,
        "city/challenge.html",
        challenge=challenge,
        waiting=waiting[challenge.id],
        steps=steps(challenge),
        pilot_titles=titles,
        editable=editable(challenge),
        ended=challenge.phase.value in ENDED,
    )


dashboard_handlers = [dashboard, challenge_console]
