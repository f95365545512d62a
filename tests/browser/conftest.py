"""Browser tests: the app served over real HTTP (uvicorn in a thread, with a worker and
Temporal's test server), Debian's chromium driven by Playwright, and axe-core checking
every page visited for WCAG 2.1 A and AA.

``playwright install`` cannot download a browser here: the tests use the system's
``/usr/bin/chromium`` (``./dev test`` installs it with apt-get when it is missing) and
are skipped, saying why, on a machine without it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.testing import WorkflowEnvironment

from service.db import create_engine, create_session_factory
from service.settings import Settings
from tests.conftest import NO_TEMPORAL, TEST_JWT_SECRET, clean_database, time_skipping_server
from tests.security.served import ThreadedApi
from tests.stack import ThreadedWorker

CHROMIUM = Path(os.environ.get("PROEFTUIN_CHROMIUM", "/usr/bin/chromium"))
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The screenshots in docs/screenshots are remade on request (PROEFTUIN_SCREENSHOTS=1
# ./dev test tests/browser), so an ordinary run leaves the working tree as it was.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
WCAG = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


@pytest.fixture(scope="module")
async def browser_database_url(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    return await clean_database(database_template, tmp_path_factory.mktemp("browser-db"))


@pytest.fixture(scope="module")
async def browser_temporal() -> AsyncIterator[WorkflowEnvironment]:
    env = await time_skipping_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
def browser_settings(
    browser_database_url: str,
    browser_temporal: WorkflowEnvironment,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("browser-data"),
        database_url=browser_database_url,
        temporal_address=browser_temporal.client.service_client.config.target_host,
        task_queue=f"proeftuin-browser-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        time_zone="Europe/Amsterdam",
        signups_per_ip=1000,
    )


@pytest.fixture(scope="module")
def served(browser_settings: Settings) -> Iterator[ThreadedApi]:
    worker = ThreadedWorker(browser_settings).start()
    api = ThreadedApi(browser_settings).start()
    yield api
    api.stop()
    worker.stop()


@pytest.fixture(scope="module")
async def browser_sessions(
    browser_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(browser_database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("PROEFTUIN_SCREENSHOTS"):
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip(f"no chromium at {CHROMIUM}: apt-get install chromium (./dev test does)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture(scope="module")
def served_without_temporal(
    browser_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadedApi]:
    """The app over HTTP with no Temporal server and no worker, for pages that start no
    workflow (the OpenAPI docs, error pages, signing up and in)."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("plain-data"),
        database_url=browser_database_url,
        temporal_address=NO_TEMPORAL,
        task_queue=f"proeftuin-plain-{uuid.uuid4().hex[:8]}",
        jwt_secret=TEST_JWT_SECRET,
        signups_per_ip=1000,
    )
    api = ThreadedApi(settings).start()
    yield api
    api.stop()
