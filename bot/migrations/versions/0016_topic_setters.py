"""The topics' history says who moved the meeting to each topic.

``s/old/new/`` corrects a topic's title only for whoever set that topic; the history rows
(``topic_changes``) are written for every topic change already, held back and written in
batches, so who set it travels with them rather than in a statement of its own. Rows from
before this revision have no setter (""): nobody but a new ``#topic`` sets those again.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("topic_changes") as batch:
        batch.add_column(sa.Column("set_by", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("set_by_name", sa.String(200), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("topic_changes") as batch:
        batch.drop_column("set_by_name")
        batch.drop_column("set_by")
