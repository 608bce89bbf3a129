"""text vectors: sentence embeddings of patents and needs for semantic re-ranking

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import matchmaker.models.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('text_vectors',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=40), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'object_id', name=op.f('pk_text_vectors'))
    )


def downgrade() -> None:
    op.drop_table('text_vectors')
