"""The transcript keeps edits and deletions of chat messages as lines of their own.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript") as batch:
        batch.add_column(sa.Column("change", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("transcript") as batch:
        batch.drop_column("change")
