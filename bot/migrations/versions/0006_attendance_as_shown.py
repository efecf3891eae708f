"""attendance keeps the name, handle and affiliation shown at that meeting

Minutes re-rendered later (``gavel minutes N``) must show people as they were at the
meeting, not as they described themselves since. Existing rows are filled from ``people``
as it stands: the best record of the past there is.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("shown_name", sa.String(length=200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("shown_github", sa.String(length=100), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("shown_affiliation", sa.String(length=200), nullable=False,
                                   server_default=""))
    for column in ("name", "github", "affiliation"):
        op.execute(f"UPDATE attendance SET shown_{column} = "
                   f"(SELECT people.{column} FROM people WHERE people.id = attendance.person_id)")


def downgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.drop_column("shown_affiliation")
        batch.drop_column("shown_github")
        batch.drop_column("shown_name")
