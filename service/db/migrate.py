"""Alembic, driven from code: ``proeftuin migrate`` and ``proeftuin up`` call ``migrate``."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.engine import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, statement_timeout=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, url, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions this code's migrations end at (one, unless branches are unmerged)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def applied_revisions(connection: AsyncConnection) -> frozenset[str]:
    """The revisions the database says it is at (empty: never migrated)."""
    try:
        async with connection.begin_nested():
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except (ProgrammingError, OperationalError):  # no alembic_version table yet
        return frozenset()
    return frozenset(row[0] for row in rows)


async def migrations_current(connection: AsyncConnection) -> bool:
    """Whether the database's schema is the one this code expects."""
    return await applied_revisions(connection) == head_revisions()
