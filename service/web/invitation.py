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
from service.paths import INVITATION_PATH
from service.web.i18n import N_
from service.web.password_pages import PasswordPages

HOMES = {"city": "/city", "evaluator": "/evaluator"}
PAGES = PasswordPages(
    form="accounts/invitation.html",
    link_not_valid="accounts/invitation_invalid.html",
    schema=InvitationAccept,
    done=N_("Your password is set. You are signed in."),
)


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
    return await PAGES.show(request, invitations.account_of, token)


@post(INVITATION_PATH, name="invitation.submit", status_code=303)
async def accept_invitation(
    request: Request[Any, Any, Any], invitations: NamedDependency[InvitationService]
) -> Response[Any]:
    return await PAGES.submit(
        request,
        invitations.account_of,
        invitations.accept,
        home=lambda user: HOMES.get(user.role, "/me"),
    )


invitation_handlers = [invitation_form, accept_invitation]
