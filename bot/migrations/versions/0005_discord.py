"""discord: synced command-tree hashes, scheduled events Gavel created

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('discord_command_syncs',
    sa.Column('guild_id', sa.String(length=30), nullable=False),
    sa.Column('tree_hash', sa.String(length=64), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('guild_id')
    )
    op.create_table('discord_scheduled_events',
    sa.Column('event_id', sa.String(length=30), nullable=False),
    sa.Column('guild_id', sa.String(length=30), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('discord_scheduled_events_by_group', 'discord_scheduled_events',
                    ['guild_id', 'group_name'], unique=False)


def downgrade() -> None:
    op.drop_index('discord_scheduled_events_by_group', table_name='discord_scheduled_events')
    op.drop_table('discord_scheduled_events')
    op.drop_table('discord_command_syncs')
