"""Rules about a challenge that every domain checks: its phase, who may read it, and who
speaks for it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from schemas.common import ChallengePhase, Role
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.errors import PhaseConflict


def require_phase(challenge: Challenge, allowed: set[ChallengePhase], why: str) -> None:
    """409 naming the phase unless the challenge is in one of ``allowed``."""
    if challenge.phase not in allowed:
        raise PhaseConflict("the challenge", challenge.phase, why)


def is_public(challenge: Challenge) -> bool:
    """Anyone may read a challenge once it has been published. A draft is the city's
    alone, and so is a draft cancelled before it was ever published: cancelling a draft
    must not publish it."""
    return challenge.phase != ChallengePhase.DRAFT and challenge.published_at is not None


def public_condition() -> ColumnElement[bool]:
    """``is_public`` as a SQL condition, for lists."""
    return and_(
        col(Challenge.phase) != ChallengePhase.DRAFT, col(Challenge.published_at).is_not(None)
    )


def sees_unpublished(viewer: CurrentUser | None) -> bool:
    """The city reads its drafts (and drafts it cancelled); nobody else does."""
    return viewer is not None and viewer.role == Role.CITY


def may_read(challenge: Challenge, viewer: CurrentUser | None) -> bool:
    return is_public(challenge) or sees_unpublished(viewer)


def city_contacts(challenge: Challenge) -> set[int]:
    """Who at the city hears about a challenge: its author and whoever published it."""
    return {i for i in (challenge.created_by_id, challenge.published_by_id) if i is not None}
