"""What the tests of ``proeftuin up`` as a real process share."""

from __future__ import annotations

import pytest

from tests.processes import free_port


@pytest.fixture
def up_env(tmp_path, database_url):
    """The environment of an ``up`` of the test's own: its data folder and free ports,
    and the test's PostgreSQL database when the suite runs on one."""
    env = {
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_HTTP_PORT": str(free_port()),
        "PROEFTUIN_TEMPORAL_PORT": str(free_port()),
        "PROEFTUIN_TEMPORAL_UI_PORT": str(free_port()),
    }
    if not database_url.startswith("sqlite"):
        env["PROEFTUIN_DATABASE_URL"] = database_url  # else: the embedded SQLite default
    (tmp_path / "data").mkdir(exist_ok=True)
    return env
