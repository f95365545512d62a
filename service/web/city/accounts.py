"""The accounts in the city console (``/city/accounts``): every account with its role
and whether it is active, invited (no password chosen yet) or switched off; a form to
invite city staff or an evaluator by e-mail; switching an account off and on again."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from schemas.accounts import InvitationRequest
from schemas.common import Role
from service.auth.identity import CurrentUser
from service.auth.invitations import InvitationService
from service.auth.mail import deliver
from service.errors import FieldError
from service.web.forms import Form, FormInvalid, echoed, errors_from, read_form, validate
from service.web.i18n import N_, request_language
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

ACCOUNTS = "/city/accounts"
MISSING = {
    "display_name": N_("Enter the person's name."),
    "email": N_("Enter the person's e-mail address."),
    "role": N_("Choose whether you invite city staff or an evaluator."),
}


async def _accounts_page(
    request: Request[Any, Any, Any],
    invitations: InvitationService,
    form: Form,
    user: CurrentUser,
    status_code: int = 200,
) -> Template:
    accounts = await invitations.accounts()
    return page(
        request,
        "city/accounts.html",
        status_code=status_code,
        form=form,
        accounts=accounts,
        me=user.id,
    )


@get("/accounts", name="city.accounts")
async def accounts_page(
    request: Request[Any, Any, Any],
    city_invitations: NamedDependency[InvitationService],
    user: NamedDependency[CurrentUser],
) -> Template:
    return await _accounts_page(request, city_invitations, Form(), user)


@post("/accounts", name="city.invite", status_code=303)
async def invite(
    request: Request[Any, Any, Any],
    city_invitations: NamedDependency[InvitationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    _ = gettext_for(request)
    values = await read_form(request)
    try:
        data = validate(InvitationRequest, values, _, MISSING)
        message = await city_invitations.invite(
            user, data.email, data.display_name, Role(data.role), request_language(request)
        )
    except FormInvalid as invalid:
        form = Form(echoed(values), invalid.errors)
        return await _accounts_page(request, city_invitations, form, user, 422)
    except FieldError as exc:
        form = Form(echoed(values), errors_from(exc, _))
        return await _accounts_page(request, city_invitations, form, user, 422)
    flash(request, N_("The invitation is on its way."))
    redirect = see_other(ACCOUNTS)
    redirect.background = BackgroundTask(deliver, request.app.state.settings, message)
    return redirect


@post("/accounts/{user_id:int}/deactivate", name="city.deactivate", status_code=303)
async def deactivate(
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    city_invitations: NamedDependency[InvitationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    await city_invitations.set_active(user, user_id, False)
    flash(request, N_("The account is switched off: it can no longer sign in."))
    return see_other(ACCOUNTS)


@post("/accounts/{user_id:int}/activate", name="city.activate", status_code=303)
async def activate(
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    city_invitations: NamedDependency[InvitationService],
    user: NamedDependency[CurrentUser],
) -> Response[Any]:
    await city_invitations.set_active(user, user_id, True)
    flash(request, N_("The account is switched on again."))
    return see_other(ACCOUNTS)


account_handlers = [accounts_page, invite, deactivate, activate]
