"""Events, enterprise profiles, indicator table (issue 16)

Enterprise profiles (size class, founding year, status, district); roadshow and matchmaking
events with their programme, registrations and followed-up pairs; the event a deal came out
of; parties' consent to be named in success cases; indicator targets per scope (platform,
region, district).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 12:36:51.783605
"""
from alembic import op
import sqlalchemy as sa

import matchmaker.models.types


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enterprise_profiles',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('industry', 'software', 'agriculture', 'wholesale', 'retail', 'other', name='sector', native_enum=False, length=32), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('revenue_wan', sa.Integer(), nullable=True),
    sa.Column('size_class', sa.Enum('micro', 'small', 'medium', 'large', name='sizeclass', native_enum=False, length=32), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('specialized', sa.Boolean(), nullable=False),
    sa.Column('high_tech', sa.Boolean(), nullable=False),
    sa.Column('covid_affected', sa.Boolean(), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('industry', sa.String(length=32), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_enterprise_profiles_enterprise_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_enterprise_profiles_updated_by_id_users')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_enterprise_profiles'))
    )
    with op.batch_alter_table('enterprise_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_profiles_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_profiles_size_class'), ['size_class'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('roadshow', 'matchmaking', 'fair', 'financing', name='eventkind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.Text(), nullable=False),
    sa.Column('industry', sa.String(length=32), nullable=False),
    sa.Column('ipc', sa.String(length=4), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('time_text', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=300), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_per_org', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'published', 'held', 'cancelled', name='eventstate', native_enum=False, length=32), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizations.id'], name=op.f('fk_events_organizer_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_event_date'), ['event_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_organizer_id'), ['organizer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_state'), ['state'], unique=False)

    op.create_table('event_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('presenter_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_event_items_added_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_items_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_event_items_need_id_needs')),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_event_items_patent_id_patents')),
    sa.ForeignKeyConstraint(['presenter_id'], ['organizations.id'], name=op.f('fk_event_items_presenter_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_items')),
    sa.UniqueConstraint('event_id', 'need_id', name='uq_event_items_need'),
    sa.UniqueConstraint('event_id', 'patent_id', name='uq_event_items_patent')
    )
    with op.batch_alter_table('event_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_items_event_id'), ['event_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('invited', 'registered', 'cancelled', name='registrationstate', native_enum=False, length=32), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registered_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_event_registrations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_event_registrations_organization_id_organizations')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_event_registrations_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'organization_id', name=op.f('uq_event_registrations_event_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_organization_id'), ['organization_id'], unique=False)

    op.create_table('deal_publicity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('consented_by_id', sa.Integer(), nullable=True),
    sa.Column('consented_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consented_by_id'], ['users.id'], name=op.f('fk_deal_publicity_consented_by_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_publicity_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_deal_publicity_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_publicity')),
    sa.UniqueConstraint('deal_id', 'organization_id', name=op.f('uq_deal_publicity_deal_id'))
    )
    with op.batch_alter_table('deal_publicity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_publicity_deal_id'), ['deal_id'], unique=False)

    op.create_table('event_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('outcome', sa.Enum('open', 'following', 'deal', 'no_interest', name='pairoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_event_pairs_deal_id_deals')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_event_pairs_enterprise_id_organizations')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_pairs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_event_pairs_need_id_needs')),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_event_pairs_patent_id_patents')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_event_pairs_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_pairs')),
    sa.UniqueConstraint('event_id', 'patent_id', 'enterprise_id', name=op.f('uq_event_pairs_event_id'))
    )
    with op.batch_alter_table('event_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_pairs_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_pairs_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deals_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_deals_event_id_events'), 'events', ['event_id'], ['id'])

    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=70), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_indicator_targets_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_key'), ['key', 'year', 'scope'])



def downgrade() -> None:
    # Targets of a region or district have no place in the older table (one per key and year).
    op.execute("DELETE FROM indicator_targets WHERE scope <> ''")
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_indicator_targets_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_key'), ['key', 'year'])
        batch_op.drop_column('scope')

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deals_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deals_event_id'))
        batch_op.drop_column('event_id')

    with op.batch_alter_table('event_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_pairs_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_pairs_enterprise_id'))

    op.drop_table('event_pairs')
    with op.batch_alter_table('deal_publicity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_publicity_deal_id'))

    op.drop_table('deal_publicity')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_organization_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))

    op.drop_table('event_registrations')
    with op.batch_alter_table('event_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_items_event_id'))

    op.drop_table('event_items')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_state'))
        batch_op.drop_index(batch_op.f('ix_events_region'))
        batch_op.drop_index(batch_op.f('ix_events_organizer_id'))
        batch_op.drop_index(batch_op.f('ix_events_event_date'))

    op.drop_table('events')
    with op.batch_alter_table('enterprise_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_profiles_size_class'))
        batch_op.drop_index(batch_op.f('ix_enterprise_profiles_district'))

    op.drop_table('enterprise_profiles')
