from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import (
    EmailPreference,
    EmailPreferencePublic,
    EmailPreferenceUpdate,
    MarkedRead,
    NotificationPage,
    NotificationPublic,
    UnsubscribeResult,
)
from service.auth.guards import requires_login
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge
from service.http.openapi import refusals
from service.notifications.services import (
    NotificationService,
    email_preference,
    set_email_preference,
)
from service.notifications.templates import templates
from service.notifications.tokens import read_unsubscribe_token
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.paths import UNSUBSCRIBE_PATH
from service.residents.follows import followed_challenges, unfollow
from service.security import CSRF_FIELD, EXCLUDE_FROM_CSRF, csrf_token
from service.security.headers import PAGE_POLICY

# The unsubscribe page looks like the pages (service/web): it loads their stylesheet from
# /static, which the API's policy would refuse; nothing else is let in.
UNSUBSCRIBE_POLICY = PAGE_POLICY.replace("style-src ", "style-src 'self' ", 1)


def provide_notification_service(db_session: NamedDependency[AsyncSession]) -> NotificationService:
    return NotificationService(db_session)


class NotificationController(Controller):
    path = "/api/me/notifications"
    tags = ["notifications"]
    guards = [requires_login]
    dependencies = {"notifications": Provide(provide_notification_service, sync_to_thread=False)}

    @get("/", summary="The signed-in person's notifications, newest first")
    async def list_notifications(
        self,
        notifications: NamedDependency[NotificationService],
        user: NamedDependency[CurrentUser],
        unread: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> NotificationPage:
        return await notifications.page(user.id, unread, cursor, limit)

    @post("/{notification_id:int}/read", status_code=200, summary="Mark one as read")
    async def mark_read(
        self,
        notification_id: FromPath[int],
        notifications: NamedDependency[NotificationService],
        user: NamedDependency[CurrentUser],
    ) -> NotificationPublic:
        return await notifications.mark_read(user.id, notification_id)

    @post("/read-all", status_code=200, summary="Mark every notification as read")
    async def mark_all_read(
        self,
        notifications: NamedDependency[NotificationService],
        user: NamedDependency[CurrentUser],
    ) -> MarkedRead:
        return MarkedRead(marked=await notifications.mark_all_read(user.id))


class EmailPreferenceController(Controller):
    path = "/api/me/email-preference"
    tags = ["notifications"]
    guards = [requires_login]

    @get("/", summary="How I get my notifications by e-mail")
    async def read(
        self, db_session: NamedDependency[AsyncSession], user: NamedDependency[CurrentUser]
    ) -> EmailPreferencePublic:
        return EmailPreferencePublic(email_preference=await email_preference(db_session, user.id))

    @put("/", summary="Choose e-mail for each notification, a daily digest, or none")
    async def update(
        self,
        data: JSONBody[EmailPreferenceUpdate],
        db_session: NamedDependency[AsyncSession],
        user: NamedDependency[CurrentUser],
    ) -> EmailPreferencePublic:
        await set_email_preference(db_session, user.id, data.email_preference)
        return EmailPreferencePublic(email_preference=data.email_preference)


@dataclass(frozen=True)
class LinkReader:
    """Whoever opened a mail's unsubscribe link: its account, and the link's token."""

    user: User
    user_id: int
    token: str


async def provide_link_reader(
    token: FromQuery[str], db_session: NamedDependency[AsyncSession], state: State
) -> LinkReader:
    """The account a mail's signed link names; 404 naming ``token`` for a link that is
    not one of ours (not signed by us, or not naming an id the database holds) or whose
    account is gone."""
    user_id = read_unsubscribe_token(state.settings.signing_secret(), token)
    user = await db_session.get(User, user_id) if user_id is not None else None
    if user is None or user.id is None:
        message = "not a link this service sent, or its account is gone"
        raise NotFoundException(
            "this unsubscribe link is not valid (any more)",
            extra=[{"key": "token", "message": message, "source": "query"}],
        )
    return LinkReader(user=user, user_id=user.id, token=token)


async def _unsubscribe_page(
    session: AsyncSession,
    reader: LinkReader,
    request: Request[Any, Any, Any],
    *,
    done: bool = False,
    unfollowed: str | None = None,
) -> Response[str]:
    """The page behind a mail's link: stop all e-mail, or stop following one challenge
    (its phases, pilots and decision), each a form with the page's CSRF token."""
    link = f"?token={reader.token}"
    follows = [
        {"title": c.title, "action": f"{UNSUBSCRIBE_PATH}/unfollow/{c.id}{link}"}
        for c in await followed_challenges(session, reader.user_id)
    ]
    html = (
        templates()
        .get_template("unsubscribe.html")
        .render(
            done=done,
            unfollowed=unfollowed,
            email=reader.user.email,
            action=f"{UNSUBSCRIBE_PATH}/confirm{link}",
            follows=follows,
            csrf_field=CSRF_FIELD,
            csrf_token=csrf_token(request),
            stylesheet=request.app.state.get("stylesheet"),
        )
    )
    return Response(
        html, media_type=MediaType.HTML, headers={"content-security-policy": UNSUBSCRIBE_POLICY}
    )


def refusal_as_json(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A refusal of the unsubscribe page or its forms (a link that is not ours, no CSRF
    token) in the API's error body, labelled JSON: Litestar would label it text/html,
    the page's type."""
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(
        body, status_code=exc.status_code, media_type=MediaType.JSON, headers=exc.headers
    )


class UnsubscribeController(Controller):
    """The link in every mail: works without signing in, by its signed token. GET shows
    a confirmation page (link scanners follow links) whose forms POST to ``/confirm``
    (all e-mail) or ``/unfollow/{id}`` (one challenge) with a CSRF token; a mail
    client's one-click unsubscribe (RFC 8058) POSTs to the link itself, without
    cookies, so that handler is left out of CSRF checks: the signed token in its URL is
    what proves the mail reached its reader."""

    path = UNSUBSCRIBE_PATH
    tags = ["notifications"]
    dependencies = {"reader": Provide(provide_link_reader)}
    exception_handlers = {NotFoundException: refusal_as_json, HTTPException: refusal_as_json}

    @get(
        "/",
        summary="The unsubscribe page of a mail's link",
        media_type=MediaType.HTML,
        responses=refusals(404),  # a link that is not ours, or whose account is gone
    )
    async def page(
        self,
        reader: NamedDependency[LinkReader],
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
    ) -> Response[str]:
        return await _unsubscribe_page(db_session, reader, request)

    @post(
        "/confirm",
        status_code=200,
        media_type=MediaType.HTML,
        summary="The unsubscribe page's form: stop all e-mail (needs the page's CSRF token)",
        responses=refusals(403, 404),  # no CSRF token; a link that is not ours
    )
    async def confirm(
        self,
        reader: NamedDependency[LinkReader],
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
    ) -> Response[str]:
        await set_email_preference(db_session, reader.user_id, EmailPreference.NONE)
        return await _unsubscribe_page(db_session, reader, request, done=True)

    @post(
        "/unfollow/{challenge_id:int}",
        status_code=200,
        media_type=MediaType.HTML,
        summary="The unsubscribe page's other form: stop following one challenge, keep the "
        "rest of the e-mail (needs the page's CSRF token)",
        responses=refusals(403, 404),  # no CSRF token; a link that is not ours
    )
    async def unfollow(
        self,
        challenge_id: FromPath[int],
        reader: NamedDependency[LinkReader],
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
    ) -> Response[str]:
        challenge = await db_session.get(Challenge, challenge_id)
        if challenge is None:
            raise NotFoundException(f"no challenge {challenge_id}")
        await unfollow(db_session, challenge_id, reader.user_id)
        await db_session.commit()
        return await _unsubscribe_page(db_session, reader, request, unfollowed=challenge.title)

    @post(
        "/",
        status_code=200,
        summary="One-click unsubscribe (RFC 8058): stop all e-mail to the token's account",
        opt=EXCLUDE_FROM_CSRF,
        responses=refusals(404),  # a link that is not ours
    )
    async def unsubscribe(
        self, reader: NamedDependency[LinkReader], db_session: NamedDependency[AsyncSession]
    ) -> UnsubscribeResult:
        await set_email_preference(db_session, reader.user_id, EmailPreference.NONE)
        return UnsubscribeResult(email=reader.user.email, email_preference=EmailPreference.NONE)
