from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import MarkedRead, NotificationPage, NotificationPublic
from service.auth.guards import requires_login
from service.auth.identity import CurrentUser
from service.notifications.services import NotificationService
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT


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
        return await notifications.list(user.id, unread, cursor, limit)

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
