"""Alembic environment: runs on the connection ``service.db.migrate`` hands over, or, from
the ``alembic`` command line, on ``PROEFTUIN_DATABASE_URL`` / the embedded SQLite file."""

import asyncio

import sqlmodel  # noqa: F401  (migration scripts refer to sqlmodel types)
from alembic import context
from sqlalchemy.engine import Connection

from service.tables import metadata

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from service.db.engine import create_engine
    from service.settings import get_settings

    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = create_engine(url, statement_timeout=False)  # a migration may run long
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_settings())
