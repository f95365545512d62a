"""Which passwords are refused (NIST SP 800-63B: common, breached, guessable), and that
the check stays cheap whatever is sent."""

from __future__ import annotations

import pytest

from schemas.passwords import weak_password_reason


@pytest.mark.parametrize(
    "password",
    ["1234567890", "password12", "aaaaaaaaaa", "qwertyuiop", "letmein123", "wachtwoord1",
     "proeftuin2026", "abcdefghij"],
)  # fmt: skip
def test_common_and_trivial_passwords_are_refused(password):
    reason = weak_password_reason(password)
    assert reason is not None and "too easy to guess" in reason


def test_a_password_made_of_the_persons_own_address_or_name_is_refused():
    assert weak_password_reason("jan.devries.1975", ["jan.devries@example.org", "Jan de Vries"])
    assert weak_password_reason("jan.devries.1975") is None


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "Tr0ub4dor&3-x", "zomerfeest in de tuin", "x" * 5 + "Qz9!kP2#mW"],
)
def test_unusual_passwords_pass(password):
    assert weak_password_reason(password) is None


def test_short_passwords_are_refused_by_length():
    assert weak_password_reason("Zq9!k") == "must be at least 10 characters"


def test_a_long_password_is_scored_on_its_first_72_characters():
    assert weak_password_reason("correct horse battery " * 10) is None
    assert weak_password_reason("1" * 256) is not None
