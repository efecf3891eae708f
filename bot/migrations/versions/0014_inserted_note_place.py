"""Inserted notes keep their place: ``notes.place`` and the index of the notes that have one.

An ``i/anchor/text/`` insertion used to shift the contents of every later note one id
along, so that the inserted line could take the anchor's id; an action stayed tied to the
id its note left. The inserted note is now a note of its own with the next id and a place
between the ids of the two notes it went between. Every existing note keeps its id and its
content: the column is empty for them (their id is their place), and adding it rewrites
no row.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("place", sa.Float(), nullable=True))
        batch.create_index("notes_inserted", ["meeting_id", "place"],
                           sqlite_where=sa.text("place IS NOT NULL"),
                           postgresql_where=sa.text("place IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.drop_index("notes_inserted", sqlite_where=sa.text("place IS NOT NULL"),
                         postgresql_where=sa.text("place IS NOT NULL"))
        batch.drop_column("place")
