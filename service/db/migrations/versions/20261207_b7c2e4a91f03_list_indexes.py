"""Indexes for the lists that grow, read newest first a page at a time (keyset on id):
a challenge's proposals and resident input (challenge_id, id), and the challenges by
phase (phase, id). Each replaces the single-column index it begins with.

Revision ID: b7c2e4a91f03
Revises: 8e3f5b1c2d70
Create Date: 2026-12-07 22:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7c2e4a91f03"
down_revision: str | None = "8e3f5b1c2d70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLACED = [
    # (table, old single-column index, its column, new index, its columns)
    ("proposals", "ix_proposals_challenge_id", "challenge_id",
     "ix_proposals_challenge_id_id", ["challenge_id", "id"]),
    ("resident_inputs", "ix_resident_inputs_challenge_id", "challenge_id",
     "ix_resident_inputs_challenge_id_id", ["challenge_id", "id"]),
    ("challenges", "ix_challenges_phase", "phase", "ix_challenges_phase_id", ["phase", "id"]),
]  # fmt: skip


def upgrade() -> None:
    for table, old, _column, new, columns in REPLACED:
        op.create_index(new, table, columns, unique=False)
        op.drop_index(old, table_name=table)


def downgrade() -> None:
    for table, old, column, new, _columns in REPLACED:
        op.create_index(old, table, [column], unique=False)
        op.drop_index(new, table_name=table)
