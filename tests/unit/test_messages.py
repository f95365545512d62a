"""The message catalogue: a sender names a message and hands over facts; the words
come from the locale, while the kind, the deduplication key and the link do not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from service.notifications import messages
from service.notifications.messages.en import English, Text

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


class Shouting(English):
    """A stand-in second language: every method it does not override stays English."""

    locale = "shout"

    def info_requested(self, *, proposal: str, question: str, reply_deadline: datetime) -> Text:
        return Text(title=f"QUESTION ABOUT {proposal.upper()}", body=question.upper())


@pytest.fixture
def shouting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(messages.LOCALES, "shout", Shouting)


def test_a_message_is_its_words_plus_what_no_language_changes() -> None:
    message = messages.info_requested(
        request_id=7, challenge_id=3, proposal="Quiet bins", question="How loud?", reply_deadline=AT
    )
    assert (message.kind, message.key, message.challenge_id, message.link) == (
        "info_requested",
        "info-request-7",
        3,
        None,  # the sender named no proposal, so there is no page to send them to
    )
    assert (message.title, message.body) == (
        "The city asks about \u201cQuiet bins\u201d",
        # A date as people read it (in the city's time zone when it is sent).
        "How loud?\n\nPlease answer before 1 December 2026, 09:30; "
        "a proposal left unanswered then is screened out.",
    )


def test_another_locale_changes_the_words_only(shouting: None) -> None:
    def asked(locale: str) -> messages.Message:
        return messages.info_requested(
            request_id=7,
            challenge_id=3,
            proposal="Quiet bins",
            question="How loud?",
            reply_deadline=AT,
            locale=locale,
        )

    english, shouted = asked("en"), asked("shout")
    assert (shouted.title, shouted.body) == ("QUESTION ABOUT QUIET BINS", "HOW LOUD?")
    assert (shouted.kind, shouted.key, shouted.challenge_id, shouted.link) == (
        english.kind,
        english.key,
        english.challenge_id,
        english.link,
    )
    # What the locale has not translated yet is told in English, as is an unknown locale.
    replaced = messages.selected_for_freed_slot(
        challenge_id=1, proposal_id=2, pilot_id=3, proposal="P", locale="shout"
    )
    assert replaced.title == "\u201cP\u201d was selected"
    assert messages.outcome_report(challenge_id=1, challenge="C", locale="xx").title == (
        "\u201cC\u201d is closed: the outcome report is out"
    )


def test_a_reason_is_repeated_only_for_a_cancellation_or_a_final_decision() -> None:
    def body(phase: str) -> str:
        return messages.phase_changed(
            transition_key="k",
            challenge_id=1,
            phase=phase,
            challenge="C",
            proposals_close_at=AT,
            reason="budget cut",
        ).body

    assert body("cancelled") == "The city cancelled it.\n\nReason: budget cut"
    assert body("review") == "The proposals are being reviewed."
    assert body("somewhere") == ""  # a phase without words of its own: its title says it
    stopped = messages.pilot_changed(
        transition_key="k",
        challenge_id=1,
        pilot_id=2,
        status="stopped",
        pilot="P",
        challenge="C",
        proposals_close_at=AT,
        reason="no effect",
    )
    assert stopped.title == "Decision: pilot \u201cP\u201d is stopped"
    assert stopped.body == "It is part of \u201cC\u201d.\n\nReason: no effect"
    # A page, never the JSON API: the startup's pilot page, the city's, a resident's.
    assert stopped.link == "/pilots/2"
    assert stopped.link_for("city") == "/city/pilots/2"
    assert stopped.link_for("resident") == "/challenges/1"


@pytest.mark.parametrize(
    ("decision", "words"),
    [
        ("scale_up", "will be scaled up"),
        ("extend", "is extended"),
        ("stop", "is stopped"),
        ("declined", "was declined by the startup"),
        ("cancelled", "stopped: the challenge was cancelled"),
    ],
)
def test_every_pilot_decision_has_its_words(decision: str, words: str) -> None:
    message = messages.pilot_decision(
        pilot_id=4,
        sequence=1,
        challenge_id=1,
        pilot="P",
        decision=decision,
        reason="r",
        new_end_at=AT if decision == "extend" else None,
    )
    assert message.title == f"The pilot \u201cP\u201d {words}"
    assert message.key == "pilot-4-decision-1"
    extended = "\nNew end date: 1 December 2026, 09:30." if decision == "extend" else ""
    assert message.body == f"Reason: r{extended}"


def test_the_digest_subject_counts_in_the_singular_and_the_plural() -> None:
    assert messages.digest_subject(count=1, day="2026-12-01") == (
        "Proeftuin: 1 notification (2026-12-01)"
    )
    assert messages.digest_subject(count=3, day="2026-12-01") == (
        "Proeftuin: 3 notifications (2026-12-01)"
    )


def test_dutch_with_dates_in_the_city_time_zone() -> None:
    from zoneinfo import ZoneInfo

    agreement = messages.pilot_agreement(
        pilot_id=2,
        challenge_id=1,
        set_at=AT,
        proposal="P",
        starts_at=AT,
        ends_at=AT,
        budget_eur=Decimal("40000"),
        milestones=1,
    )
    text = agreement.text("nl", ZoneInfo("Europe/Amsterdam"))
    assert text.title == "Uw pilotovereenkomst voor \u201cP\u201d staat klaar"
    assert "1 december 2026 10:30" in text.body.replace(",", "")
    assert "1 mijlpaal" in text.body and "\u20ac 40.000" in text.body
    assert "1 milestone." in agreement.text("en").body
