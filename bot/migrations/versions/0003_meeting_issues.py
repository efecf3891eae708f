"""meeting issues opened on GitHub

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_issues',
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.String(length=10), nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_name', 'meeting_date')
    )


def downgrade() -> None:
    op.drop_table('meeting_issues')
