"""votes, their ballots, and the W3C speaker queue

Revision ID: 0009
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('options', sa.Text(), nullable=False),
        sa.Column('opened_by', sa.String(length=200), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result', sa.Text(), server_default='', nullable=False),
        sa.Column('votes_required', sa.Integer(), server_default='0', nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('section', sa.String(length=20), server_default='none', nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('votes_by_meeting', 'votes', ['meeting_id', 'id'], unique=False)
    op.create_table(
        'ballots',
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('who', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('choice', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('vote_id', 'who'),
    )
    op.create_table(
        'speaker_queue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('who', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('about', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('speaker_queue_by_meeting', 'speaker_queue', ['meeting_id', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('speaker_queue_by_meeting', table_name='speaker_queue')
    op.drop_table('speaker_queue')
    op.drop_table('ballots')
    op.drop_index('votes_by_meeting', table_name='votes')
    op.drop_table('votes')
