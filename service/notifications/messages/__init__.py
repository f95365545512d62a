"""The message catalogue: everything Proeftuin tells people, one function per message.

A sender picks its message by name and hands over the facts, typed; it never writes
words::

    await notify(session, [startup_id], messages.info_requested(request_id=..., ...))

Each function is a stable message key (``info_requested``). It fixes what does not
depend on the language: the notification's ``kind``, its deduplication key (the event
it reports, so a retry tells nobody twice), the challenge and pilot it is about, and
its link. The words come from the locale's wording (``en.English`` today), looked up by
the ``locale`` argument; a second language is a new wording class registered in
``LOCALES``, and no sender changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from operator import methodcaller

from schemas.common import ChallengePhase, PilotStatus, Role
from schemas.review import ProposalEvaluation
from service.notifications.messages.en import (
    English,
    OverdueChallenge,
    OverdueInput,
    Text,
    excerpt,
)
from service.notifications.messages.nl import Dutch

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "Message",
    "OverdueChallenge",
    "OverdueInput",
    "Text",
    "excerpt",
    "wording",
]

DEFAULT_LOCALE = "en"
LOCALES: dict[str, type[English]] = {"en": English, "nl": Dutch}

Render = Callable[[English], Text]


def wording(locale: str | None = DEFAULT_LOCALE, zone: tzinfo = UTC) -> English:
    """The wording of ``locale`` with times in ``zone`` (the city's); a language we do
    not have is told in English."""
    return (LOCALES.get(locale or DEFAULT_LOCALE) or LOCALES[DEFAULT_LOCALE])(zone)


@dataclass(frozen=True)
class Message:
    """One event to tell. ``title`` and ``body`` are its English words; ``render`` says
    it again per recipient, in their language and the city's time zone (``text``). Its
    link is the page where that recipient acts (``link_for``: by role, else ``link``)."""

    kind: str
    key: str
    """Names the event: the same key for the same person is written once."""
    title: str
    body: str
    challenge_id: int | None = None
    pilot_id: int | None = None
    link: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    """The link per role where it differs (the city acts on its console)."""
    render: Render | None = None

    def text(self, locale: str | None = None, zone: tzinfo = UTC) -> Text:
        if self.render is None:
            return Text(title=self.title, body=self.body)
        return self.render(wording(locale, zone))

    def link_for(self, role: str | None) -> str | None:
        return self.links.get(role or "", self.link)


def _message(
    kind: str,
    key: str,
    text: Render,
    *,
    challenge_id: int | None = None,
    pilot_id: int | None = None,
    link: str | None = None,
    links: Mapping[str, str] | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    english = text(wording(locale))
    return Message(
        kind=kind,
        key=key,
        title=english.title,
        body=english.body,
        render=text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=link,
        links=dict(links or {}),
    )


# -- links: the page where the person acts (never the JSON API) ------------------------


def challenge_link(challenge_id: int | None) -> str:
    return f"/challenges/{challenge_id}"


def city_challenge_link(challenge_id: int | None) -> str:
    return f"/city/challenges/{challenge_id}"


def report_link(challenge_id: int | None) -> str:
    return f"/challenges/{challenge_id}/report"


def proposal_link(proposal_id: int | None, anchor: str = "") -> str | None:
    """The startup's page of its proposal (none when the sender does not say which)."""
    return None if proposal_id is None else f"/proposals/{proposal_id}{anchor}"


def pilot_link(pilot_id: int | None) -> str:
    return f"/pilots/{pilot_id}"


def pilot_links(pilot_id: int | None, challenge_id: int | None) -> dict[str, str]:
    """A pilot's page for each role (the startup's is ``/pilots/{id}``); a resident
    follows it on the challenge's public page."""
    return {
        Role.CITY: f"/city/pilots/{pilot_id}",
        Role.EVALUATOR: f"/evaluator/pilots/{pilot_id}",
        Role.RESIDENT: challenge_link(challenge_id),
    }


def input_link(input_id: int | None) -> str:
    """A resident's own input, with the city's answer: on their page."""
    return "/me#my-input-title"


def city_input_link(input_id: int | None) -> str:
    return f"/city/inputs/{input_id}"


def overdue_inputs_link(challenge_id: int | None) -> str:
    return f"/city/challenges/{challenge_id}/inputs?overdue=true"


# -- screening and requests for information: to the startup, or the city ---------------


def proposal_screened(
    *,
    event_id: int | None,
    challenge_id: int | None,
    proposal: str,
    challenge: str,
    eligible: bool,
    reason: str | None,
    proposal_id: int | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "proposal_screened",
        proposal=proposal,
        challenge=challenge,
        eligible=eligible,
        reason=reason,
    )
    return _message(
        "proposal_screened",
        f"proposal-event-{event_id}",
        text,
        challenge_id=challenge_id,
        link=proposal_link(proposal_id),
        locale=locale,
    )


def no_reply_reason(
    *, reply_deadline: datetime, question: str, locale: str = DEFAULT_LOCALE
) -> str:
    """Why a proposal was screened out when its startup did not answer in time; it is
    recorded on the proposal and its history, and told in ``screened_out_no_reply``."""
    return wording(locale).no_reply_reason(reply_deadline=reply_deadline, question=question)


def screened_out_no_reply(
    *,
    request_id: int | None,
    challenge_id: int | None,
    proposal: str,
    reason: str,
    proposal_id: int | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("screened_out_no_reply", proposal=proposal, reason=reason)
    return _message(
        "proposal_screened",
        f"info-request-{request_id}-expired",
        text,
        challenge_id=challenge_id,
        link=proposal_link(proposal_id),
        locale=locale,
    )


def info_requested(
    *,
    request_id: int | None,
    challenge_id: int | None,
    proposal: str,
    question: str,
    reply_deadline: datetime,
    proposal_id: int | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "info_requested", proposal=proposal, question=question, reply_deadline=reply_deadline
    )
    return _message(
        "info_requested",
        f"info-request-{request_id}",
        text,
        challenge_id=challenge_id,
        link=proposal_link(proposal_id, "#info-requests"),
        locale=locale,
    )


def info_answered(
    *,
    request_id: int | None,
    challenge_id: int | None,
    proposal: str,
    question: str,
    answer: str,
    proposal_id: int | None = None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("info_answered", proposal=proposal, question=question, answer=answer)
    return _message(
        "info_answered",
        f"info-answer-{request_id}",
        text,
        challenge_id=challenge_id,
        link=None if proposal_id is None else f"/city/proposals/{proposal_id}/screening",
        locale=locale,
    )


# -- the review: to evaluators and the city --------------------------------------------


def assignment(
    *,
    assignment_id: int | None,
    challenge_id: int | None,
    proposal: str,
    challenge: str,
    review_deadline: datetime,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "assignment", proposal=proposal, challenge=challenge, review_deadline=review_deadline
    )
    return _message(
        "assignment",
        f"assignment-{assignment_id}",
        text,
        challenge_id=challenge_id,
        link=f"/evaluator/assignments/{assignment_id}",
        locale=locale,
    )


def assignment_unfilled(
    *,
    assignment_id: int | None,
    challenge_id: int | None,
    proposal: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("assignment_unfilled", proposal=proposal)
    return _message(
        "assignment_unfilled",
        f"assignment-{assignment_id}-unfilled",
        text,
        challenge_id=challenge_id,
        link=f"{city_challenge_link(challenge_id)}/review",
        locale=locale,
    )


def review_reminder(
    *,
    challenge_id: int,
    challenge: str,
    days_before: int,
    to_score: int,
    review_deadline: datetime,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "review_reminder",
        challenge=challenge,
        days_before=days_before,
        to_score=to_score,
        review_deadline=review_deadline,
    )
    return _message(
        "review_reminder",
        f"challenge-{challenge_id}-review-reminder-{days_before}d",
        text,
        challenge_id=challenge_id,
        link="/evaluator",
        locale=locale,
    )


def selection_reminder(
    *,
    challenge_id: int,
    number: int,
    challenge: str,
    waiting_since: datetime,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("selection_reminder", challenge=challenge, waiting_since=waiting_since)
    return _message(
        "selection_reminder",
        f"challenge-{challenge_id}-selection-reminder-{number}",
        text,
        challenge_id=challenge_id,
        link=f"{city_challenge_link(challenge_id)}/ranking",
        locale=locale,
    )


# -- selection: to each startup ---------------------------------------------------------


def selection_outcome(
    *,
    challenge_id: int,
    proposal_id: int | None,
    proposal: str,
    selected: bool,
    evaluation: ProposalEvaluation | None,
    screening_reason: str | None,
    challenge: str,
    criteria: int,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    """Selected or not, with the startup's own scores per criterion and the evaluators'
    comments; or, with no evaluation, why the proposal was not eligible."""
    text: Render
    if evaluation is None:
        text = methodcaller(
            "not_eligible_outcome",
            proposal=proposal,
            screening_reason=screening_reason,
            challenge=challenge,
            criteria=criteria,
        )
    else:
        text = methodcaller(
            "selection_outcome",
            proposal=proposal,
            selected=selected,
            evaluation=evaluation,
            challenge=challenge,
            criteria=criteria,
        )
    return _message(
        "selection_outcome",
        f"challenge-{challenge_id}-outcome-proposal-{proposal_id}",
        text,
        challenge_id=challenge_id,
        link=proposal_link(proposal_id),
        locale=locale,
    )


def selected_for_freed_slot(
    *,
    challenge_id: int,
    proposal_id: int | None,
    pilot_id: int | None,
    proposal: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("selected_for_freed_slot", proposal=proposal)
    return _message(
        "selection_outcome",
        f"challenge-{challenge_id}-replacement-proposal-{proposal_id}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=pilot_link(pilot_id),
        locale=locale,
    )


# -- pilots: to the startup, the city and the evaluators --------------------------------


def pilot_agreement(
    *,
    pilot_id: int,
    challenge_id: int | None,
    set_at: datetime,
    proposal: str,
    starts_at: datetime,
    ends_at: datetime,
    budget_eur: Decimal,
    milestones: int,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "pilot_agreement",
        proposal=proposal,
        starts_at=starts_at,
        ends_at=ends_at,
        budget_eur=budget_eur,
        milestones=milestones,
    )
    return _message(
        "pilot_agreement",
        f"pilot-{pilot_id}-agreement-{set_at.isoformat()}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=pilot_link(pilot_id),
        links=pilot_links(pilot_id, challenge_id),
        locale=locale,
    )


def pilot_accepted(
    *,
    pilot_id: int,
    challenge_id: int | None,
    pilot: str,
    starts_at: datetime | None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("pilot_accepted", pilot=pilot, starts_at=starts_at)
    return _message(
        "pilot_accepted",
        f"pilot-{pilot_id}-accepted",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=f"/city/pilots/{pilot_id}",
        locale=locale,
    )


def pilot_decision(
    *,
    pilot_id: int,
    sequence: int,
    transition_key: str | None = None,
    challenge_id: int | None,
    pilot: str,
    decision: str,
    reason: str,
    new_end_at: datetime | None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "pilot_decision", pilot=pilot, decision=decision, reason=reason, new_end_at=new_end_at
    )
    return _message(
        "pilot_decision",
        f"transition-{transition_key}"
        if transition_key
        else f"pilot-{pilot_id}-decision-{sequence}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=pilot_link(pilot_id),
        links=pilot_links(pilot_id, challenge_id),
        locale=locale,
    )


def milestone_overdue(
    *,
    milestone_id: int | None,
    number: int,
    challenge_id: int | None,
    pilot_id: int,
    pilot: str,
    milestone: str,
    due_at: datetime,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    """``number``: how many reminder periods have passed since it was due."""
    text = methodcaller("milestone_overdue", pilot=pilot, milestone=milestone, due_at=due_at)
    return _message(
        "milestone_overdue",
        f"milestone-{milestone_id}-overdue-{number}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=pilot_link(pilot_id),
        links=pilot_links(pilot_id, challenge_id),
        locale=locale,
    )


def pilot_evaluation(
    *,
    pilot_id: int,
    round: int,
    challenge_id: int | None,
    pilot: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("pilot_evaluation", pilot=pilot)
    return _message(
        "pilot_evaluation",
        f"pilot-{pilot_id}-evaluation-{round}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=f"/evaluator/pilots/{pilot_id}",
        locale=locale,
    )


def pilot_decision_due(
    *,
    pilot_id: int,
    round: int,
    challenge_id: int | None,
    pilot: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("pilot_decision_due", pilot=pilot)
    return _message(
        "pilot_decision_due",
        f"pilot-{pilot_id}-decision-due-{round}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=f"/city/pilots/{pilot_id}",
        locale=locale,
    )


# -- phases and statuses: to followers and everyone taking part -------------------------

REASON_TOLD = frozenset({ChallengePhase.CANCELLED, PilotStatus.SCALE_UP, PilotStatus.STOPPED})
"""The reasons worth repeating: the city's own words on a cancellation or a decision
(a timer's "the call closed" says nothing the title does not)."""


def phase_changed(
    *,
    transition_key: str,
    challenge_id: int,
    phase: str,
    challenge: str,
    proposals_close_at: datetime,
    reason: str | None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    """A phase change, told to followers and those taking part. Closing is the outcome
    report's own message (one mail, with the report's link, whichever comes first)."""
    if phase == ChallengePhase.CLOSED:
        return outcome_report(challenge_id=challenge_id, challenge=challenge)
    text = methodcaller(
        "phase_changed",
        phase=phase,
        challenge=challenge,
        proposals_close_at=proposals_close_at,
        reason=reason if phase in REASON_TOLD else None,
    )
    return _message(
        "phase_changed",
        f"transition-{transition_key}",
        text,
        challenge_id=challenge_id,
        link=challenge_link(challenge_id),
        links={Role.CITY: city_challenge_link(challenge_id)},
        locale=locale,
    )


def city_must_act(
    *, transition_key: str, challenge_id: int, phase: str, challenge: str, to_review: int = 0
) -> Message | None:
    """What the city is told of a phase change that waits for it: the call closed
    (screen and assign evaluators), the review is complete (approve the shortlist).
    Keyed as the phase change itself, so a city contact who follows hears it once."""
    if phase == ChallengePhase.REVIEW:
        text = methodcaller("call_closed", challenge=challenge, proposals=to_review)
        link = f"{city_challenge_link(challenge_id)}/review"
    elif phase == ChallengePhase.SELECTION:
        text = methodcaller("shortlist_due", challenge=challenge)
        link = f"{city_challenge_link(challenge_id)}/ranking"
    else:
        return None
    return _message(
        "city_action", f"transition-{transition_key}", text, challenge_id=challenge_id, link=link
    )


def question_asked(
    *, question_id: int | None, challenge_id: int, challenge: str, question: str
) -> Message:
    text = methodcaller("question_asked", challenge=challenge, question=question)
    return _message(
        "question_asked",
        f"question-{question_id}",
        text,
        challenge_id=challenge_id,
        link=f"{challenge_link(challenge_id)}#question-{question_id}",
    )


def question_answered(
    *, question_id: int | None, challenge_id: int, challenge: str, question: str, answer: str
) -> Message:
    text = methodcaller("question_answered", challenge=challenge, question=question, answer=answer)
    return _message(
        "question_answered",
        f"question-{question_id}-answered",
        text,
        challenge_id=challenge_id,
        link=f"{challenge_link(challenge_id)}#question-{question_id}",
    )


def input_received(
    *, input_id: int | None, challenge_id: int, pilot_id: int | None, challenge: str, said: str
) -> Message:
    text = methodcaller("input_received", challenge=challenge, said=said)
    return _message(
        "input_received",
        f"input-{input_id}-received",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=city_input_link(input_id),
    )


def decision_reason(reason: str | None) -> str | None:
    """The city's own words of a decision (a transition records ``scale_up: <why>``)."""
    if reason is None:
        return None
    for kind in ("scale_up", "extend", "stop", "declined", "cancelled"):
        if reason.startswith(f"{kind}: "):
            return reason[len(kind) + 2 :]
    return reason


def pilot_changed(
    *,
    transition_key: str,
    challenge_id: int,
    pilot_id: int,
    status: str,
    pilot: str,
    challenge: str,
    proposals_close_at: datetime,
    reason: str | None,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller(
        "pilot_changed",
        status=status,
        pilot=pilot,
        challenge=challenge,
        proposals_close_at=proposals_close_at,
        reason=decision_reason(reason) if status in REASON_TOLD else None,
    )
    return _message(
        "pilot_changed",
        f"transition-{transition_key}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=pilot_link(pilot_id),
        links=pilot_links(pilot_id, challenge_id),
        locale=locale,
    )


def outcome_report(*, challenge_id: int, challenge: str, locale: str = DEFAULT_LOCALE) -> Message:
    text = methodcaller("outcome_report", challenge=challenge)
    return _message(
        "outcome_report",
        f"challenge-{challenge_id}-outcome-report",
        text,
        challenge_id=challenge_id,
        link=report_link(challenge_id),
        locale=locale,
    )


# -- residents' input: to its author, or the city ---------------------------------------


def input_answered(
    *,
    input_id: int,
    challenge_id: int | None,
    pilot_id: int | None,
    challenge: str,
    said: str,
    answer: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("input_answered", challenge=challenge, said=said, answer=answer)
    return _message(
        "input_answered",
        f"input-{input_id}-answered",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=input_link(input_id),
        locale=locale,
    )


def input_under_consideration(
    *,
    input_id: int,
    challenge_id: int | None,
    pilot_id: int | None,
    challenge: str,
    said: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("input_under_consideration", challenge=challenge, said=said)
    return _message(
        "input_under_consideration",
        f"input-{input_id}-under-consideration",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=input_link(input_id),
        locale=locale,
    )


def input_hidden(
    *,
    input_id: int,
    hidden_at: datetime,
    challenge_id: int | None,
    pilot_id: int | None,
    challenge: str,
    said: str,
    reason: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    """Keyed by the moment it was hidden: hidden again after a restore, it is news."""
    text = methodcaller("input_hidden", challenge=challenge, said=said, reason=reason)
    return _message(
        "input_hidden",
        f"input-{input_id}-hidden-{int(hidden_at.timestamp() * 1000)}",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=input_link(input_id),
        locale=locale,
    )


def input_reported(
    *,
    input_id: int | None,
    challenge_id: int | None,
    pilot_id: int | None,
    challenge: str,
    said: str,
    reason: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    text = methodcaller("input_reported", challenge=challenge, said=said, reason=reason)
    return _message(
        "input_reported",
        f"input-{input_id}-reported",
        text,
        challenge_id=challenge_id,
        pilot_id=pilot_id,
        link=city_input_link(input_id),
        locale=locale,
    )


def inputs_overdue_key(day: str) -> str:
    return f"inputs-overdue-{day}"


def inputs_overdue(
    *,
    day: str,
    challenges: Sequence[OverdueChallenge],
    as_of: datetime,
    base_url: str,
    locale: str = DEFAULT_LOCALE,
) -> Message:
    """The city's daily digest of input past its response target, one per person a day;
    it links to the overdue list when it is about one challenge."""
    text = methodcaller("inputs_overdue", challenges=challenges, as_of=as_of, base_url=base_url)
    single = challenges[0].id if len(challenges) == 1 else None
    return _message(
        "inputs_overdue",
        inputs_overdue_key(day),
        text,
        challenge_id=single,
        link=overdue_inputs_link(single) if single else None,
        locale=locale,
    )


# -- mail -------------------------------------------------------------------------------


def digest_subject(*, count: int, day: str, locale: str | None = DEFAULT_LOCALE) -> str:
    return wording(locale).digest_subject(count=count, day=day)


def mail_frame(locale: str | None = DEFAULT_LOCALE) -> dict[str, str]:
    """The words around a mail (greeting, link label, footer) in the recipient's language."""
    return wording(locale).mail_frame()
