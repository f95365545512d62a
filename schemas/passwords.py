"""Which passwords we refuse, as NIST SP 800-63B asks: no composition rules, but no
password that is common, known from breaches, or trivially guessable (repeats,
sequences, keyboard runs, dictionary words, the person's own name or address).

The check is zxcvbn's: its frequency lists (common passwords from breach corpora, names,
words) and pattern matchers give an estimate of how many guesses a password takes; we
accept scores of 3 and 4 (more than 10^8 guesses). Only the first 72 characters are
scored, which keeps the check to a few milliseconds whatever is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MIN_SCORE = 3
SCORED_LENGTH = 72
# Words that a password on this service is likely to be made of.
SERVICE_WORDS = ("proeftuin", "wachtwoord", "password", "welkom", "gemeente", "amsterdam")


def weak_password_reason(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused, in words for the person choosing it; None if it is
    good enough. ``personal`` holds the account's own e-mail address and name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    inputs = [*SERVICE_WORDS]
    for value in filter(None, personal):
        # The whole value, its local part, and each word of it.
        inputs += [value, value.split("@")[0], *value.replace("@", " ").replace(".", " ").split()]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    warning = (result["feedback"].get("warning") or "").rstrip(".").lower()
    because = f" ({warning})" if warning else ""
    return (
        f"is too easy to guess{because}; choose a longer one, for example a few unrelated "
        "words, and not your name or e-mail address"
    )
