"""Agenda items keep their title's lookup key (``bot.text.bare_title``), indexed.

``#topic <title>`` and ``#agenda add`` find an item by it with one index probe instead of
reading the whole agenda. The key is Python's (``str.casefold``, Unicode spaces), which no
SQL function computes the same in every database, so existing rows are filled in here,
in Python, a batch at a time. The key is this release's ``bare_title``: a change to that
function needs a migration of its own that recomputes the column.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

from bot.text import bare_title

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("title_key", sa.Text(), nullable=False, server_default=""))
    items = sa.table("agenda_items", sa.column("id", sa.Integer), sa.column("title", sa.Text),
                     sa.column("title_key", sa.Text))
    fill = (sa.update(items).where(items.c.id == sa.bindparam("item_id"))
            .values(title_key=sa.bindparam("key")))
    connection = op.get_bind()
    last = 0
    while rows := connection.execute(
            sa.select(items.c.id, items.c.title).where(items.c.id > last)
            .order_by(items.c.id).limit(_BATCH)).all():
        connection.execute(fill, [{"item_id": item_id, "key": bare_title(title)}
                                  for item_id, title in rows])
        last = rows[-1][0]
    with op.batch_alter_table("agenda_items") as batch:
        batch.create_index("agenda_items_by_title", ["meeting_id", "title_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_index("agenda_items_by_title")
        batch.drop_column("title_key")
