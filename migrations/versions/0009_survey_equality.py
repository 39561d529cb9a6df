"""survey equality: the equality monitoring questions on the satisfaction form (004 §16.2; issue 8)

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_equality',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('declined', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('age_band', sa.String(length=20), nullable=True),
    sa.Column('sex', sa.String(length=30), nullable=True),
    sa.Column('gender_identity', sa.String(length=40), nullable=True),
    sa.Column('ethnicity', sa.String(length=80), nullable=True),
    sa.Column('disability', sa.String(length=30), nullable=True),
    sa.Column('religion', sa.String(length=60), nullable=True),
    sa.Column('sexual_orientation', sa.String(length=40), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['satisfaction_surveys.id'], name=op.f('fk_survey_equality_survey_id_satisfaction_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', name=op.f('pk_survey_equality'))
    )


def downgrade():
    op.drop_table('survey_equality')
