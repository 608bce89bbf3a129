"""Ready for a pilot (issue 13)

Deals carry the step one party proposed until the other side agrees (target, terms, one flag
per awaited side).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DEAL_STATES = ('requested', 'negotiating', 'free_active', 'conversion_due', 'converted',
               'transferred', 'declined', 'lapsed', 'terminated')


def upgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_to', sa.Enum(*DEAL_STATES, name='dealstate',
                                                            native_enum=False, length=32),
                                      nullable=True))
        batch_op.add_column(sa.Column('pending', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('awaits_owner', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('awaits_enterprise', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_deals_awaits_owner'), ['awaits_owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_awaits_enterprise'), ['awaits_enterprise'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_awaits_enterprise'))
        batch_op.drop_index(batch_op.f('ix_deals_awaits_owner'))
        batch_op.drop_column('awaits_enterprise')
        batch_op.drop_column('awaits_owner')
        batch_op.drop_column('pending')
        batch_op.drop_column('pending_to')
