"""The challenge workflow: one per published challenge, from ``open`` to its end.

It decides when each phase begins and ends, waits for people, sends reminders, and
records every transition through an activity; the records themselves (proposals,
scores, input) never pass through it.

    open --proposals_close_at--> review --all scored | review_deadline--> selection
    --shortlist approved--> piloting ...           (cancel: from any phase)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.common import TERMINAL_CHALLENGE_PHASES, ActorKind, ChallengePhase
    from schemas.workflows import (
        ApplyShortlistInput,
        AwaitPhaseInput,
        CancelChallengeInput,
        ChallengeRef,
        ChallengeWorkflowInput,
        ChallengeWorkflowResult,
        CityReminderInput,
        EvaluatorReminderInput,
        ExpireInfoRequestsInput,
        PhaseResult,
        RecordTransitionInput,
        ResumeState,
        ReviewChangedInput,
        ShortlistInput,
        ShortlistResult,
    )
    from workflows.activities.phases import PhaseActivities
    from workflows.activities.review import ReviewActivities
    from workflows.options import DB_ACTIVITY

# Even without a signal, the review is re-checked this often (a lost signal costs a day).
REVIEW_RECHECK = timedelta(days=1)


def challenge_workflow_id(challenge_id: int) -> str:
    return f"challenge-{challenge_id}"


class _Cancelled(Exception):
    """Unwinds the run to its cancellation branch; never leaves the workflow."""


@workflow.defn
class ChallengeWorkflow:
    def __init__(self) -> None:
        self._challenge_id = 0
        self._phase = ChallengePhase.DRAFT
        self._cancel: CancelChallengeInput | None = None
        self._review_dirty = True
        self._info_deadline: datetime | None = None
        self._reminders_sent: list[int] = []
        self._city_reminders_sent = 0
        self._shortlist: ShortlistInput | None = None
        self._shortlist_result: ShortlistResult | None = None

    @workflow.run
    async def run(self, input: ChallengeWorkflowInput) -> ChallengeWorkflowResult:
        self._challenge_id = input.challenge_id
        resume = input.resume
        if resume is not None:
            self._phase = ChallengePhase(resume.phase)
            self._reminders_sent = list(resume.reminders_sent)
            self._city_reminders_sent = resume.city_reminders_sent
            self._info_deadline = resume.info_deadline
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
            await self._wait(lambda: False)
        except _Cancelled:
            assert self._cancel is not None
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
            if days not in self._reminders_sent
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
            if self._info_deadline is not None and now >= self._info_deadline:
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
                    self._reminders_sent.append(days)
                    del reminders[days]
            if self._history_is_long(input):
                await self._continue_as_new(input)
            wake = min(
                [deadline, now + REVIEW_RECHECK, *reminders.values()]
                + ([self._info_deadline] if self._info_deadline else [])
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
        self._info_deadline = result.next_deadline
        if result.expired:
            self._review_dirty = True

    @workflow.signal
    def review_changed(self, change: ReviewChangedInput) -> None:
        self._review_dirty = True
        if change.info_deadline is not None and (
            self._info_deadline is None or change.info_deadline < self._info_deadline
        ):
            self._info_deadline = change.info_deadline

    # -- selection ---------------------------------------------------------------------

    async def _selection(self, input: ChallengeWorkflowInput) -> None:
        """Wait for the city's shortlist, reminding it every few days; then record
        ``piloting``, with a pilot per selected proposal, and tell every startup."""
        waiting_since = workflow.now()
        every = timedelta(days=input.selection_reminder_days)
        while self._shortlist is None:
            next_reminder = waiting_since + every * (self._city_reminders_sent + 1)
            if await self._wait(lambda: self._shortlist is not None, until=next_reminder):
                break
            self._city_reminders_sent += 1
            await workflow.execute_activity_method(
                ReviewActivities.remind_city_to_select,
                CityReminderInput(
                    challenge_id=self._challenge_id,
                    number=self._city_reminders_sent,
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
        count = len(shortlist.proposal_ids)
        reason = shortlist.reason or f"the city approved a shortlist of {count}"
        await self._enter(ChallengePhase.PILOTING, ActorKind.USER, shortlist.actor_id, reason)
        self._shortlist_result = result
        await workflow.execute_activity_method(
            ReviewActivities.announce_selection,
            ChallengeRef(challenge_id=self._challenge_id),
            **DB_ACTIVITY,
        )

    @workflow.update
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

    # -- any phase ---------------------------------------------------------------------

    @workflow.update
    async def cancel(self, request: CancelChallengeInput) -> PhaseResult:
        self._cancel = request
        await workflow.wait_condition(lambda: self._phase == ChallengePhase.CANCELLED)
        return PhaseResult(phase=self._phase)

    @cancel.validator
    def _validate_cancel(self, request: CancelChallengeInput) -> None:
        if self._phase in TERMINAL_CHALLENGE_PHASES or self._cancel is not None:
            raise ApplicationError(
                f"the challenge is already {self._phase.value}", type="PhaseConflict"
            )

    @workflow.update
    async def await_phase_change(self, request: AwaitPhaseInput) -> PhaseResult:
        """Returns once the recorded phase differs from ``request.not_phase``."""
        await workflow.wait_condition(lambda: self._phase != request.not_phase)
        return PhaseResult(phase=self._phase)

    @workflow.query
    def phase(self) -> PhaseResult:
        return PhaseResult(phase=self._phase)

    # -- helpers -----------------------------------------------------------------------

    async def _enter(
        self, phase: ChallengePhase, actor_kind: ActorKind, actor_id: int | None, reason: str
    ) -> None:
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
        self._phase = phase

    async def _wait(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for ``condition`` (or ``until``); True if the condition came first.

        Raises ``_Cancelled`` as soon as the city cancels, whatever is awaited.
        """
        timeout = None if until is None else (until - workflow.now()).total_seconds()
        if timeout is None or timeout > 0:
            try:
                await workflow.wait_condition(
                    lambda: self._cancel is not None or condition(), timeout=timeout
                )
            except TimeoutError:
                pass
        if self._cancel is not None:
            raise _Cancelled
        return bool(condition())

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
        workflow.continue_as_new(
            input.model_copy(
                update={
                    "resume": ResumeState(
                        phase=self._phase,
                        reminders_sent=self._reminders_sent,
                        city_reminders_sent=self._city_reminders_sent,
                        info_deadline=self._info_deadline,
                    )
                }
            )
        )
