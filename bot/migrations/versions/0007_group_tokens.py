"""group tokens: the unguessable part of calendar feed URLs and short calendar links

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('group_tokens',
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_name', 'purpose'),
    sa.UniqueConstraint('token')
    )


def downgrade() -> None:
    op.drop_table('group_tokens')
