"""A challenge's phases as steps a reader can follow: done, now, next, with dates.

Pure: it reads the challenge as the JSON API gives it (``ChallengePublic``: phase,
recorded transitions, planned deadlines) and decides nothing the workflow decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.challenges import ChallengePublic
from schemas.common import ChallengePhase
from service.web.i18n import N_
from service.web.labels import PHASE_NAMES

STEPS = (
    ChallengePhase.OPEN,
    ChallengePhase.REVIEW,
    ChallengePhase.SELECTION,
    ChallengePhase.PILOTING,
    ChallengePhase.CLOSED,
)

# What happens in each phase, as a resident or a startup would want to hear it.
WHAT_HAPPENS = {
    ChallengePhase.OPEN: N_(
        "Startups send their proposals. Anyone can ask the city a question; residents say "
        "what they think of the problem."
    ),
    ChallengePhase.REVIEW: N_(
        "The city checks that each proposal fits the rules, and independent evaluators "
        "score them against the criteria."
    ),
    ChallengePhase.SELECTION: N_(
        "The city chooses the best-scored proposals for a pilot. Every startup hears the "
        "outcome with its scores."
    ),
    ChallengePhase.PILOTING: N_(
        "The chosen solutions are tried in the test bed. Residents can say what they think "
        "of each pilot."
    ),
    ChallengePhase.CLOSED: N_(
        "The city decides for each pilot to scale it up, extend it or stop it, and publishes "
        "what was tried, what residents said and how it answered."
    ),
    ChallengePhase.CANCELLED: N_("The city stopped this challenge."),
}


@dataclass(frozen=True)
class Step:
    phase: ChallengePhase
    name: str
    """A message id: translate it where it is shown."""
    state: str
    """``done``, ``current`` or ``upcoming``."""
    date: datetime | None
    date_kind: str | None
    """How to read ``date``: ``started`` (done), ``since`` (current), ``from`` or ``by``
    (upcoming: planned, or a deadline at the latest)."""
    description: str
    reason: str | None = None

    @property
    def current(self) -> bool:
        return self.state == "current"


def _cancel_reason(challenge: ChallengePublic) -> str | None:
    recorded = [e.reason for e in challenge.timeline if e.phase == ChallengePhase.CANCELLED]
    return challenge.cancel_reason or next((r for r in recorded if r), None)


def _began(challenge: ChallengePublic) -> dict[str, datetime]:
    began: dict[str, datetime] = {}
    for entry in challenge.timeline:
        if entry.pilot_id is None and entry.phase not in began:
            began[entry.phase] = entry.at
    if ChallengePhase.OPEN not in began and challenge.published_at is not None:
        began[ChallengePhase.OPEN] = challenge.published_at
    return began


def _planned(
    challenge: ChallengePublic, phase: ChallengePhase
) -> tuple[datetime | None, str | None]:
    if phase == ChallengePhase.REVIEW:
        return challenge.proposals_close_at, "from"
    if phase == ChallengePhase.SELECTION:
        return challenge.review_deadline, "by"
    return None, None


def steps(challenge: ChallengePublic) -> list[Step]:
    """The phases in order; the one the challenge is in is ``current``. A cancelled
    challenge shows the phases it went through, then the cancellation as current."""
    began = _began(challenge)
    cancelled = challenge.phase == ChallengePhase.CANCELLED
    if cancelled:
        reached = [p for p in STEPS if p in began]
        current_index = len(reached)
        shown = reached
    else:
        current_index = STEPS.index(challenge.phase) if challenge.phase in STEPS else -1
        shown = list(STEPS)
    result: list[Step] = []
    kind: str | None
    for index, phase in enumerate(shown):
        if index < current_index:
            state, date, kind = "done", began.get(phase), "started"
        elif index == current_index:
            state, date, kind = "current", began.get(phase), "since"
        else:
            state = "upcoming"
            date, kind = _planned(challenge, phase)
        if date is None:
            kind = None
        result.append(Step(phase, PHASE_NAMES[phase], state, date, kind, WHAT_HAPPENS[phase]))
    if cancelled:
        result.append(
            Step(
                ChallengePhase.CANCELLED,
                PHASE_NAMES[ChallengePhase.CANCELLED],
                "current",
                began.get(ChallengePhase.CANCELLED),
                "since" if ChallengePhase.CANCELLED in began else None,
                WHAT_HAPPENS[ChallengePhase.CANCELLED],
                reason=_cancel_reason(challenge),
            )
        )
    return result
