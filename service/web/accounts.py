"""Signing up, in and out in the browser, through the API's own account service: the
same password rules, sign-in throttle and sign-up limit apply."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template

from schemas.auth import LoginRequest, RegisterRequest
from service.auth.controllers import provide_account_service
from service.auth.guards import current_user
from service.auth.mail import deliver
from service.auth.services import AccountService
from service.errors import NotAuthenticated, RateLimited
from service.web.forms import FORM, Form, FormInvalid, echoed, read_form, validate
from service.web.i18n import N_, Gettext, request_language
from service.web.rendering import gettext_for, page, safe_next, see_other
from service.web.session import flash, sign_in, sign_out

REFUSED = 422
TOO_MANY = 429
HOME = "/me"  # where a sign-in without a page to return to lands

# What to do about each field left empty, so the error summary says which one.
MISSING_ON_SIGN_UP = {
    "role": N_("Choose whether you sign up as a resident or as a startup."),
    "display_name": N_("Enter your name, or your company's name."),
    "email": N_("Enter your e-mail address."),
    "password": N_("Choose a password."),
}
MISSING_ON_SIGN_IN = {
    "email": N_("Enter your e-mail address."),
    "password": N_("Enter your password."),
}

account_dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}


def _client_address(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def _too_many(exc: RateLimited, _: Gettext) -> str:
    minutes = max(1, round(exc.retry_after / 60))
    return _("Too many attempts from here. Try again in %(minutes)s minutes.") % {
        "minutes": minutes
    }


@get("/register", name="register")
async def register_form(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template:
    if current_user(request) is not None:
        return page(request, "accounts/signed_in.html")
    return page(request, "accounts/register.html", form=Form(), next=safe_next(next, ""))


@post("/register", name="register.submit", status_code=303)
async def register(
    request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]
) -> Response[Any]:
    _ = gettext_for(request)
    values = await read_form(request)
    target = safe_next(values.pop("next", None), "/me")
    try:
        data = validate(RegisterRequest, values, _, MISSING_ON_SIGN_UP)
        signed_up = await accounts.sign_up(
            data, _client_address(request), request_language(request)
        )
    except FormInvalid as invalid:
        return _register_again(request, values, invalid.errors, target, REFUSED)
    except RateLimited as exc:
        return _register_again(request, values, {FORM: _too_many(exc, _)}, target, TOO_MANY)
    settings = request.app.state.settings
    if signed_up.user is None or settings.verifies_email:
        # Nothing is said of an account here: its owner is mailed. Where addresses are
        # confirmed, a new address gets this same page (and its confirmation mail), so
        # the answer is one for both; without confirmation a new account is signed in
        # at once, which would tell anyway (the embedded default).
        if settings.verifies_email:
            flash(
                request, N_("We have sent a mail to this address. Follow its link, then sign in.")
            )
        else:
            flash(request, N_("Sign in with your e-mail address and password."))
        redirect = see_other(f"/login?next={quote(target)}")
        if signed_up.mail is not None:
            redirect.background = BackgroundTask(deliver, settings, signed_up.mail)
        return redirect
    sign_in(request, signed_up.user)
    flash(request, "Your account is ready. You are signed in.")
    return see_other(target)


def _register_again(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    target: str,
    status_code: int,
) -> Template:
    form = Form(echoed(values), errors)
    return page(request, "accounts/register.html", status_code=status_code, form=form, next=target)


@get("/login", name="login")
async def login_form(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template:
    if current_user(request) is not None:
        return page(request, "accounts/signed_in.html")
    return page(request, "accounts/login.html", form=Form(), next=safe_next(next, ""))


@post("/login", name="login.submit", status_code=303)
async def login(
    request: Request[Any, Any, Any], accounts: NamedDependency[AccountService]
) -> Response[Any]:
    _ = gettext_for(request)
    values = await read_form(request)
    target = safe_next(values.pop("next", None), "")
    try:
        data = validate(LoginRequest, values, _, MISSING_ON_SIGN_IN)
        user = await accounts.sign_in(data.email, data.password, _client_address(request))
    except FormInvalid as invalid:
        return _login_again(request, values, invalid.errors, target, REFUSED)
    except NotAuthenticated:
        # Which of the two was wrong is not said: that would tell who has an account.
        message = _("The e-mail address or the password is not right.")
        errors = {"email": message, "password": _("Check your password and try again.")}
        return _login_again(request, values, errors, target, REFUSED)
    except RateLimited as exc:
        return _login_again(request, values, {FORM: _too_many(exc, _)}, target, TOO_MANY)
    sign_in(request, user)
    flash(request, "You are signed in.")
    return see_other(target or HOME)


def _login_again(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    target: str,
    status_code: int,
) -> Template:
    form = Form(echoed(values), errors)
    return page(request, "accounts/login.html", status_code=status_code, form=form, next=target)


@post("/logout", name="logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    sign_out(request)
    flash(request, "You are signed out.")
    return see_other("/")


account_handlers = [register_form, register, login_form, login, logout]
