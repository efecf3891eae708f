"""hackmd notes: one row per group and meeting day, the claim that creates its note once

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hackmd_notes",
        sa.Column("group_name", sa.String(200), primary_key=True),
        sa.Column("meeting_date", sa.String(10), primary_key=True),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_id", sa.String(100), nullable=False, server_default=""),
        sa.Column("url", sa.String(500), nullable=False, server_default=""),
        sa.Column("team", sa.String(200), nullable=False, server_default=""),
        sa.Column("initial_content", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("hackmd_notes")
