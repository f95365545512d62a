"""The page a mailed link opens to choose a password (an invitation's first one, a
reset's new one): the form for the account the link is for, or a page saying the link
no longer works; on a good password the person is signed in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.response import Template

from schemas.accounts import PasswordResetConfirm
from service.auth.models import User
from service.errors import FieldError
from service.web.accounts import REFUSED
from service.web.forms import Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash, sign_in

MISSING_PASSWORD = {"password": N_("Choose a password.")}
AccountOf = Callable[[str], Awaitable[User]]
"""The account a link's token is for, or ``FieldError`` on ``token``."""


@dataclass(frozen=True)
class PasswordPages:
    form: str
    """The template of the form, given ``form``, ``token`` and ``account``."""
    link_not_valid: str
    """The template for a link that is not ours, has expired or was used."""
    schema: type[PasswordResetConfirm]
    """What the form sends: ``token`` and ``password``."""
    done: str
    """The message after the password is set (a message id)."""

    async def show(
        self, request: Request[Any, Any, Any], account_of: AccountOf, token: str
    ) -> Template:
        try:
            account = await account_of(token)
        except FieldError:
            return page(request, self.link_not_valid)
        return page(request, self.form, form=Form(), token=token, account=account)

    async def submit(
        self,
        request: Request[Any, Any, Any],
        account_of: AccountOf,
        choose: Callable[[str, str], Awaitable[User]],
        home: Callable[[User], str],
    ) -> Response[Any]:
        """``choose(token, password)`` sets it; then the person is signed in and sent
        ``home``."""
        _ = gettext_for(request)
        values = await read_form(request)
        token = values.get("token", "")
        try:
            account = await account_of(token)
        except FieldError:
            return page(request, self.link_not_valid, status_code=REFUSED)
        try:
            data = validate(self.schema, values, _, MISSING_PASSWORD)
            user = await choose(data.token, data.password)
        except FormInvalid as invalid:
            return self._again(request, token, account, invalid.errors)
        except FieldError as exc:
            if any(isinstance(e, dict) and e.get("key") == "token" for e in exc.extra or []):
                return page(request, self.link_not_valid, status_code=REFUSED)  # used meanwhile
            return self._again(request, token, account, errors_from(exc, _))
        sign_in(request, user)
        flash(request, self.done)
        return see_other(home(user))

    def _again(
        self, request: Request[Any, Any, Any], token: str, account: User, errors: dict[str, str]
    ) -> Template:
        form = Form({}, errors)
        return page(
            request, self.form, status_code=REFUSED, form=form, token=token, account=account
        )
