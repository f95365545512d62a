"""Taking up an invitation (``/invitation``): the page the invitation mail links to,
where the invited person chooses a password and is signed in."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.accounts import InvitationAccept
from service.auth.invitations import InvitationService
from service.auth.models import User
from service.errors import FieldError
from service.paths import INVITATION_PATH
from service.web.accounts import REFUSED
from service.web.forms import Form, FormInvalid, errors_from, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash, sign_in

MISSING_PASSWORD = {"password": N_("Choose a password.")}
HOMES = {"city": "/city", "evaluator": "/evaluator"}


def provide_invitations(
    db_session: NamedDependency[AsyncSession], state: State
) -> InvitationService:
    return InvitationService(db_session, state.settings)


invitation_dependencies = {"invitations": Provide(provide_invitations, sync_to_thread=False)}


@get(INVITATION_PATH, name="invitation")
async def invitation_form(
    request: Request[Any, Any, Any],
    invitations: NamedDependency[InvitationService],
    token: FromQuery[str] = "",
) -> Template:
    try:
        user = await invitations.account_of(token)
    except FieldError:
        return page(request, "accounts/invitation_invalid.html")
    return page(request, "accounts/invitation.html", form=Form(), token=token, account=user)


@post(INVITATION_PATH, name="invitation.submit", status_code=303)
async def accept_invitation(
    request: Request[Any, Any, Any], invitations: NamedDependency[InvitationService]
) -> Response[Any]:
    _ = gettext_for(request)
    values = await read_form(request)
    token = values.get("token", "")
    try:
        account = await invitations.account_of(token)
    except FieldError:
        return page(request, "accounts/invitation_invalid.html", status_code=REFUSED)
    try:
        data = validate(InvitationAccept, values, _, MISSING_PASSWORD)
        user = await invitations.accept(data.token, data.password)
    except FormInvalid as invalid:
        return _again(request, token, account, invalid.errors)
    except FieldError as exc:
        return _again(request, token, account, errors_from(exc, _))
    sign_in(request, user)
    flash(request, N_("Your password is set. You are signed in."))
    return see_other(HOMES.get(user.role, "/me"))


def _again(
    request: Request[Any, Any, Any], token: str, account: User, errors: dict[str, str]
) -> Template:
    form = Form({}, errors)
    return page(
        request,
        "accounts/invitation.html",
        status_code=REFUSED,
        form=form,
        token=token,
        account=account,
    )


invitation_handlers = [invitation_form, accept_invitation]
