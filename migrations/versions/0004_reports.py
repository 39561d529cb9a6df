"""reports: working-day numbers, satisfaction surveys, committee issues, Ombudsman letters;
indexes for the report queries (issue 8)

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-23

The indexes on cases, clocks and events serve the period queries of casework/reports
(received in a period; open cases by due date; clocks of a name started in a period; events
of an action in a period), each covering what its query reads. On PostgreSQL they are built
inside the migration's transaction (not CONCURRENTLY):
at a million cases each takes a few seconds.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee', sa.String(length=160), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('requested', sa.Text(), nullable=True),
    sa.Column('lead_officer', sa.String(length=160), nullable=True),
    sa.Column('due_meeting', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), server_default='outstanding', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('outstanding', 'on_agenda', 'completed', 'withdrawn')", name=op.f('ck_committee_issues_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_issues'))
    )
    with op.batch_alter_table('committee_issues', schema=None) as batch_op:
        batch_op.create_index('ix_committee_issues_status_due', ['status', 'due_meeting'], unique=False)

    op.create_table('ombudsman_letters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('complaints_received', sa.Integer(), nullable=True),
    sa.Column('decisions', sa.Integer(), nullable=True),
    sa.Column('upheld', sa.Integer(), nullable=True),
    sa.Column('upheld_rate', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('compliance_rate', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('satisfactory_remedy_rate', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('upheld_per_100k', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_ombudsman_letters'))
    )
    op.create_table('report_settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_report_settings'))
    )
    op.create_table('working_day_numbers',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('n_with_closures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_working_day_numbers'))
    )
    op.create_table('satisfaction_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sample', sa.String(length=80), nullable=False),
    sa.Column('sampled_at', sa.DateTime(), nullable=False),
    sa.Column('sampled_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('accessible', sa.Integer(), nullable=True),
    sa.Column('easy_to_use', sa.Integer(), nullable=True),
    sa.Column('handling', sa.Integer(), nullable=True),
    sa.Column('remedy', sa.Integer(), nullable=True),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('accessible IS NULL OR accessible BETWEEN 1 AND 5', name=op.f('ck_satisfaction_surveys_accessible_score')),
    sa.CheckConstraint('easy_to_use IS NULL OR easy_to_use BETWEEN 1 AND 5', name=op.f('ck_satisfaction_surveys_easy_to_use_score')),
    sa.CheckConstraint('handling IS NULL OR handling BETWEEN 1 AND 5', name=op.f('ck_satisfaction_surveys_handling_score')),
    sa.CheckConstraint('overall IS NULL OR overall BETWEEN 1 AND 5', name=op.f('ck_satisfaction_surveys_overall_score')),
    sa.CheckConstraint('remedy IS NULL OR remedy BETWEEN 1 AND 5', name=op.f('ck_satisfaction_surveys_remedy_score')),
    sa.CheckConstraint('returned_on IS NULL OR sent_on IS NOT NULL', name=op.f('ck_satisfaction_surveys_returned_after_sent')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_satisfaction_surveys_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_satisfaction_surveys_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['sampled_by_id'], ['users.id'], name=op.f('fk_satisfaction_surveys_sampled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_surveys')),
    sa.UniqueConstraint('case_id', name=op.f('uq_satisfaction_surveys_case_id'))
    )
    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_surveys_sample', ['sample'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_kind_received_cover', ['kind', 'received_at', 'procedure', 'service_area_id'], unique=False)
        batch_op.create_index('ix_cases_open_due_grouping', ['next_due_on', 'procedure', 'stage'], unique=False,
                              postgresql_where=sa.text('is_open'), sqlite_where=sa.text('is_open = 1'))

    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.create_index('ix_clocks_name_started_on',
                              ['name', 'started_on', 'case_id', 'due_on', 'met_on', 'stopped_on', 'paused_since'],
                              unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_action_at', ['action', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_action_at')

    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_clocks_name_started_on')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_due_grouping', postgresql_where=sa.text('is_open'), sqlite_where=sa.text('is_open = 1'))
        batch_op.drop_index('ix_cases_kind_received_cover')

    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_surveys_sample')

    op.drop_table('satisfaction_surveys')
    op.drop_table('working_day_numbers')
    op.drop_table('report_settings')
    op.drop_table('ombudsman_letters')
    with op.batch_alter_table('committee_issues', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_issues_status_due')

    op.drop_table('committee_issues')
