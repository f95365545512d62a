"""The evaluator's pages: their assignments (to do, done, handed back) and the pilots
awaiting their evaluation; the scoring sheet of one assignment; the declaration of a
conflict of interest.

They call the JSON API's own ``AssignmentService`` (``mine``, ``read``, ``score``,
``declare_conflict``), so an evaluator sees and changes exactly what the API lets them:
their own assignments and their own scores, never another evaluator's. The pilot
evaluation page is in ``evaluator_pilots``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase
from schemas.review import ConflictRequest, MyAssignment, ScoresRequest
from service.auth.guards import requires_evaluator
from service.auth.identity import CurrentUser
from service.challenges.queries import published_challenge
from service.challenges.search import challenge_titles, proposal_titles
from service.clock import utcnow
from service.errors import Conflict, FieldError, PhaseConflict
from service.pilots.queries import OwnPilotEvaluation, pilots_to_evaluate
from service.review.assignments import AssignmentService
from service.review.controllers import provide_assignments
from service.review.models import AssignmentStatus
from service.review.ranking import weighted_total
from service.web.forms import FORM, Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_, Gettext
from service.web.labels import PHASE_NAMES
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

MISSING_REASON = {"reason": N_("Say in a few words what the conflict of interest is.")}
NOTHING_SCORED = N_("Give at least one criterion a score from 0 to 10 before you save.")
COMMENT_WITHOUT_SCORE = N_("Give this criterion a score to save your comment with it.")
SAVED_SCORE_CLEARED = N_(
    "A saved score cannot be removed: give a score from 0 to 10 (you can change it "
    "until the review closes)."
)

evaluator_dependencies = {
    "assignments": Provide(provide_assignments, sync_to_thread=False),
}


# -- what the pages show -------------------------------------------------------------------


@dataclass(frozen=True)
class TimeLeft:
    """How long until a deadline, in the unit a person reads it in: days when two or
    more are left, else hours; ``closed`` once it has passed."""

    unit: str  # "days", "hours" or "closed"
    count: int = 0


def time_left(deadline: datetime, now: datetime) -> TimeLeft:
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        return TimeLeft("closed")
    if seconds >= 2 * 86400:
        return TimeLeft("days", int(seconds // 86400))
    return TimeLeft("hours", max(1, int(seconds // 3600)))


@dataclass(frozen=True)
class Total:
    """The evaluator's own weighted total of one assignment so far: sum(weight x score)
    / 100 over the criteria scored (``service.review.ranking.weighted_total``), so it
    is the total the ranking uses once every criterion is scored."""

    value: float
    scored: int
    criteria: int

    @property
    def complete(self) -> bool:
        return self.scored == self.criteria


def running_total(assignment: MyAssignment) -> Total:
    weights = {c.id: c.weight for c in assignment.criteria}
    scores = {s.criterion_id: s.score for s in assignment.scores if s.criterion_id in weights}
    value = weighted_total(scores, {c: weights[c] for c in scores})
    return Total(round(value, 2), len(scores), len(weights))


def state_of(assignment: MyAssignment) -> str:
    """Where an assignment stands for its evaluator: ``todo`` (can be scored, not every
    criterion yet), ``done`` (every criterion scored), ``conflict`` (handed back) or
    ``missed`` (the review closed before it was scored)."""
    if assignment.status == AssignmentStatus.CONFLICT:
        return "conflict"
    if assignment.complete:
        return "done"
    return "todo" if assignment.can_score else "missed"


@dataclass
class ChallengeGroup:
    challenge_id: int
    title: str
    review_deadline: datetime
    left: TimeLeft
    items: list[tuple[MyAssignment, Total]] = field(default_factory=list)


def grouped(assignments: Sequence[MyAssignment], now: datetime) -> list[ChallengeGroup]:
    """By challenge, the nearest review deadline first; in each, the proposals in the
    order they were assigned."""
    groups: dict[int, ChallengeGroup] = {}
    for a in sorted(assignments, key=lambda a: a.id):
        group = groups.get(a.challenge_id)
        if group is None:
            left = time_left(a.review_deadline, now)
            group = ChallengeGroup(a.challenge_id, a.challenge_title, a.review_deadline, left)
            groups[a.challenge_id] = group
        group.items.append((a, running_total(a)))
    return sorted(groups.values(), key=lambda g: (g.review_deadline, g.challenge_id))


@dataclass(frozen=True)
class PilotItem:
    own: OwnPilotEvaluation
    title: str
    challenge_title: str


async def pilot_items(db_session: AsyncSession, user: CurrentUser) -> list[PilotItem]:
    pilots = await pilots_to_evaluate(db_session, user.id)
    titles = await proposal_titles(db_session, [p.proposal_id for p in pilots])
    challenges = await challenge_titles(db_session, [p.challenge_id for p in pilots])
    return [
        PilotItem(p, titles.get(p.proposal_id, ""), challenges.get(p.challenge_id, ""))
        for p in pilots
    ]


# -- the list ----------------------------------------------------------------------------


@get("/evaluator", name="evaluator", guards=[requires_evaluator])
async def evaluator_home(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    mine = await assignments.mine(user)
    now = utcnow()
    by_state: dict[str, list[MyAssignment]] = {"todo": [], "done": [], "conflict": [], "missed": []}
    for assignment in mine:
        by_state[state_of(assignment)].append(assignment)
    pilots = await pilot_items(db_session, user)
    return page(
        request,
        "evaluator/home.html",
        todo=grouped(by_state["todo"], now),
        done=grouped(by_state["done"], now),
        closed=grouped(by_state["conflict"] + by_state["missed"], now),
        todo_count=len(by_state["todo"]),
        done_count=len(by_state["done"]),
        pilots_todo=[p for p in pilots if p.own.score is None],
        pilots_done=[p for p in pilots if p.own.score is not None],
    )


# -- the scoring sheet -------------------------------------------------------------------


def sheet_values(assignment: MyAssignment) -> dict[str, str]:
    """The form as saved: ``scores.<n>.criterion_id|score|comment``, one row per
    criterion in the challenge's order (the API's field names)."""
    saved = {s.criterion_id: s for s in assignment.scores}
    values: dict[str, str] = {}
    for n, criterion in enumerate(assignment.criteria):
        score = saved.get(criterion.id)
        values[f"scores.{n}.criterion_id"] = str(criterion.id)
        values[f"scores.{n}.score"] = str(score.score) if score else ""
        values[f"scores.{n}.comment"] = score.comment if score else ""
    return values


def scores_request(
    assignment: MyAssignment, values: dict[str, str], gettext: Gettext
) -> ScoresRequest:
    """The API's ``ScoresRequest`` from the sheet: the rows with a score (the API takes
    some criteria now and the rest later). A refusal names the sheet's own fields, each
    message led by its criterion's name."""
    saved = {s.criterion_id for s in assignment.scores}
    rows: list[dict[str, str]] = []
    positions: list[int] = []
    errors: dict[str, str] = {}
    for n, criterion in enumerate(assignment.criteria):
        row = {
            "criterion_id": values.get(f"scores.{n}.criterion_id", str(criterion.id)),
            "score": values.get(f"scores.{n}.score", "").strip(),
            "comment": values.get(f"scores.{n}.comment", ""),
        }
        if row["score"] == "":
            if criterion.id in saved:
                errors[f"scores.{n}.score"] = gettext(SAVED_SCORE_CLEARED)
            elif row["comment"].strip():
                errors[f"scores.{n}.score"] = gettext(COMMENT_WITHOUT_SCORE)
            continue
        rows.append(row)
        positions.append(n)
    if not rows and not errors:
        errors["scores.0.score"] = gettext(NOTHING_SCORED)
    try:
        data = ScoresRequest.model_validate({"scores": rows})
    except ValidationError as exc:
        for name, message in errors_from(exc, gettext).items():
            errors.setdefault(_on_the_sheet(name, positions), message)
    if errors:
        raise FormInvalid(_named(errors, assignment))
    return data


def _on_the_sheet(name: str, positions: Sequence[int]) -> str:
    """``scores.<k>.score`` of the k-th row sent is ``scores.<n>.score`` on the sheet."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "scores" and parts[1].isdigit():
        k = int(parts[1])
        if k < len(positions):
            return f"scores.{positions[k]}.{parts[2]}"
    return FORM if name in ("scores", "") else name


def _named(errors: dict[str, str], assignment: MyAssignment) -> dict[str, str]:
    """Each message led by its criterion, so the summary says which one; in the
    sheet's order."""
    named: dict[str, str] = {}
    for name in sorted(errors, key=_sheet_order):
        parts = name.split(".")
        message = errors[name]
        if parts[0] == "scores" and len(parts) == 3 and parts[1].isdigit():
            n = int(parts[1])
            if n < len(assignment.criteria):
                message = f"{assignment.criteria[n].name}: {message}"
        named[name] = message
    return named


def _sheet_order(name: str) -> tuple[int, int, str]:
    parts = name.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        return (1, int(parts[1]), parts[2])
    return (0, 0, name)


@dataclass(frozen=True)
class Neighbours:
    """The assignments before and after this one in the same challenge (the evaluator's
    own, in the order they were assigned), and the next one still to score."""

    position: int
    count: int
    previous: MyAssignment | None
    next: MyAssignment | None
    next_todo: MyAssignment | None


def neighbours(current: MyAssignment, mine: Sequence[MyAssignment]) -> Neighbours:
    same = sorted(
        (a for a in mine if a.challenge_id == current.challenge_id and state_of(a) != "conflict"),
        key=lambda a: a.id,
    )
    ids = [a.id for a in same]
    if current.id not in ids:
        return Neighbours(0, len(same), None, None, _next_todo(same, current))
    at = ids.index(current.id)
    return Neighbours(
        position=at + 1,
        count=len(same),
        previous=same[at - 1] if at > 0 else None,
        next=same[at + 1] if at + 1 < len(same) else None,
        next_todo=_next_todo(same[at + 1 :] + same[:at], current),
    )


def _next_todo(candidates: Sequence[MyAssignment], current: MyAssignment) -> MyAssignment | None:
    return next((a for a in candidates if a.id != current.id and state_of(a) == "todo"), None)


async def _sheet_page(
    request: Request[Any, Any, Any],
    assignment_id: int,
    user: CurrentUser,
    assignments: AssignmentService,
    db_session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    assignment = await assignments.read(assignment_id, user)  # 403/404 as the API
    challenge = await published_challenge(db_session, assignment.challenge_id)
    mine = await assignments.mine(user)
    return page(
        request,
        "evaluator/sheet.html",
        status_code=status_code,
        assignment=assignment,
        phase=ChallengePhase(challenge.phase).value,
        state=state_of(assignment),
        total=running_total(assignment),
        left=time_left(assignment.review_deadline, utcnow()),
        around=neighbours(assignment, mine),
        form=form or Form(sheet_values(assignment)),
    )


@get(
    "/evaluator/assignments/{assignment_id:int}",
    name="evaluator.sheet",
    guards=[requires_evaluator],
)
async def scoring_sheet(
    request: Request[Any, Any, Any],
    assignment_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _sheet_page(request, assignment_id, user, assignments, db_session)


def phase_refusal(exc: PhaseConflict, gettext: Gettext, message: str) -> str:
    """``message`` (with ``%(phase)s``) naming the phase the write met, in the page's words."""
    extra = exc.extra if isinstance(exc.extra, dict) else {}
    phase = str(extra.get("phase", ""))
    names = {p.value: name for p, name in PHASE_NAMES.items()}
    return gettext(message) % {"phase": gettext(names.get(phase, phase))}


@post(
    "/evaluator/assignments/{assignment_id:int}",
    name="evaluator.score",
    guards=[requires_evaluator],
    status_code=303,
)
async def save_scores(
    request: Request[Any, Any, Any],
    assignment_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """The API's ``PUT /api/assignments/{id}/scores``, as a form: the criteria given a
    score are saved, the others wait."""
    _ = gettext_for(request)
    values = await read_form(request)
    assignment = await assignments.read(assignment_id, user)
    try:
        # A sheet that can no longer be scored is not checked: the domain says why not
        # (the phase, or the conflict declared), as the API would.
        scores = scores_request(assignment, values, _).scores if assignment.can_score else []
        saved = await assignments.score(assignment_id, scores, user)
    except FormInvalid as invalid:
        errors, status_code = invalid.errors, 422
    except PhaseConflict as exc:
        message = N_(
            "Scores are given and changed only during the review, and this challenge is "
            "now in the phase \u201c%(phase)s\u201d: your saved scores stand as they are. "
            "If one must change, ask the city."
        )
        errors, status_code = {FORM: phase_refusal(exc, _, message)}, 409
    except Conflict:
        errors = {
            FORM: _(
                "You declared a conflict of interest on this proposal, so your scores "
                "are not taken. It went to another evaluator."
            )
        }
        status_code = 409
    except FieldError as exc:  # the domain's refusal of a field
        errors, status_code = errors_from(exc, _), 422
    else:
        if saved.complete:
            flash(request, "Saved. Every criterion is scored: this proposal is done. "
                  "You can change your scores until the review closes.")  # fmt: skip
        else:
            flash(request, "Saved. The criteria without a score wait for you here.")
        if values.get("then") == "next":
            after = neighbours(saved, await assignments.mine(user)).next_todo
            if after is not None:
                return see_other(f"/evaluator/assignments/{after.id}")
        return see_other(f"/evaluator/assignments/{assignment_id}#total")
    form = Form({k: v for k, v in values.items() if k.startswith("scores.")}, errors)
    return await _sheet_page(
        request, assignment_id, user, assignments, db_session, form=form, status_code=status_code
    )


# -- a conflict of interest --------------------------------------------------------------


async def _conflict_page(
    request: Request[Any, Any, Any],
    assignment_id: int,
    user: CurrentUser,
    assignments: AssignmentService,
    db_session: AsyncSession,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    assignment = await assignments.read(assignment_id, user)
    challenge = await published_challenge(db_session, assignment.challenge_id)
    return page(
        request,
        "evaluator/conflict.html",
        status_code=status_code,
        assignment=assignment,
        phase=ChallengePhase(challenge.phase).value,
        form=form or Form(),
    )


@get(
    "/evaluator/assignments/{assignment_id:int}/conflict",
    name="evaluator.conflict",
    guards=[requires_evaluator],
)
async def conflict_form(
    request: Request[Any, Any, Any],
    assignment_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _conflict_page(request, assignment_id, user, assignments, db_session)


@post(
    "/evaluator/assignments/{assignment_id:int}/conflict",
    name="evaluator.declare_conflict",
    guards=[requires_evaluator],
    status_code=303,
)
async def declare_conflict(
    request: Request[Any, Any, Any],
    assignment_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    assignments: NamedDependency[AssignmentService],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """The API's ``POST /api/assignments/{id}/conflict``, as a form."""
    _ = gettext_for(request)
    values = await read_form(request)
    try:
        reason = values.get("reason", "").strip()  # only spaces: said as empty
        data = validate(ConflictRequest, {"reason": reason}, _, MISSING_REASON)
        await assignments.declare_conflict(assignment_id, data.reason, user)
    except FormInvalid as invalid:
        errors, status_code = invalid.errors, 422
    except PhaseConflict as exc:
        message = N_(
            "A conflict of interest is declared during the review, and this challenge is "
            "now in the phase \u201c%(phase)s\u201d. Tell the city about it instead."
        )
        errors, status_code = {FORM: phase_refusal(exc, _, message)}, 409
    else:
        flash(request, "You declared a conflict of interest. The proposal is no longer "
              "yours to score; it goes to another evaluator.")  # fmt: skip
        return see_other("/evaluator")
    form = Form({"reason": values.get("reason", "")}, errors)
    return await _conflict_page(
        request, assignment_id, user, assignments, db_session, form=form, status_code=status_code
    )


evaluator_handlers = [evaluator_home, scoring_sheet, save_scores, conflict_form, declare_conflict]
