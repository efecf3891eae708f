"""the group's memory: action items across meetings, agenda items between meetings

Revision ID: 0010
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owners', sa.Text(), server_default='[]', nullable=False),
    sa.Column('owner_ids', sa.Text(), server_default='[]', nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('note_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), server_default='', nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('github_repo', sa.String(length=200), server_default='', nullable=False),
    sa.Column('github_number', sa.Integer(), nullable=True),
    sa.Column('github_url', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_name', 'number', name='one_action_number_per_group')
    )
    op.create_index('action_items_by_status', 'action_items', ['group_name', 'status'],
                    unique=False)
    op.create_table('action_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change', sa.String(length=20), nullable=False),
    sa.Column('by_name', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action_items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('action_changes_by_meeting', 'action_changes', ['meeting_id'],
                    unique=False)
    op.create_table('pending_agenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('repo', sa.String(length=200), server_default='', nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), server_default='', nullable=False),
    sa.Column('is_pr', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('added_by', sa.String(length=200), server_default='', nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('pending_agenda_by_group', 'pending_agenda', ['group_name', 'meeting_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('pending_agenda_by_group', table_name='pending_agenda')
    op.drop_table('pending_agenda')
    op.drop_index('action_changes_by_meeting', table_name='action_changes')
    op.drop_table('action_changes')
    op.drop_index('action_items_by_status', table_name='action_items')
    op.drop_table('action_items')
