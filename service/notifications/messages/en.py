"""The English wording of every notification and mail text: one method per message key.

Another language is a subclass that overrides each method (``class Dutch(English)``)
and is registered in ``LOCALES`` in ``service/notifications/messages/__init__.py``; a
method it leaves out says it in English. Each method gets its message's facts, typed
(titles, counts, times), and returns the words only: who is told, the message's key and
its link are the catalogue's business, not the wording's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import ClassVar

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from schemas.common import ChallengePhase, PilotDecisionKind, PilotStatus
from schemas.review import ProposalEvaluation


@dataclass(frozen=True)
class Text:
    title: str
    body: str


@dataclass(frozen=True)
class OverdueInput:
    id: int | None
    respond_by: datetime
    body: str


@dataclass(frozen=True)
class OverdueChallenge:
    id: int | None
    title: str
    response_target_working_days: int
    inputs: Sequence[OverdueInput]


EXCERPT = 300
LISTED_PER_CHALLENGE = 10
"""Overdue inputs listed per challenge in the city's daily digest; the rest are counted."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """People's own words, quoted in a notification: at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


class English:
    locale = "en"
    format_locale = "en_GB"
    """Dates as read in European cities: "31 January 2027, 14:30"."""

    def __init__(self, zone: tzinfo = UTC) -> None:
        self.zone = zone

    def moment(self, value: datetime | None) -> str:
        """A day and time in the city's time zone, to the minute."""
        if value is None:
            return ""
        local = value.astimezone(self.zone)
        day = format_date(local, "long", locale=self.format_locale)
        return f"{day}, {format_time(local, 'short', locale=self.format_locale)}"

    def day(self, value: datetime) -> str:
        return format_date(value.astimezone(self.zone), "long", locale=self.format_locale)

    def euros(self, value: Decimal) -> str:
        return "\u20ac " + format_decimal(value, locale=self.format_locale)

    def milestones(self, count: int) -> str:
        return f"{count} milestone{_s(count)}"

    # -- screening and requests for information ----------------------------------------

    def proposal_screened(
        self, *, proposal: str, challenge: str, eligible: bool, reason: str | None
    ) -> Text:
        verdict = "eligible" if eligible else "not eligible"
        return Text(
            title=f"Your proposal \u201c{proposal}\u201d was screened: {verdict}",
            body=(reason or f"The city found your proposal {verdict}.")
            + f"\n\nChallenge: {challenge}",
        )

    def no_reply_reason(self, *, reply_deadline: datetime, question: str) -> str:
        """The screening reason recorded on a proposal whose startup did not answer."""
        return (
            f"No reply to the city's request for information by "
            f"{self.moment(reply_deadline)}: \u201c{question}\u201d"
        )

    def screened_out_no_reply(self, *, proposal: str, reason: str) -> Text:
        return Text(title=f"Your proposal \u201c{proposal}\u201d was screened out", body=reason)

    def info_requested(self, *, proposal: str, question: str, reply_deadline: datetime) -> Text:
        return Text(
            title=f"The city asks about \u201c{proposal}\u201d",
            body=f"{question}\n\nPlease answer before {self.moment(reply_deadline)}; "
            "a proposal left unanswered then is screened out.",
        )

    def info_answered(self, *, proposal: str, question: str, answer: str) -> Text:
        return Text(
            title=f"\u201c{proposal}\u201d answered your question",
            body=f"Question: {question}\n\nAnswer: {answer}",
        )

    # -- the review --------------------------------------------------------------------

    def assignment(self, *, proposal: str, challenge: str, review_deadline: datetime) -> Text:
        return Text(
            title=f"Please review \u201c{proposal}\u201d",
            body=f"You were asked to score a proposal for \u201c{challenge}\u201d "
            f"before {self.moment(review_deadline)}. If you have a conflict "
            "of interest, declare it on the assignment.",
        )

    def assignment_unfilled(self, *, proposal: str) -> Text:
        return Text(
            title=f"No free evaluator for \u201c{proposal}\u201d",
            body="An evaluator declared a conflict of interest and everyone else in "
            "the pool is already on this proposal. Add an evaluator to the pool.",
        )

    def review_reminder(
        self, *, challenge: str, days_before: int, to_score: int, review_deadline: datetime
    ) -> Text:
        return Text(
            title=f"{days_before} day{_s(days_before)} left to score \u201c{challenge}\u201d",
            body=f"You have {to_score} proposal{_s(to_score)} still to score. "
            f"The review closes at {self.moment(review_deadline)}.",
        )

    def selection_reminder(self, *, challenge: str, waiting_since: datetime) -> Text:
        return Text(
            title=f"\u201c{challenge}\u201d is waiting for its shortlist",
            body="The review ended at "
            f"{self.moment(waiting_since)}; the ranking is ready and every "
            "startup is waiting to hear. Approve the shortlist to start the pilots.",
        )

    # -- selection ---------------------------------------------------------------------

    def not_eligible_outcome(
        self, *, proposal: str, screening_reason: str | None, challenge: str, criteria: int
    ) -> Text:
        reason = screening_reason or "It did not pass the eligibility screening."
        return Text(
            title=f"\u201c{proposal}\u201d was not eligible",
            body=f"Your proposal was not considered for selection. Reason: {reason}"
            + self._challenge_line(challenge, criteria),
        )

    def selection_outcome(
        self,
        *,
        proposal: str,
        selected: bool,
        evaluation: ProposalEvaluation,
        challenge: str,
        criteria: int,
    ) -> Text:
        lines = [
            "Congratulations: your proposal was selected for a pilot."
            if selected
            else "Your proposal was not selected for a pilot this time.",
        ]
        if evaluation.rank is not None:
            lines.append(
                f"Rank {evaluation.rank} of {evaluation.ranked_count}; weighted score "
                f"{evaluation.weighted_score:.2f} / 10."
            )
        lines.append("Scores per criterion (mean of the evaluators):")
        for criterion in evaluation.criteria:
            mean = "not scored" if criterion.mean_score is None else f"{criterion.mean_score:.2f}"
            lines.append(f"  - {criterion.name} (weight {criterion.weight}%): {mean}")
        if evaluation.comments:
            lines.append("Comments:")
            lines += [f"  - {c.evaluator}, {c.criterion}: {c.comment}" for c in evaluation.comments]
        verdict = "was selected" if selected else "was not selected"
        return Text(
            title=f"\u201c{proposal}\u201d {verdict}",
            body="\n".join(lines) + self._challenge_line(challenge, criteria),
        )

    def _challenge_line(self, challenge: str, criteria: int) -> str:
        return f"\n\nChallenge: {challenge} ({criteria} criteria)"

    def selected_for_freed_slot(self, *, proposal: str) -> Text:
        return Text(
            title=f"\u201c{proposal}\u201d was selected",
            body="A pilot slot became free and the city selected your proposal. "
            "The city will send the pilot agreement.",
        )

    # -- pilots ------------------------------------------------------------------------

    def pilot_agreement(
        self,
        *,
        proposal: str,
        starts_at: datetime,
        ends_at: datetime,
        budget_eur: Decimal,
        milestones: int,
    ) -> Text:
        return Text(
            title=f"Your pilot agreement for \u201c{proposal}\u201d is ready",
            body=f"From {self.moment(starts_at)} to {self.moment(ends_at)}, budget "
            f"{self.euros(budget_eur)}, {self.milestones(milestones)}. "
            "Accept or decline it on the pilot's page.",
        )

    def pilot_accepted(self, *, pilot: str, starts_at: datetime | None) -> Text:
        return Text(
            title=f"The startup accepted the pilot agreement for \u201c{pilot}\u201d",
            body=f"The pilot starts on {self.moment(starts_at)}." if starts_at else "",
        )

    DECISIONS: ClassVar[dict[str, str]] = {
        PilotDecisionKind.SCALE_UP: "will be scaled up",
        PilotDecisionKind.EXTEND: "is extended",
        PilotDecisionKind.STOP: "is stopped",
        PilotDecisionKind.DECLINED: "was declined by the startup",
        PilotDecisionKind.CANCELLED: "stopped: the challenge was cancelled",
    }

    def pilot_decision(
        self, *, pilot: str, decision: str, reason: str, new_end_at: datetime | None
    ) -> Text:
        details = ""
        if decision == PilotDecisionKind.EXTEND and new_end_at:
            details = f"\nNew end date: {self.moment(new_end_at)}."
        return Text(
            title=f"The pilot \u201c{pilot}\u201d {self.DECISIONS.get(decision, decision)}",
            body=f"Reason: {reason}{details}",
        )

    def milestone_overdue(self, *, pilot: str, milestone: str, due_at: datetime) -> Text:
        return Text(
            title=f"Milestone overdue in \u201c{pilot}\u201d: {milestone}",
            body=f"It was due at {self.moment(due_at)} and is not marked "
            "complete. The startup marks it complete in the pilot.",
        )

    def pilot_evaluation(self, *, pilot: str) -> Text:
        return Text(
            title=f"Please evaluate the pilot \u201c{pilot}\u201d",
            body="The pilot has ended. Score it 0-10 on its KPI results, with a "
            "comment; the city decides to scale it up, extend it or stop it.",
        )

    def pilot_decision_due(self, *, pilot: str) -> Text:
        return Text(
            title=f"The pilot \u201c{pilot}\u201d has ended: your decision",
            body="Its KPI results, the evaluators' scores and what residents said are "
            "on the pilot. Decide: scale up, extend or stop.",
        )

    # -- phases and statuses, told to followers ----------------------------------------

    CHALLENGE_PHASES: ClassVar[dict[str, tuple[str, str]]] = {
        ChallengePhase.OPEN: (
            "\u201c{title}\u201d is open for proposals",
            "Startups can propose solutions until {close}. Residents can say what they think "
            "of the problem until then.",
        ),
        ChallengePhase.REVIEW: (
            "The call for \u201c{title}\u201d has closed",
            "The proposals are being reviewed.",
        ),
        ChallengePhase.SELECTION: (
            "\u201c{title}\u201d: the proposals are ranked",
            "The city is choosing which pilots to run.",
        ),
        ChallengePhase.PILOTING: (
            "\u201c{title}\u201d: the pilots are chosen",
            "The selected pilots are being prepared for the test bed.",
        ),
        ChallengePhase.CLOSED: (
            "\u201c{title}\u201d is closed: the outcome is published",
            "See what was tried, what residents said, how the city answered and what it "
            "decided. You can give your input on the outcome.",
        ),
        ChallengePhase.CANCELLED: ("\u201c{title}\u201d was cancelled", "The city cancelled it."),
    }
    OTHER_CHALLENGE_PHASE = ("\u201c{title}\u201d is now in phase {phase}", "")

    PILOT_STATUSES: ClassVar[dict[str, tuple[str, str]]] = {
        PilotStatus.AGREEMENT: (
            "\u201c{title}\u201d: pilot \u201c{pilot}\u201d was selected",
            "The city and the startup are agreeing on the pilot's terms.",
        ),
        PilotStatus.RUNNING: (
            "Pilot \u201c{pilot}\u201d is running in the test bed",
            "It is part of \u201c{title}\u201d. While it runs you can say what you think of it, "
            "with a rating if you like.",
        ),
        PilotStatus.EVALUATION: (
            "Pilot \u201c{pilot}\u201d has ended and is being evaluated",
            "It is part of \u201c{title}\u201d. The city will decide whether to scale it up, "
            "extend it or stop it.",
        ),
        PilotStatus.SCALE_UP: (
            "Decision: pilot \u201c{pilot}\u201d will be scaled up",
            "It is part of \u201c{title}\u201d.",
        ),
        PilotStatus.STOPPED: (
            "Decision: pilot \u201c{pilot}\u201d is stopped",
            "It is part of \u201c{title}\u201d.",
        ),
    }
    OTHER_PILOT_STATUS = (
        "Pilot \u201c{pilot}\u201d is now {phase}",
        "It is part of \u201c{title}\u201d.",
    )

    def phase_changed(
        self, *, phase: str, challenge: str, proposals_close_at: datetime, reason: str | None
    ) -> Text:
        title, body = self.CHALLENGE_PHASES.get(phase, self.OTHER_CHALLENGE_PHASE)
        values = {"title": challenge, "close": self.moment(proposals_close_at), "phase": phase}
        return self._with_reason(title.format(**values), body.format(**values), reason)

    def pilot_changed(
        self,
        *,
        status: str,
        pilot: str,
        challenge: str,
        proposals_close_at: datetime,
        reason: str | None,
    ) -> Text:
        title, body = self.PILOT_STATUSES.get(status, self.OTHER_PILOT_STATUS)
        values = {
            "title": challenge,
            "close": self.moment(proposals_close_at),
            "pilot": pilot,
            "phase": status,
        }
        return self._with_reason(title.format(**values), body.format(**values), reason)

    def _with_reason(self, title: str, body: str, reason: str | None) -> Text:
        if reason:
            body = f"{body}\n\nReason: {reason}".strip()
        return Text(title=title, body=body)

    def outcome_report(self, *, challenge: str) -> Text:
        return Text(
            title=f"\u201c{challenge}\u201d is closed: the outcome report is out",
            body="What was tried, what residents said, how the city answered, and what "
            "was decided. You can give your input on the outcome.",
        )

    # -- the city's turn ---------------------------------------------------------------

    def call_closed(self, *, challenge: str, proposals: int) -> Text:
        return Text(
            title=f"The call for \u201c{challenge}\u201d has closed: screen the proposals",
            body="Screen each proposal for eligibility and assign the evaluators; the "
            "review runs until its deadline.",
        )

    def shortlist_due(self, *, challenge: str) -> Text:
        return Text(
            title=f"\u201c{challenge}\u201d: the ranking is ready for your shortlist",
            body="The review is complete. Approve the shortlist to start the pilots; every "
            "startup is waiting to hear.",
        )

    def question_asked(self, *, challenge: str, question: str) -> Text:
        return Text(
            title=f"A question about \u201c{challenge}\u201d",
            body=f"\u201c{excerpt(question)}\u201d\n\nAnswer it publicly while the call is open.",
        )

    def question_answered(self, *, challenge: str, question: str, answer: str) -> Text:
        return Text(
            title=f"The city answered your question about \u201c{challenge}\u201d",
            body=f"You asked: \u201c{excerpt(question)}\u201d\n\n"
            f"The answer: \u201c{excerpt(answer, 2000)}\u201d",
        )

    def input_received(self, *, challenge: str, said: str) -> Text:
        return Text(
            title=f"New input from a resident on \u201c{challenge}\u201d",
            body=f"\u201c{excerpt(said)}\u201d\n\nAnswer it publicly, or say you are "
            "considering it.",
        )

    # -- residents' input --------------------------------------------------------------

    def _you_said(self, said: str) -> str:
        return f"\n\nYou said: \u201c{excerpt(said)}\u201d"

    def input_answered(self, *, challenge: str, said: str, answer: str) -> Text:
        return Text(
            title=f"The city answered your input on \u201c{challenge}\u201d",
            body=f"The city's answer: \u201c{excerpt(answer, 2000)}\u201d" + self._you_said(said),
        )

    def input_under_consideration(self, *, challenge: str, said: str) -> Text:
        return Text(
            title=f"The city is considering your input on \u201c{challenge}\u201d",
            body="The city is looking into what you said and will answer you publicly."
            + self._you_said(said),
        )

    def input_hidden(self, *, challenge: str, said: str, reason: str) -> Text:
        return Text(
            title=f"Your input on \u201c{challenge}\u201d was hidden",
            body=f"The city hid it from the public page. The reason: \u201c{reason}\u201d"
            + self._you_said(said),
        )

    def input_reported(self, *, challenge: str, said: str, reason: str) -> Text:
        return Text(
            title=f"A resident reported an input on \u201c{challenge}\u201d",
            body=f"Reason given: {excerpt(reason)}\n\n"
            f"The input: \u201c{excerpt(said)}\u201d\n\n"
            "You can hide it with a reason its author will see, or leave it.",
        )

    def inputs_overdue(
        self, *, challenges: Sequence[OverdueChallenge], as_of: datetime, base_url: str
    ) -> Text:
        total = sum(len(c.inputs) for c in challenges)
        lines = [
            f"{total} input{_s(total)} from residents "
            f"{'is' if total == 1 else 'are'} waiting for the city's answer past the response "
            f"target, as of {self.moment(as_of)}.",
        ]
        for challenge in challenges:
            count = len(challenge.inputs)
            lines.append("")
            lines.append(
                f"\u201c{challenge.title}\u201d: {count} overdue (target "
                f"{challenge.response_target_working_days} working days)"
            )
            for item in challenge.inputs[:LISTED_PER_CHALLENGE]:
                lines.append(
                    f"  - #{item.id}, due {self.day(item.respond_by)}: "
                    f"\u201c{excerpt(item.body, 160)}\u201d"
                )
            if count > LISTED_PER_CHALLENGE:
                lines.append(f"  \u2026 and {count - LISTED_PER_CHALLENGE} more")
            lines.append(
                f"  Answer them: {base_url}/city/challenges/{challenge.id}/inputs?overdue=true"
            )
        return Text(
            title=f"{total} resident input{_s(total)} past the response target",
            body="\n".join(lines),
        )

    # -- mail --------------------------------------------------------------------------

    def digest_subject(self, *, count: int, day: str) -> str:
        return f"Proeftuin: {count} notification{_s(count)} ({day})"

    def mail_frame(self) -> dict[str, str]:
        """The words around every mail: greeting, the link's label, the footer."""
        return {
            "lang": self.locale,
            "hello": "Hello",
            "more": "Open the page",
            "digest_one": "Your Proeftuin digest for {day}: {count} notification.",
            "digest_many": "Your Proeftuin digest for {day}: {count} notifications.",
            "account": "You get this e-mail from Proeftuin because of your account {email}.",
            "daily": "You chose one digest a day.",
            "each": "You chose an e-mail for each notification.",
            "stop": "Stop all e-mail from Proeftuin, or stop following a challenge",
        }
