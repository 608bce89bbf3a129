"""IP custody (issue 15)

Agreements between an enterprise and a service agency with their history, the agency's service
log, annuity payments, per-patent annuity reduction and risk date, and the operator's yearly
indicator targets.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:29:49
"""
from alembic import op
import sqlalchemy as sa

import matchmaker.models.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('custody_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('fee_yuan', sa.BigInteger(), nullable=True),
    sa.Column('voucher_kind', sa.Enum('none', 'innovation', 'service', name='voucherkind', native_enum=False, length=32), nullable=False),
    sa.Column('voucher_no', sa.String(length=60), nullable=False),
    sa.Column('voucher_value_yuan', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.Enum('proposed', 'active', 'declined', 'ended', 'terminated', name='agreementstate', native_enum=False, length=32), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('renewal_of_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['organizations.id'], name=op.f('fk_custody_agreements_agency_id_organizations')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_custody_agreements_enterprise_id_organizations')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['organizations.id'], name=op.f('fk_custody_agreements_proposed_by_id_organizations')),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['custody_agreements.id'], name=op.f('fk_custody_agreements_renewal_of_id_custody_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_agreements'))
    )
    with op.batch_alter_table('custody_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_agreements_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_agreements_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_agreements_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_agreements_state'), ['state'], unique=False)

    op.create_table('annuity_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
    sa.Column('late_fee_yuan', sa.BigInteger(), nullable=False),
    sa.Column('receipt_no', sa.String(length=60), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_annuity_payments_patent_id_patents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_annuity_payments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annuity_payments')),
    sa.UniqueConstraint('patent_id', 'year', name=op.f('uq_annuity_payments_patent_id'))
    )
    with op.batch_alter_table('annuity_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annuity_payments_patent_id'), ['patent_id'], unique=False)

    op.create_table('custody_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_custody_events_actor_id_users')),
    sa.ForeignKeyConstraint(['agreement_id'], ['custody_agreements.id'], name=op.f('fk_custody_events_agreement_id_custody_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events'))
    )
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_events_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('custody_service_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('visit', 'advice', 'filing', 'payment', 'other', name='servicelogkind', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['organizations.id'], name=op.f('fk_custody_service_log_agency_id_organizations')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_custody_service_log_author_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_custody_service_log_enterprise_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_service_log'))
    )
    with op.batch_alter_table('custody_service_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_service_log_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_service_log_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_indicator_targets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('key', 'year', name=op.f('uq_indicator_targets_key'))
    )
    with op.batch_alter_table('patents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('annuity_reduction', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('annuity_risk_since', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('patents', schema=None) as batch_op:
        batch_op.drop_column('annuity_risk_since')
        batch_op.drop_column('annuity_reduction')

    op.drop_table('indicator_targets')
    with op.batch_alter_table('custody_service_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_service_log_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_custody_service_log_agency_id'))

    op.drop_table('custody_service_log')
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_events_agreement_id'))

    op.drop_table('custody_events')
    with op.batch_alter_table('annuity_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annuity_payments_patent_id'))

    op.drop_table('annuity_payments')
    with op.batch_alter_table('custody_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_agreements_state'))
        batch_op.drop_index(batch_op.f('ix_custody_agreements_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_custody_agreements_end_date'))
        batch_op.drop_index(batch_op.f('ix_custody_agreements_agency_id'))

    op.drop_table('custody_agreements')
