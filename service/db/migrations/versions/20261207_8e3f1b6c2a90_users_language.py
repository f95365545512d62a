"""users.language: the language notifications are written in

Revision ID: 8e3f1b6c2a90
Revises: 5d2a7c1e9b44
Create Date: 2026-12-07 20:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8e3f1b6c2a90"
down_revision: str | None = "5d2a7c1e9b44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
