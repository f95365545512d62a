"""``/api/health`` says the process is alive and touches nothing else; ``/api/ready``
says whether it can serve: the database reachable and migrated, Temporal reachable. A
503 names what is wrong, and nothing more (no address, no error text)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from service.app import create_app


def assert_names_only_what_is_wrong(response, settings) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert len(response.content) < 300
    assert settings.resolved_database_url not in response.text
    assert settings.resolved_temporal_address not in response.text
    assert "Error" not in response.text and "Traceback" not in response.text


async def test_ready_when_the_database_is_migrated_and_temporal_answers(settings, worker):
    async with AsyncTestClient(app=create_app(settings)) as api:
        alive = await api.get("/api/health")
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        ready = await api.get("/api/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "temporal": "ok"},
    }


async def test_without_temporal_alive_but_not_ready(settings):
    async with AsyncTestClient(app=create_app(settings)) as api:  # nothing at its address
        assert (await api.get("/api/health")).json() == {"status": "ok"}
        ready = await api.get("/api/ready")
    assert_names_only_what_is_wrong(ready, settings)
    assert ready.json() == {
        "status_code": 503,
        "detail": "not ready: temporal unreachable",
        "extra": {"database": "ok", "migrations": "ok", "temporal": "unreachable"},
    }


async def test_without_the_database_alive_but_not_ready(settings):
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://proeftuin:hunter2secret@127.0.0.1:1/x"}
    )
    async with AsyncTestClient(app=create_app(unreachable)) as api:
        alive = await api.get("/api/health")  # a liveness probe never restarts us for this
        ready = await api.get("/api/ready")
    assert alive.status_code == 200
    assert_names_only_what_is_wrong(ready, unreachable)
    assert "hunter2secret" not in ready.text
    assert ready.json() == {
        "status_code": 503,
        "detail": "not ready: database unreachable, migrations unknown, temporal unreachable",
        "extra": {"database": "unreachable", "migrations": "unknown", "temporal": "unreachable"},
    }


async def test_a_database_behind_the_code_is_not_ready(settings, sessions, worker):
    async with sessions() as session:
        head = (await session.exec(text("SELECT version_num FROM alembic_version"))).one()[0]
        await session.exec(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
        await session.commit()
    try:
        async with AsyncTestClient(app=create_app(settings)) as api:
            ready = await api.get("/api/ready")
    finally:  # on PostgreSQL the next test empties this database, and keeps its version
        async with sessions() as session:
            await session.exec(
                text("UPDATE alembic_version SET version_num = :head").bindparams(head=head)
            )
            await session.commit()
    assert_names_only_what_is_wrong(ready, settings)
    assert ready.json()["detail"] == "not ready: migrations behind"
