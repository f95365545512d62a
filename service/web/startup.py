"""A startup's pages: its overview (``/startup``: proposals with their status and next
step, saved drafts), and what the other startup pages share: the refusal a phase gives,
numbers as people type them, the time left, the names of proposal statuses.

The proposal form and its draft are in ``startup_proposal_form.py``, a proposal's page
(edit, withdraw, questions, outcome) in ``startup_proposals.py``, the pilot pages in
``startup_pilots.py``. Every page reads and writes through the JSON API's own services,
so it shows and accepts exactly what the API would for this user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.common import ChallengePhase
from schemas.proposals import ProposalPublic
from service.auth.guards import requires_startup
from service.auth.identity import CurrentUser
from service.challenges.controllers import provide_challenge_service
from service.challenges.search import search_public
from service.clock import utcnow
from service.deps import provide_workflow_gateway
from service.errors import FieldError, PhaseConflict
from service.proposals.drafts import drafts_of
from service.proposals.models import ProposalStatus
from service.proposals.overview import challenges_by_id, pilots_by_proposal
from service.proposals.services import ProposalService
from service.web.forms import errors_from
from service.web.i18n import N_, Formats, request_language
from service.web.labels import PHASE_NAMES, PILOT_STATUS_NAMES
from service.web.rendering import gettext_for, page

SHOWN = 100  # a startup's proposals on its overview; the API pages the rest
OPEN_CALLS = 10  # the newest challenges open for proposals, with a link to write one

PROPOSAL_STATUS_NAMES = {
    ProposalStatus.SUBMITTED: N_("Submitted"),
    ProposalStatus.WITHDRAWN: N_("Withdrawn"),
    ProposalStatus.INFO_REQUESTED: N_("Question from the city"),
    ProposalStatus.ELIGIBLE: N_("Eligible"),
    ProposalStatus.INELIGIBLE: N_("Not eligible"),
    ProposalStatus.SELECTED: N_("Selected"),
    ProposalStatus.NOT_SELECTED: N_("Not selected"),
}
PROPOSAL_STATUS = {k.value: v for k, v in PROPOSAL_STATUS_NAMES.items()}

MISSING_PROPOSAL = {
    "title": N_("Give your proposal a title."),
    "summary": N_("Describe your solution in the summary."),
    "budget_eur": N_("Enter the budget you ask for, in euros."),
}


# -- shared with the pilot pages ---------------------------------------------------------

_GROUPED = {
    "nl": (re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$"), ".", ","),
    "en": (re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$"), ",", "."),
}


def number_from(typed: str, language: str) -> str:
    """A number as a person types it ("1.234,5" in Dutch, "1,234.5" in English) in the
    notation the API reads ("1234.5"): the page's language says which mark groups
    thousands. Anything else is passed on as typed, for the API's model to judge."""
    text = re.sub(r"[\s\u00a0\u202f€]", "", typed)
    pattern, group, decimal = _GROUPED.get(language, _GROUPED["en"])
    if pattern.match(text):
        return text.replace(group, "").replace(decimal, ".")
    if language == "nl" and re.fullmatch(r"-?\d+,\d+", text):
        return text.replace(",", ".")
    return text


def amount_from(typed: str) -> str:
    """An amount in euros as typed ("€ 40.000", "40,000", "12.500,50", "12500,5") in the
    API's notation ("40000", "12500.50"), in either language: an amount has at most two
    decimals, so a mark followed by three digits groups thousands."""
    text = re.sub(r"[\s\u00a0\u202f€]", "", typed)
    for group, decimal in ((".", ","), (",", ".")):
        grouped = rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+(?:{re.escape(decimal)}\d{{1,2}})?"
        if re.fullmatch(grouped, text):
            return text.replace(group, "").replace(decimal, ".")
    if re.fullmatch(r"\d+,\d{1,2}", text):
        return text.replace(",", ".")
    return text


async def read_challenge(
    request: Request[Any, Any, Any], session: AsyncSession, challenge_id: int, viewer: CurrentUser
) -> ChallengePublic:
    """The challenge as ``GET /api/challenges/{id}`` shows it to ``viewer`` (404 if not
    theirs to read)."""
    gateway = provide_workflow_gateway(request.app.state)
    return await provide_challenge_service(session, gateway).read(challenge_id, viewer)


def formats_for(request: Request[Any, Any, Any]) -> Formats:
    return Formats(request.app.state.settings.time_zone)


def phase_refusal(
    request: Request[Any, Any, Any],
    exc: PhaseConflict,
    instead: str,
    *,
    closes_at: datetime | None = None,
) -> str:
    """A write the phase refused, for the form's error summary: which phase it is (or
    when the call closed) and ``instead``, what the person can do now (a message id)."""
    _ = gettext_for(request)
    phase = str((exc.extra or {}).get("phase", "")) if isinstance(exc.extra, dict) else ""
    todo = _(instead)
    if phase == ChallengePhase.OPEN and closes_at is not None:
        when = formats_for(request).moment(closes_at, request_language(request))
        return _("The call for proposals closed on %(date)s. %(todo)s") % {
            "date": when,
            "todo": todo,
        }
    names: dict[str, str] = {
        **{k.value: v for k, v in PHASE_NAMES.items()},
        **{k.value: v for k, v in PILOT_STATUS_NAMES.items()},
    }
    if phase in {p.value for p in PILOT_STATUS_NAMES}:
        template = _("This pilot is now in the phase “%(phase)s”. %(todo)s")
    else:
        template = _("This challenge is now in the phase “%(phase)s”. %(todo)s")
    return template % {"phase": _(names.get(phase, phase)), "todo": todo}


def time_left(until: datetime) -> dict[str, int] | None:
    """Days, hours and minutes until ``until``; None once it has passed."""
    seconds = int((until - utcnow()).total_seconds())
    if seconds <= 0:
        return None
    return {
        "days": seconds // 86400,
        "hours": seconds % 86400 // 3600,
        "minutes": seconds % 3600 // 60,
    }


def call_open(challenge: ChallengePublic) -> bool:
    """Whether the proposal form is shown (the domain decides for good on each write)."""
    return challenge.phase == ChallengePhase.OPEN and utcnow() < challenge.proposals_close_at


def proposal_values(values: dict[str, str]) -> dict[str, str]:
    """The form's fields as the API's proposal model reads them."""
    return {
        "title": values.get("title", ""),
        "summary": values.get("summary", ""),
        "budget_eur": amount_from(values.get("budget_eur", "")),
        "public_title_consent": "true" if values.get("public_title_consent") else "false",
    }


def typed_fields(values: dict[str, str]) -> dict[str, str]:
    """What the form shows again: the fields as typed."""
    shown = {k: values.get(k, "") for k in ("title", "summary", "budget_eur")}
    if values.get("public_title_consent"):
        shown["public_title_consent"] = "true"
    return shown


def budget_errors(
    request: Request[Any, Any, Any], exc: FieldError, challenge: ChallengePublic
) -> dict[str, str]:
    """The domain's refusal of a field; the budget cap worded with the cap itself."""
    _ = gettext_for(request)
    errors = errors_from(exc, _)
    if "budget_eur" in errors:
        cap = formats_for(request).euros(challenge.pilot_budget_cap_eur, request_language(request))
        errors["budget_eur"] = _(
            "The city funds a pilot with at most %(cap)s. Ask for that or less."
        ) % {"cap": cap}
    return errors


def plain_amount(amount: Decimal, language: str) -> str:
    """An amount in the form, as the person would type it: 40000, or 12500,50 (nl)."""
    text = str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"
    return text.replace(".", ",") if language == "nl" else text


# -- the overview ------------------------------------------------------------------------


@dataclass
class NextStep:
    text: str
    """A message id; ``%(date)s`` in it is the ``date``."""
    link: str | None = None
    date: datetime | None = None


def next_step(
    proposal: ProposalPublic, phase: str, closes_at: datetime, pilot_id: int | None
) -> NextStep:
    """What the startup does or waits for next, by the proposal's status and phase."""
    status = proposal.status
    page_url = f"/proposals/{proposal.id}"
    if status == ProposalStatus.WITHDRAWN:
        return NextStep(N_("Nothing: you withdrew it."))
    if status == ProposalStatus.INFO_REQUESTED:
        return NextStep(N_("Answer the city's question"), f"{page_url}#info-requests")
    if status == ProposalStatus.SELECTED:
        if pilot_id is not None:
            return NextStep(N_("Go to your pilot"), f"/pilots/{pilot_id}")
        return NextStep(N_("Read your scores"), f"{page_url}#outcome")
    if status == ProposalStatus.NOT_SELECTED:
        return NextStep(N_("Read your scores and the evaluators' comments"), f"{page_url}#outcome")
    if status == ProposalStatus.INELIGIBLE:
        return NextStep(N_("Read why"), f"{page_url}#screening")
    if phase == ChallengePhase.OPEN and utcnow() < closes_at:
        return NextStep(N_("You can change it until %(date)s"), f"{page_url}/edit", closes_at)
    if status == ProposalStatus.ELIGIBLE:
        return NextStep(N_("Wait: evaluators are scoring the proposals"))
    return NextStep(N_("Wait: the city is screening the proposals"))


@get("/startup", name="startup", guards=[requires_startup])
async def overview(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    mine = await ProposalService(db_session).list_mine(user, None, SHOWN)
    drafts = await drafts_of(db_session, user)
    challenges = await challenges_by_id(
        db_session, [p.challenge_id for p in mine.items] + [d.challenge_id for d in drafts]
    )
    pilots = await pilots_by_proposal(db_session, [p.id for p in mine.items])
    calls = await search_public(
        db_session, text=None, phase=ChallengePhase.OPEN, cursor=None, limit=OPEN_CALLS
    )
    rows = []
    for proposal in reversed(mine.items):  # the latest first
        challenge = challenges[proposal.challenge_id]
        pilot = pilots.get(proposal.id)
        step = next_step(
            proposal, challenge.phase, challenge.proposals_close_at, pilot.id if pilot else None
        )
        rows.append({"proposal": proposal, "challenge": challenge, "pilot": pilot, "step": step})
    return page(
        request,
        "startup/overview.html",
        rows=rows,
        more=bool(mine.next_cursor),
        drafts=[
            {"draft": d, "challenge": challenges[d.challenge_id]}
            for d in drafts
            if d.challenge_id in challenges
        ],
        proposal_status=PROPOSAL_STATUS,
        open_calls=[c for c in calls.items if c.proposals_close_at > utcnow()],
        proposed={p.challenge_id for p in mine.items if p.status != ProposalStatus.WITHDRAWN},
        drafted={d.challenge_id for d in drafts},
        more_calls=bool(calls.next_cursor),
    )


startup_handlers = [overview]
