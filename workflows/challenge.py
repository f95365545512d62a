"""The challenge workflow: one per published challenge, from ``open`` to its end.

It decides when each phase begins and ends, waits for people, sends reminders, and
records every transition through an activity; the records themselves (proposals,
scores, input) never pass through it.

    open --proposals_close_at--> review --all scored | review_deadline--> selection
    --shortlist approved--> piloting ...           (cancel: from any phase)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.common import TERMINAL_CHALLENGE_PHASES, ActorKind, ChallengePhase
    from schemas.workflow_names import (
        ADD_PILOT,
        APPROVE_SHORTLIST,
        AWAIT_PHASE_CHANGE,
        CANCEL_CHALLENGE,
        CHALLENGE_PHASE,
        CHALLENGE_WORKFLOW,
        REVIEW_CHANGED,
        pilot_workflow_id,
    )
    from schemas.workflows import (
        AddPilotInput,
        ApplyShortlistInput,
        AwaitPhaseInput,
        CancelChallengeInput,
        ChallengeRef,
        ChallengeState,
        ChallengeWorkflowInput,
        ChallengeWorkflowResult,
        CityReminderInput,
        CreatePilotInput,
        EvaluatorReminderInput,
        ExpireInfoRequestsInput,
        PhaseResult,
        PilotRef,
        PilotWorkflowInput,
        PilotWorkflowResult,
        RecordTransitionInput,
        ReviewChangedInput,
        ShortlistInput,
        ShortlistResult,
        StopPilotInput,
    )
    from workflows.activities.phases import PhaseActivities
    from workflows.activities.pilots import PilotActivities
    from workflows.activities.review import ReviewActivities
    from workflows.options import DB_ACTIVITY
    from workflows.pilot import PilotWorkflow
    from workflows.waiting import Interrupted, wait_for

# Even without a signal, the review is re-checked this often (a lost signal costs a day).
REVIEW_RECHECK = timedelta(days=1)


@workflow.defn(name=CHALLENGE_WORKFLOW)
class ChallengeWorkflow:
    def __init__(self) -> None:
        self._challenge_id = 0
        # What continuing as new carries; the rest is rebuilt or belongs to one run.
        self._state = ChallengeState(phase=ChallengePhase.DRAFT)
        self._recorded_phase = ChallengePhase.DRAFT
        self._cancel: CancelChallengeInput | None = None
        self._review_dirty = True
        self._shortlist: ShortlistInput | None = None
        self._shortlist_result: ShortlistResult | None = None
        self._pilots: dict[int, PilotRef] = {}
        self._pilot_results: dict[int, PilotWorkflowResult] = {}
        self._pilots_being_added = 0
        self._pilot_tasks: list[asyncio.Task[None]] = []

    @property
    def _phase(self) -> ChallengePhase:
        return self._state.phase

    @workflow.run
    async def run(self, input: ChallengeWorkflowInput) -> ChallengeWorkflowResult:
        self._challenge_id = input.challenge_id
        if input.resume is not None:
            self._state = input.resume.model_copy(deep=True)
            self._recorded_phase = self._state.phase
        try:
            if self._phase == ChallengePhase.DRAFT:
                await self._enter(
                    ChallengePhase.OPEN, ActorKind.USER, input.published_by, "published"
                )
            if self._phase == ChallengePhase.OPEN:
                await self._sleep_until(input.proposals_close_at)
                await self._enter(
                    ChallengePhase.REVIEW, ActorKind.TIMER, None, "the call for proposals closed"
                )
            if self._phase == ChallengePhase.REVIEW:
                await self._review(input)
            if self._phase == ChallengePhase.SELECTION:
                await self._selection(input)
            if self._phase == ChallengePhase.PILOTING:
                await self._piloting()
        except Interrupted:  # the city cancelled
            assert self._cancel is not None
            await self._stop_pilots(self._cancel)
            await self._enter(
                ChallengePhase.CANCELLED, ActorKind.USER, self._cancel.actor_id, self._cancel.reason
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ChallengeWorkflowResult(challenge_id=input.challenge_id, final_phase=self._phase)

    # -- review ------------------------------------------------------------------------

    async def _review(self, input: ChallengeWorkflowInput) -> None:
        """Until every assignment is scored, or the review deadline with what is there.

        Meanwhile: expire unanswered requests for information at their deadlines, and
        remind evaluators with open work the configured days before the deadline.
        """
        deadline = input.review_deadline
        reminders = {
            days: deadline - timedelta(days=days)
            for days in input.review_reminder_days
            if days not in self._state.reminders_sent
        }
        while True:
            if self._review_dirty:
                self._review_dirty = False
                progress = await workflow.execute_activity_method(
                    ReviewActivities.review_progress,
                    ChallengeRef(challenge_id=self._challenge_id),
                    **DB_ACTIVITY,
                )
                if progress.all_scored:
                    await self._close_review()
                    reason = (
                        f"every assignment was scored ({progress.complete_assignments} of "
                        f"{progress.assignments})"
                    )
                    await self._enter(ChallengePhase.SELECTION, ActorKind.SYSTEM, None, reason)
                    return
            now = workflow.now()
            if now >= deadline:
                progress = await workflow.execute_activity_method(
                    ReviewActivities.review_progress,
                    ChallengeRef(challenge_id=self._challenge_id),
                    **DB_ACTIVITY,
                )
                await self._close_review()
                reason = (
                    f"the review deadline passed with {progress.complete_assignments} of "
                    f"{progress.assignments} assignments scored"
                )
                await self._enter(ChallengePhase.SELECTION, ActorKind.TIMER, None, reason)
                return
            if self._state.info_deadline is not None and now >= self._state.info_deadline:
                await self._expire_info_requests(now, expire_all=False)
            for days, at in sorted(reminders.items()):
                if now >= at:
                    await workflow.execute_activity_method(
                        ReviewActivities.remind_evaluators,
                        EvaluatorReminderInput(
                            challenge_id=self._challenge_id,
                            days_before=days,
                            review_deadline=deadline,
                        ),
                        **DB_ACTIVITY,
                    )
                    self._state.reminders_sent.append(days)
                    del reminders[days]
            if self._history_is_long(input):
                await self._continue_as_new(input)
            wake = min(
                [deadline, now + REVIEW_RECHECK, *reminders.values()]
                + ([self._state.info_deadline] if self._state.info_deadline else [])
            )
            if not await self._wait(lambda: self._review_dirty, until=wake):
                self._review_dirty = True  # woke on the clock: re-check anyway

    async def _close_review(self) -> None:
        """Requests still unanswered when the review ends screen their proposals out."""
        await self._expire_info_requests(workflow.now(), expire_all=True)

    async def _expire_info_requests(self, now: datetime, *, expire_all: bool) -> None:
        result = await workflow.execute_activity_method(
            ReviewActivities.expire_info_requests,
            ExpireInfoRequestsInput(
                challenge_id=self._challenge_id, now=now, expire_all=expire_all
            ),
            **DB_ACTIVITY,
        )
        self._state.info_deadline = result.next_deadline
        if result.expired:
            self._review_dirty = True

    @workflow.signal(name=REVIEW_CHANGED)
    def review_changed(self, change: ReviewChangedInput) -> None:
        self._review_dirty = True
        if change.info_deadline is not None and (
            self._state.info_deadline is None or change.info_deadline < self._state.info_deadline
        ):
            self._state.info_deadline = change.info_deadline

    # -- selection ---------------------------------------------------------------------

    async def _selection(self, input: ChallengeWorkflowInput) -> None:
        """Wait for the city's shortlist, reminding it every few days; then record
        ``piloting``, with a pilot per selected proposal, and tell every startup."""
        waiting_since = workflow.now()
        every = timedelta(days=input.selection_reminder_days)
        while self._shortlist is None:
            next_reminder = waiting_since + every * (self._state.city_reminders_sent + 1)
            if await self._wait(lambda: self._shortlist is not None, until=next_reminder):
                break
            self._state.city_reminders_sent += 1
            await workflow.execute_activity_method(
                ReviewActivities.remind_city_to_select,
                CityReminderInput(
                    challenge_id=self._challenge_id,
                    number=self._state.city_reminders_sent,
                    waiting_since=waiting_since,
                ),
                **DB_ACTIVITY,
            )
            if self._history_is_long(input):
                await self._continue_as_new(input)
        shortlist = self._shortlist
        assert shortlist is not None
        result = await workflow.execute_activity_method(
            ReviewActivities.apply_shortlist,
            ApplyShortlistInput(
                challenge_id=self._challenge_id,
                actor_id=shortlist.actor_id,
                proposal_ids=shortlist.proposal_ids,
                at=workflow.now(),
            ),
            **DB_ACTIVITY,
        )
        for pilot in result.pilots:
            await self._start_pilot(pilot)
        count = len(shortlist.proposal_ids)
        reason = shortlist.reason or f"the city approved a shortlist of {count}"
        await self._enter(ChallengePhase.PILOTING, ActorKind.USER, shortlist.actor_id, reason)
        self._shortlist_result = result
        await workflow.execute_activity_method(
            ReviewActivities.announce_selection,
            ChallengeRef(challenge_id=self._challenge_id),
            **DB_ACTIVITY,
        )

    @workflow.update(name=APPROVE_SHORTLIST)
    async def approve_shortlist(self, shortlist: ShortlistInput) -> ShortlistResult:
        self._shortlist = shortlist
        await workflow.wait_condition(
            lambda: self._shortlist_result is not None or self._phase in TERMINAL_CHALLENGE_PHASES
        )
        if self._shortlist_result is None:
            raise ApplicationError(f"the challenge was {self._phase.value}", type="PhaseConflict")
        return self._shortlist_result

    @approve_shortlist.validator
    def _validate_shortlist(self, shortlist: ShortlistInput) -> None:
        if self._phase != ChallengePhase.SELECTION or self._shortlist is not None:
            raise ApplicationError(
                f"the challenge is in phase '{self._phase.value}': a shortlist is approved "
                "once, during the selection",
                type="PhaseConflict",
            )

    # -- piloting ----------------------------------------------------------------------

    async def _piloting(self) -> None:
        """A child workflow per pilot, in parallel; closed once every one has its final
        decision, and the outcome report is announced."""
        await self._wait(
            lambda: self._pilots_being_added == 0 and len(self._pilot_results) == len(self._pilots)
        )
        decided = len(self._pilot_results)
        reason = f"every pilot has its final decision ({decided})" if decided else "no pilots"
        await self._enter(ChallengePhase.CLOSED, ActorKind.SYSTEM, None, reason)
        await workflow.execute_activity_method(
            PilotActivities.announce_outcome,
            ChallengeRef(challenge_id=self._challenge_id),
            **DB_ACTIVITY,
        )

    async def _start_pilot(self, pilot: PilotRef) -> None:
        """Start the pilot's child workflow (returns once it exists, so the startup can
        answer its agreement at once) and collect its result when it ends."""
        if pilot.id in self._pilots:
            return
        self._pilots[pilot.id] = pilot
        handle = await workflow.start_child_workflow(
            PilotWorkflow.run,
            PilotWorkflowInput(pilot_id=pilot.id, challenge_id=self._challenge_id),
            id=pilot_workflow_id(pilot.id),
            # Should this workflow ever be terminated, its pilots are asked to stop.
            parent_close_policy=workflow.ParentClosePolicy.REQUEST_CANCEL,
        )

        async def collect() -> None:
            self._pilot_results[pilot.id] = await handle

        # Tasks run on the workflow's own deterministic event loop.
        self._pilot_tasks.append(asyncio.create_task(collect(), name=f"pilot-{pilot.id}"))

    async def _stop_pilots(self, cancel: CancelChallengeInput) -> None:
        """The challenge is cancelled: every running pilot stops, and says so."""
        running = [p for p in self._pilots if p not in self._pilot_results]
        for pilot_id in running:
            handle = workflow.get_external_workflow_handle_for(
                PilotWorkflow.run, pilot_workflow_id(pilot_id)
            )
            await handle.signal(
                PilotWorkflow.stop,
                StopPilotInput(actor_id=cancel.actor_id, reason=f"the challenge was cancelled: "
                               f"{cancel.reason}"),
            )  # fmt: skip
        await workflow.wait_condition(lambda: len(self._pilot_results) == len(self._pilots))

    @workflow.update(name=ADD_PILOT)
    async def add_pilot(self, request: AddPilotInput) -> PilotRef:
        """A freed slot (a startup declined) goes to another selected proposal."""
        self._pilots_being_added += 1
        try:
            pilot = await workflow.execute_activity_method(
                PilotActivities.create_pilot,
                CreatePilotInput(
                    challenge_id=self._challenge_id,
                    proposal_id=request.proposal_id,
                    actor_id=request.actor_id,
                    at=workflow.now(),
                ),
                **DB_ACTIVITY,
            )
            await self._start_pilot(pilot)
        finally:
            self._pilots_being_added -= 1
        return pilot

    @add_pilot.validator
    def _validate_add_pilot(self, request: AddPilotInput) -> None:
        if self._phase != ChallengePhase.PILOTING or self._cancel is not None:
            raise ApplicationError(
                f"the challenge is in phase '{self._phase.value}': pilots are added while piloting",
                type="PhaseConflict",
            )

    # -- any phase ---------------------------------------------------------------------

    @workflow.update(name=CANCEL_CHALLENGE)
    async def cancel(self, request: CancelChallengeInput) -> PhaseResult:
        self._cancel = request
        await workflow.wait_condition(lambda: self._recorded_phase == ChallengePhase.CANCELLED)
        return PhaseResult(phase=self._recorded_phase)

    @cancel.validator
    def _validate_cancel(self, request: CancelChallengeInput) -> None:
        if self._phase in TERMINAL_CHALLENGE_PHASES or self._cancel is not None:
            raise ApplicationError(
                f"the challenge is already {self._phase.value}", type="PhaseConflict"
            )

    @workflow.update(name=AWAIT_PHASE_CHANGE)
    async def await_phase_change(self, request: AwaitPhaseInput) -> PhaseResult:
        """Returns once the recorded phase differs from ``request.not_phase``."""
        await workflow.wait_condition(lambda: self._recorded_phase != request.not_phase)
        return PhaseResult(phase=self._recorded_phase)

    @workflow.query(name=CHALLENGE_PHASE)
    def phase(self) -> PhaseResult:
        return PhaseResult(phase=self._phase)

    # -- helpers -----------------------------------------------------------------------

    async def _enter(
        self, phase: ChallengePhase, actor_kind: ActorKind, actor_id: int | None, reason: str
    ) -> None:
        # The phase is ours from now on, before the activity records it: the API checks
        # the recorded phase before it hands us a decision, and an update validated in
        # the same workflow task as the activity's completion (a worker died in between,
        # say) runs before this method resumes. Never behind the database, then.
        self._state.phase = phase
        await workflow.execute_activity_method(
            PhaseActivities.record_transition,
            RecordTransitionInput(
                challenge_id=self._challenge_id,
                to_phase=phase,
                at=workflow.now(),
                actor_kind=actor_kind,
                actor_id=actor_id,
                reason=reason,
                key=f"challenge-{self._challenge_id}-{phase.value}",
            ),
            **DB_ACTIVITY,
        )
        self._recorded_phase = phase

    async def _wait(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
        return await wait_for(condition, interrupt=lambda: self._cancel is not None, until=until)

    async def _sleep_until(self, moment: datetime) -> None:
        await self._wait(lambda: False, until=moment)

    @staticmethod
    def _history_is_long(input: ChallengeWorkflowInput) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > input.history_limit
        )

    async def _continue_as_new(self, input: ChallengeWorkflowInput) -> None:
        """Start afresh with a short history, carrying only where we are."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(input.model_copy(update={"resume": self._state}))
