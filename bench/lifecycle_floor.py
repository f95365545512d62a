"""The floor of figure 6 (bench/lifecycle.py): a bare challenge lifecycle on Temporal.

``BareChallenge`` and its two ``BarePilot`` children wait, sleep, take signals and
updates and call activities at the same points and as often as ``ChallengeWorkflow``
and ``PilotWorkflow`` do in the figure's run, but every activity is a no-op that writes
a Python dict in the worker's process instead of the database, and no API stands in
between: the driver calls Temporal directly where a person calls the API.

Declared in a module of its own: Temporal's sandbox refuses workflows declared in
``__main__``, and this module imports nothing heavy, as a workflow module should.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio import activity, workflow

REVIEW_RECHECK = timedelta(days=1)
SELECTION_REMINDER = timedelta(days=7)
MILESTONE_REMINDER = timedelta(days=7)

PHASES: dict[str, str] = {}
"""What the no-op activities "record": workflow key -> phase or status, read by the
driver as it reads the database for the real lifecycle."""

MILESTONES_DONE: set[str] = set()
"""The pilots whose milestone the driver completed (the real one's database row)."""


@dataclass
class Step:
    key: str
    phase: str = ""


@dataclass
class Check:
    key: str
    now: datetime
    due_at: datetime


@dataclass
class BareChallengeInput:
    key: str
    proposals_close_at: datetime
    review_deadline: datetime
    open_by_local_activity: bool = False
    """As ChallengeWorkflow records ``open`` (a local activity, or an activity task)."""


@dataclass
class Agreement:
    starts_at: datetime
    ends_at: datetime
    due_at: datetime


@dataclass
class BarePilotInput:
    key: str


@dataclass
class Shortlisted:
    pilot_keys: list[str] = field(default_factory=list)


@activity.defn(name="BenchRecord")
async def record(step: Step) -> int:
    """Stands in for every activity that writes (a transition, notifications, ...)."""
    if step.phase:
        PHASES[step.key] = step.phase
    return 0


@activity.defn(name="BenchCheckMilestones")
async def check_milestones(check: Check) -> datetime | None:
    """``PilotActivities.check_milestones``'s arithmetic on one milestone, no database."""
    if check.key in MILESTONES_DONE:
        return None
    if check.due_at > check.now:
        return check.due_at
    overdue = (check.now - check.due_at) // MILESTONE_REMINDER
    return check.due_at + MILESTONE_REMINDER * (overdue + 1)


def _do(key: str, phase: str = "") -> Awaitable[int]:
    return workflow.execute_activity(
        record, Step(key, phase), start_to_close_timeout=timedelta(seconds=30)
    )


async def _until(condition: Callable[[], bool], moment: datetime | None) -> bool:
    """Wait for ``condition`` or ``moment`` (a timer), as workflows/waiting.py does: True
    if the condition came first."""
    timeout = None if moment is None else (moment - workflow.now()).total_seconds()
    if timeout is None or timeout > 0:
        try:
            await workflow.wait_condition(condition, timeout=timeout)
        except TimeoutError:
            pass
    return condition()


@workflow.defn(name="BenchBarePilot")
class BarePilot:
    def __init__(self) -> None:
        self._agreement: Agreement | None = None
        self._recorded = False
        self._decision: str | None = None
        self._decided = False

    @workflow.run
    async def run(self, input: BarePilotInput) -> str:
        key = input.key
        await workflow.wait_condition(lambda: self._agreement is not None)
        agreement = self._agreement
        assert agreement is not None
        await _do(key)  # record_acceptance
        self._recorded = True
        await _do(key)  # load_agreement
        await _until(lambda: False, agreement.starts_at)
        await _do(key, "running")  # record_transition
        while workflow.now() < agreement.ends_at:
            next_check = await workflow.execute_activity(
                check_milestones,
                Check(key, workflow.now(), agreement.due_at),
                start_to_close_timeout=timedelta(seconds=30),
            )
            wake = agreement.ends_at if next_check is None else min(agreement.ends_at, next_check)
            wake = max(wake, workflow.now() + timedelta(seconds=1))
            await _until(lambda: False, min(wake, agreement.ends_at))
        await _do(key, "evaluation")  # record_transition
        await _do(key)  # open_evaluation
        await workflow.wait_condition(lambda: self._decision is not None)
        await _do(key, str(self._decision))  # apply_pilot_decision
        self._decided = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return str(self._decision)

    @workflow.update(name="accept")
    async def accept(self, agreement: Agreement) -> str:
        self._agreement = agreement
        workflow.patched("bench-as-pilot-workflow")  # PilotWorkflow.accept's patch marker
        await workflow.wait_condition(lambda: self._recorded)
        return "agreement"

    @workflow.update(name="decide")
    async def decide(self, decision: str) -> str:
        self._decision = decision
        await workflow.wait_condition(lambda: self._decided)
        return decision


@workflow.defn(name="BenchBareChallenge")
class BareChallenge:
    def __init__(self) -> None:
        self._phase = "draft"
        self._recorded = "draft"
        self._dirty = True
        self._all_scored = False
        self._shortlist: list[str] | None = None
        self._shortlisted: Shortlisted | None = None

    @workflow.run
    async def run(self, input: BareChallengeInput) -> str:
        key = input.key
        if input.open_by_local_activity and workflow.patched("bench-as-challenge-workflow"):
            self._phase = "open"
            await workflow.execute_local_activity(
                record, Step(key, "open"), start_to_close_timeout=timedelta(seconds=30)
            )
            self._recorded = "open"
        else:
            await self._enter(key, "open")
        await _until(lambda: False, input.proposals_close_at)
        await self._enter(key, "review")
        while True:
            if self._dirty:
                self._dirty = False
                await _do(key)  # review_progress
                if self._all_scored:
                    break
            wake = min(input.review_deadline, workflow.now() + REVIEW_RECHECK)
            if not await _until(lambda: self._dirty, wake):
                self._dirty = True  # woke on the clock: re-check anyway
        await _do(key)  # expire_info_requests
        await self._enter(key, "selection")
        waiting_since = workflow.now()
        reminders = 0
        while True:
            next_reminder = waiting_since + SELECTION_REMINDER * (reminders + 1)
            if await _until(lambda: self._shortlist is not None, next_reminder):
                break
            reminders += 1
            await _do(key)  # remind_city_to_select
        assert self._shortlist is not None
        await _do(key)  # apply_shortlist
        children = []
        for pilot_key in self._shortlist:
            handle = await workflow.start_child_workflow(
                BarePilot.run,
                BarePilotInput(pilot_key),
                id=pilot_key,
                parent_close_policy=workflow.ParentClosePolicy.REQUEST_CANCEL,
            )
            children.append(handle)
        await self._enter(key, "piloting")
        self._shortlisted = Shortlisted(list(self._shortlist))
        await _do(key)  # announce_selection
        await asyncio.gather(*children)
        await self._enter(key, "closed")
        await _do(key)  # announce_outcome
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._phase

    async def _enter(self, key: str, phase: str) -> None:
        self._phase = phase
        await _do(key, phase)  # record_transition
        self._recorded = phase

    @workflow.signal(name="review_changed")
    def review_changed(self, all_scored: bool) -> None:
        self._dirty = True
        self._all_scored = self._all_scored or all_scored

    @workflow.update(name="await_phase_change")
    async def await_phase_change(self, not_phase: str) -> str:
        await workflow.wait_condition(lambda: self._recorded != not_phase)
        return self._recorded

    @workflow.update(name="approve_shortlist")
    async def approve_shortlist(self, pilot_keys: list[str]) -> Shortlisted:
        self._shortlist = pilot_keys
        await workflow.wait_condition(lambda: self._shortlisted is not None)
        assert self._shortlisted is not None
        return self._shortlisted
