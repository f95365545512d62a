"""The migrations build exactly the schema the models describe, on either database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.db import create_engine
from service.tables import metadata


async def test_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)

    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
    await engine.dispose()
    assert diff == []
