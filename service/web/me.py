"""The signed-in person's page: what they were told (marked read one by one or all at
once), what they said and how the city answered (hidden input with the city's reason),
the challenges a resident follows, and how they want e-mail. The same reads and writes
as ``/api/me/...``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Role
from schemas.notifications import EmailPreference, EmailPreferenceUpdate
from service.auth.guards import requires_login
from service.auth.identity import CurrentUser
from service.challenges.search import challenge_titles
from service.notifications.controllers import provide_notification_service
from service.notifications.services import (
    NotificationService,
    email_preference,
    set_email_preference,
)
from service.residents.controllers import provide_input_service
from service.residents.follows import FollowService
from service.residents.services import InputService
from service.web.forms import Form, FormInvalid, read_form, validate
from service.web.i18n import N_
from service.web.rendering import gettext_for, page, see_other
from service.web.session import flash

SHOWN = 20
CHOOSE = N_("Choose how you want to hear about your notifications.")

EMAIL_CHOICES = [
    (EmailPreference.IMMEDIATE.value, N_("An e-mail for each notification")),
    (EmailPreference.DAILY.value, N_("One e-mail a day with everything new")),
    (EmailPreference.NONE.value, N_("No e-mail: I look on this page")),
]

me_dependencies = {
    "notifications": Provide(provide_notification_service, sync_to_thread=False),
    "inputs": Provide(provide_input_service, sync_to_thread=False),
}


async def _me_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    db_session: AsyncSession,
    notifications: NotificationService,
    inputs: InputService,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    told = await notifications.page(user.id, False, None, SHOWN)
    mine = await inputs.list_mine(user, None, SHOWN) if user.role == Role.RESIDENT else None
    titles = await challenge_titles(
        db_session, [i.challenge_id for i in mine.items] if mine else []
    )
    preference = await email_preference(db_session, user.id)
    resident = user.role == Role.RESIDENT
    follows = await FollowService(db_session).mine(user, None, SHOWN) if resident else None
    return page(
        request,
        "me/me.html",
        status_code=status_code,
        user=user,
        notifications=told.items,
        unread_count=told.unread_count,
        inputs=mine.items if mine else None,
        challenge_titles=titles,
        follows=follows.items if follows else None,
        email_choices=EMAIL_CHOICES,
        form=form or Form({"email_preference": preference.value}),
    )


@get("/me", name="me", guards=[requires_login])
async def me(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    notifications: NamedDependency[NotificationService],
    inputs: NamedDependency[InputService],
) -> Template:
    return await _me_page(request, user, db_session, notifications, inputs)


@post("/me/email-preference", name="me.email_preference", guards=[requires_login], status_code=303)
async def change_email_preference(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    db_session: NamedDependency[AsyncSession],
    notifications: NamedDependency[NotificationService],
    inputs: NamedDependency[InputService],
) -> Response[Any]:
    """The API's ``PUT /api/me/email-preference``, as a form."""
    values = await read_form(request)
    try:
        data = validate(
            EmailPreferenceUpdate, values, gettext_for(request), {"email_preference": CHOOSE}
        )
    except FormInvalid as invalid:
        form = Form({"email_preference": values.get("email_preference", "")}, invalid.errors)
        return await _me_page(
            request, user, db_session, notifications, inputs, form=form, status_code=422
        )
    await set_email_preference(db_session, user.id, data.email_preference)
    flash(request, "Your e-mail choice is saved.")
    return see_other("/me#email")


@post(
    "/me/notifications/{notification_id:int}/read",
    name="me.notification_read",
    guards=[requires_login],
    status_code=303,
)
async def mark_read(
    request: Request[Any, Any, Any],
    notification_id: FromPath[int],
    user: NamedDependency[CurrentUser],
    notifications: NamedDependency[NotificationService],
) -> Response[Any]:
    """The API's ``POST /api/me/notifications/{id}/read``."""
    await notifications.mark_read(user.id, notification_id)
    return see_other(f"/me#notification-{notification_id}")


@post(
    "/me/notifications/read-all",
    name="me.notifications_read",
    guards=[requires_login],
    status_code=303,
)
async def mark_all_read(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    notifications: NamedDependency[NotificationService],
) -> Response[Any]:
    """The API's ``POST /api/me/notifications/read-all``."""
    await notifications.mark_all_read(user.id)
    flash(request, N_("Every notification is marked as read."))
    return see_other("/me#notifications")


me_handlers = [me, change_email_preference, mark_read, mark_all_read]
