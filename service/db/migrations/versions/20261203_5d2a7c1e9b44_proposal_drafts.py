"""proposal drafts: a startup's saved, unsubmitted proposal form, one per challenge

Revision ID: 5d2a7c1e9b44
Revises: c4e1f0a9d2b7
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5d2a7c1e9b44"
down_revision: str | None = "c4e1f0a9d2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("startup_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("budget_eur", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("public_title_consent", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenges.id"]),
        sa.ForeignKeyConstraint(["startup_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "challenge_id", "startup_id", name="uq_proposal_drafts_challenge_startup"
        ),
    )
    with op.batch_alter_table("proposal_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_drafts_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_drafts_startup_id"), ["startup_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_drafts_startup_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_drafts_challenge_id"))
    op.drop_table("proposal_drafts")
