"""Notifications: one per person per event, newest first, marked read by their owner."""

from __future__ import annotations

from service.notifications.commands import notify
from service.notifications.messages import Message


def message(n: int) -> Message:
    return Message(kind="test", key=f"event-{n}", title=f"Event {n}", body=f"Body {n}")


async def test_the_same_event_is_told_once_and_listed_newest_first(api, actors, sessions):
    resident, other = await actors.resident(), await actors.resident()
    async with sessions() as session:
        assert await notify(session, [resident.id, other.id], message(1)) == 2
        await session.commit()
    async with sessions() as session:
        # A retried activity reports the same event again: nothing new is written.
        assert await notify(session, [resident.id, resident.id], message(1)) == 0
        assert await notify(session, [resident.id], message(2)) == 1
        await session.commit()

    page = (await api.get("/api/me/notifications", headers=resident.headers)).json()
    assert [n["title"] for n in page["items"]] == ["Event 2", "Event 1"]
    assert page["unread_count"] == 2

    first = page["items"][1]["id"]
    read = await api.post(f"/api/me/notifications/{first}/read", headers=resident.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = (await api.get("/api/me/notifications?unread=true", headers=resident.headers)).json()
    assert [n["title"] for n in unread["items"]] == ["Event 2"]
    assert unread["unread_count"] == 1

    # Someone else's notification does not exist, as far as this person can tell.
    stranger = await api.post(f"/api/me/notifications/{first}/read", headers=other.headers)
    assert stranger.status_code == 404

    marked = await api.post("/api/me/notifications/read-all", headers=resident.headers)
    assert marked.json() == {"marked": 1}
    assert (await api.get("/api/me/notifications", headers=other.headers)).json()[
        "unread_count"
    ] == 1


async def test_notifications_page_with_a_cursor(api, actors, sessions):
    resident = await actors.resident()
    async with sessions() as session:
        for n in range(5):
            await notify(session, [resident.id], message(n))
        await session.commit()
    titles, cursor = [], None
    while True:
        url = "/api/me/notifications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await api.get(url, headers=resident.headers)).json()
        titles += [n["title"] for n in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert titles == [f"Event {n}" for n in reversed(range(5))]
    assert (await api.get("/api/me/notifications")).status_code == 401
