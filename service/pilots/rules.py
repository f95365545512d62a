"""What a pilot shows to whom.

A running pilot is public accountability: its agreement (dates, budget: public money),
its milestones and whether they were met on time, every KPI value against its target,
residents' ratings, and the city's decisions with their reasons are readable by anyone.
What the startup writes in its own words is not: the note of a KPI report, the note
with which it completes a milestone, and its reason for declining an agreement may hold
what a company would not publish (suppliers, costs, incidents, personal data of test
users). Those are read by the city, by the startup running the pilot, and by the
evaluators who judge it; for everyone else they are ``null``.
"""

from __future__ import annotations

from schemas.common import PilotStatus, Role
from service.auth.identity import CurrentUser
from service.pilots.models import Pilot

FINAL = frozenset({PilotStatus.SCALE_UP, PilotStatus.STOPPED})
"""The statuses a pilot ends in: its final decision is taken."""


def kpi_met(direction: str, value: float, target: float) -> bool:
    return value <= target if direction == "at_most" else value >= target


def reads_startup_notes(
    pilot: Pilot, viewer: CurrentUser | None, pilot_evaluator_ids: set[int]
) -> bool:
    if viewer is None:
        return False
    if viewer.role == Role.CITY:
        return True
    if viewer.role == Role.STARTUP:
        return viewer.id == pilot.startup_id
    if viewer.role == Role.EVALUATOR:
        return viewer.id in pilot_evaluator_ids
    return False
