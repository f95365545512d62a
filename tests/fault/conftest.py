"""Fault tests: the service's own processes on a real Temporal dev server and PostgreSQL,
broken on purpose. They need PostgreSQL (as production does); on SQLite they skip."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fault.deployment import Deployment


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PROEFTUIN_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(
        reason="fault tests run on PostgreSQL only: set PROEFTUIN_TEST_DATABASE_URL "
        "(CI's PostgreSQL pass runs them)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture
async def deployment(tmp_path: Path, database_url: str) -> AsyncIterator[Deployment]:
    running = Deployment(tmp_path, database_url)
    try:
        yield running
    finally:
        await running.close()
