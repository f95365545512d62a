"""Rules about a challenge that every domain checks: its phase, and who speaks for it."""

from __future__ import annotations

from schemas.common import ChallengePhase
from service.challenges.models import Challenge
from service.errors import PhaseConflict


def require_phase(challenge: Challenge, allowed: set[ChallengePhase], why: str) -> None:
    """409 naming the phase unless the challenge is in one of ``allowed``."""
    if challenge.phase not in allowed:
        raise PhaseConflict("the challenge", challenge.phase, why)


def city_contacts(challenge: Challenge) -> set[int]:
    """Who at the city hears about a challenge: its author and whoever published it."""
    return {i for i in (challenge.created_by_id, challenge.published_by_id) if i is not None}
