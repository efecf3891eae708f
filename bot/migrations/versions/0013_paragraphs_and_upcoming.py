"""Notes of kind "paragraph" and the meeting section "upcoming" (no new columns).

Nothing changes in the tables: the kind and the section are strings already. The revision
exists so that an older Gavel, which would fail on reading those values, sees a database
newer than itself and says so at start instead of failing on the first such row.

Revision ID: 0013
Revises: 0012
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the new values fit the existing columns."""


def downgrade() -> None:
    """Nothing to undo."""
