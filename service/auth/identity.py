"""Who is making a request: the value guards and services receive as ``request.user``."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.common import Role


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    email: str
    role: Role
    display_name: str
    language: str | None = None
    """What we write to them in; None until a page they signed in on says."""
    email_verified: bool = True
    """False only while PROEFTUIN_VERIFY_EMAIL asks for a confirmation not yet given."""
