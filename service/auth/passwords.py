"""Argon2id password hashing, off the event loop: a hash takes tens of milliseconds of
CPU, which would stall every other request of the process (argon2 releases the GIL).

Each hash or check also takes 64 MiB of memory for its duration, so only a few run at
once (``HASHING_SLOTS``, per event loop, which in a served process means per process);
the rest wait their turn. Twenty sign-ups at once then hold 2 x 64 MiB, not 20 x 64 MiB;
they take no longer in all, since more hashes at once than cores finish no sooner.
"""

from __future__ import annotations

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHING_SLOTS = 2

_hasher = PasswordHasher()

# Verified against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

_slots: RunVar[CapacityLimiter] = RunVar("proeftuin_password_hashing_slots")


def hashing_slots() -> CapacityLimiter:
    """The threads that may hash at once: one limiter per event loop (a limiter
    belongs to the loop it was made on)."""
    try:
        return _slots.get()
    except LookupError:
        limiter = CapacityLimiter(HASHING_SLOTS)
        _slots.set(limiter)
        return limiter


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password, limiter=hashing_slots())


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await to_thread.run_sync(_verify, password_hash, password, limiter=hashing_slots())


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
