"""Pure parts of the pages: form errors from the API's models, safe redirects, and the
phase timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas.auth import RegisterRequest
from schemas.challenges import ChallengePublic, TimelineEntry
from service.errors import FieldError
from service.web.forms import FORM, Form, FormInvalid, echoed, errors_from, field_id, validate
from service.web.rendering import safe_next
from service.web.timeline import steps


def english(message: str) -> str:
    return message


def test_a_refused_model_gives_one_message_per_field():
    with pytest.raises(FormInvalid) as refused:
        validate(
            RegisterRequest,
            {"email": "nope", "display_name": "  ", "password": "short", "role": "city"},
            english,
            {"display_name": "Enter your name."},
        )
    errors = refused.value.errors
    assert set(errors) == {"email", "display_name", "password", "role"}
    assert errors["display_name"] == "Enter your name."  # spaces only: left empty
    assert errors["role"] == "Choose one of the options."
    assert errors["email"] == "Enter an e-mail address like name@example.org."
    assert "10" in errors["password"]


def test_the_domain_refusals_name_their_field():
    assert errors_from(FieldError("proposals_close_at", "must be in the future"), english) == {
        "proposals_close_at": "Must be in the future"
    }


def test_a_form_shows_again_what_was_typed_but_the_password():
    form = Form(echoed({"email": "a@b.c", "password": "secret", "_csrf_token": "t"}), {})
    assert form.values == {"email": "a@b.c"} and not form.invalid
    assert Form({}, {"email": "x", FORM: "y"}).summary == [("email", "x"), (FORM, "y")]
    assert field_id("criteria.1.weight") == "f-criteria-1-weight"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/challenges/1#give-input", "/challenges/1#give-input"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("/me\r\nSet-Cookie: x", "/"),
        (None, "/"),
    ],
)
def test_only_paths_of_this_site_are_followed(target, expected):
    assert safe_next(target) == expected


def _challenge(phase: str, transitions: list[tuple[str, datetime]], **extra) -> ChallengePublic:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    return ChallengePublic(
        id=1, title="t", problem_statement="p", test_bed="b", pilot_budget_cap_eur=1,
        max_pilots=1, criteria=[], kpis=[], proposals_close_at=now + timedelta(days=30),
        review_deadline=now + timedelta(days=50), response_target_working_days=10,
        review_reminder_days=[], phase=phase, created_at=now, published_at=now,
        timeline=[
            TimelineEntry(phase=p, from_phase=None, at=at, actor="timer", actor_id=None,
                          reason=extra.get("reason") if p == "cancelled" else None)
            for p, at in transitions
        ],
    )  # fmt: skip


def test_the_timeline_marks_done_now_and_next():
    start = datetime(2027, 1, 1, tzinfo=UTC)
    challenge = _challenge("review", [("open", start), ("review", start + timedelta(days=30))])
    shown = steps(challenge)
    assert [s.state for s in shown] == ["done", "current", "upcoming", "upcoming", "upcoming"]
    assert [s.date_kind for s in shown] == ["started", "since", "by", None, None]
    assert shown[2].date == challenge.review_deadline


def test_a_cancelled_challenge_ends_its_timeline_with_the_reason():
    start = datetime(2027, 1, 1, tzinfo=UTC)
    challenge = _challenge(
        "cancelled", [("open", start), ("cancelled", start + timedelta(days=3))], reason="budget"
    )
    shown = steps(challenge)
    assert [(s.phase.value, s.state) for s in shown] == [("open", "done"), ("cancelled", "current")]
    assert shown[-1].reason == "budget"
