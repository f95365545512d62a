"""A forgotten password in the browser: ask for a link by e-mail (/password-reset), then
choose the new password on the page the link opens (/password-reset/new), through the
API's own use case: the same answer for every address, the same limits and rules."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template

from schemas.accounts import PasswordResetConfirm, PasswordResetRequest
from service.auth.mail import deliver
from service.auth.password_reset import PasswordResetService
from service.auth.reset_controllers import provide_password_resets
from service.errors import RateLimited
from service.paths import PASSWORD_RESET_PATH
from service.web.accounts import REFUSED, TOO_MANY, _client_address, _too_many
from service.web.forms import FORM, Form, FormInvalid, echoed, read_form, validate
from service.web.i18n import N_, request_language
from service.web.password_pages import PasswordPages
from service.web.rendering import gettext_for, page, see_other

SENT_PATH = "/password-reset/sent"
MISSING_EMAIL = {"email": N_("Enter your e-mail address.")}
PAGES = PasswordPages(
    form="accounts/new_password.html",
    link_not_valid="accounts/reset_link_invalid.html",
    schema=PasswordResetConfirm,
    done=N_("Your new password is set. You are signed in."),
)

password_reset_dependencies = {"resets": Provide(provide_password_resets, sync_to_thread=False)}


@get("/password-reset", name="password_reset")
async def forgot_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "accounts/forgot.html", form=Form())


@post("/password-reset", name="password_reset.submit", status_code=303)
async def forgot(
    request: Request[Any, Any, Any], resets: NamedDependency[PasswordResetService]
) -> Response[Any]:
    _ = gettext_for(request)
    values = await read_form(request)
    try:
        data = validate(PasswordResetRequest, values, _, MISSING_EMAIL)
        message = await resets.request(
            data.email, _client_address(request), request_language(request)
        )
    except FormInvalid as invalid:
        form = Form(echoed(values), invalid.errors)
        return page(request, "accounts/forgot.html", status_code=REFUSED, form=form)
    except RateLimited as exc:
        form = Form(echoed(values), {FORM: _too_many(exc, _)})
        return page(request, "accounts/forgot.html", status_code=TOO_MANY, form=form)
    redirect = see_other(SENT_PATH)
    if message is not None:
        # After the answer: it takes as long whether or not the address has an account.
        redirect.background = BackgroundTask(deliver, request.app.state.settings, message)
    return redirect


@get(SENT_PATH, name="password_reset.sent")
async def forgot_sent(request: Request[Any, Any, Any]) -> Template:
    return page(request, "accounts/forgot_sent.html")


@get(PASSWORD_RESET_PATH, name="password_reset.new")
async def new_password_form(
    request: Request[Any, Any, Any],
    resets: NamedDependency[PasswordResetService],
    token: FromQuery[str] = "",
) -> Template:
    return await PAGES.show(request, resets.account_of, token)


@post(PASSWORD_RESET_PATH, name="password_reset.new.submit", status_code=303)
async def new_password(
    request: Request[Any, Any, Any], resets: NamedDependency[PasswordResetService]
) -> Response[Any]:
    return await PAGES.submit(request, resets.account_of, resets.confirm, home=lambda _: "/me")


password_reset_handlers = [forgot_form, forgot, forgot_sent, new_password_form, new_password]
