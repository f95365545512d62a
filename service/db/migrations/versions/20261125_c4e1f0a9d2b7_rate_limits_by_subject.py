"""rate limits by subject: accounts, sign-in e-mail addresses and client addresses

The counters were keyed by account; sign-in throttling also counts attempts for an
e-mail address (which may have no account) and for a client address, so the key is now
a subject string ("user:42", "email:<sha256>", "ip:203.0.113.7"). The table only holds
counts of the current hour or quarter, so it is recreated rather than converted: at most
one window of counts is forgotten at the upgrade.

Revision ID: c4e1f0a9d2b7
Revises: 3d8e96f69c70
Create Date: 2026-11-25 10:12:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4e1f0a9d2b7"
down_revision: str | None = "3d8e96f69c70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("rate_limit_windows")
    op.create_table(
        "rate_limit_windows",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "action"),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_windows")
    op.create_table(
        "rate_limit_windows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id", "action"),
    )
