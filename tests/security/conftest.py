"""One stack for a whole module (database, Temporal test server, worker, the app over
HTTP) and a world of records in it, for tests that make thousands of requests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.testing import WorkflowEnvironment

from service.db import create_engine, create_session_factory
from service.settings import Settings
from tests.actors import Actors
from tests.conftest import TEST_JWT_SECRET, clean_database, time_skipping_server
from tests.security.served import ThreadedApi
from tests.security.world import World, build_world
from tests.stack import ThreadedWorker


@pytest.fixture(scope="module")
async def module_database_url(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    return await clean_database(database_template, tmp_path_factory.mktemp("module-db"))


@pytest.fixture(scope="module")
async def module_temporal() -> AsyncIterator[WorkflowEnvironment]:
    env = await time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
def module_settings(
    module_database_url: str,
    module_temporal: WorkflowEnvironment,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=module_database_url,
        temporal_address=module_temporal.client.service_client.config.target_host,
        task_queue=f"proeftuin-test-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        # Fuzzing signs in with wrong passwords on purpose; the throttle has tests of
        # its own, and here it must not stop the fuzzer's own accounts from signing in.
        login_failures_per_email=1000,
        login_failures_per_ip=10_000,
        signups_per_ip=10_000,  # the world's accounts and the fuzzer's sign-ups, one address
        input_limit_per_hour=1000,
    )


@pytest.fixture(scope="module")
def served(module_settings: Settings) -> Iterator[ThreadedApi]:
    worker = ThreadedWorker(module_settings).start()
    api = ThreadedApi(module_settings).start()
    yield api
    api.stop()
    worker.stop()


@pytest.fixture(scope="module")
async def module_sessions(
    module_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(module_database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
async def world(
    served: ThreadedApi,
    module_sessions: async_sessionmaker[AsyncSession],
    module_temporal: WorkflowEnvironment,
    module_settings: Settings,
) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        yield await build_world(
            client, Actors(client, module_sessions), module_temporal, module_settings
        )
