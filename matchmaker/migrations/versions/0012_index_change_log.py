"""index change log: commit-ordered sequence numbers and per-replica cursors

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_index_outbox_seq'), ['seq'])
    op.create_table('index_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_sequence'))
    )
    op.create_table('index_cursors',
    sa.Column('replica', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('replica', 'kind', name=op.f('pk_index_cursors'))
    )
    # Pending work of the delete-on-apply outbox keeps its order.
    op.execute("UPDATE index_outbox SET seq = id")
    op.execute("INSERT INTO index_sequence (id, value) "
               "SELECT 1, COALESCE(MAX(id), 0) FROM index_outbox")


def downgrade() -> None:
    op.drop_table('index_cursors')
    op.drop_table('index_sequence')
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_index_outbox_seq'), type_='unique')
        batch_op.drop_column('seq')
