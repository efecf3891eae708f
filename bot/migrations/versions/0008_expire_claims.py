"""expire delivery claims: index processed_events by time for the sweep

Revision ID: 0008
Revises: 0005
"""

from alembic import op

revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('processed_events_by_at', 'processed_events', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('processed_events_by_at', table_name='processed_events')
