"""matches.confidence: the lexical score moved by the calibrated closeness in meaning, on which
recommendations are decided

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matches') as batch:
        batch.add_column(sa.Column('confidence', sa.Float(), nullable=False, server_default='0'))
    # Existing rows were decided on their lexical score; the next computation of their need's or
    # patent's matches measures their closeness.
    matches = sa.table('matches', sa.column('lexical_score', sa.Float), sa.column('confidence', sa.Float))
    op.get_bind().execute(sa.update(matches).values(confidence=matches.c.lexical_score))


def downgrade() -> None:
    with op.batch_alter_table('matches') as batch:
        batch.drop_column('confidence')
