"""The page the sign-up mail links to (``/verify-email``), confirming the address
(``PROEFTUIN_VERIFY_EMAIL``): following the link is the confirmation, so it works from
any mail client and without signing in; following it again changes nothing."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.verification import confirm_email
from service.errors import FieldError
from service.paths import VERIFY_EMAIL_PATH
from service.web.rendering import page


@get(VERIFY_EMAIL_PATH, name="verify_email")
async def verify_email(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    token: FromQuery[str] = "",
) -> Template:
    try:
        await confirm_email(db_session, request.app.state.settings, token)
    except FieldError:
        return page(request, "accounts/verify_email.html", confirmed=False)
    return page(request, "accounts/verify_email.html", confirmed=True)


verify_email_handlers = [verify_email]
