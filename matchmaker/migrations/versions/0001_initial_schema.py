"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 20:29:47.731377
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('university', 'institute', 'enterprise', 'station', 'operator', name='orgkind', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'suspended', name='orgstatus', native_enum=False, length=32), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_organizations_credit_code')),
    sa.UniqueConstraint('name', name=op.f('uq_organizations_name'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_status'), ['status'], unique=False)

    op.create_table('patents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_no', sa.String(length=20), nullable=True),
    sa.Column('pub_no', sa.String(length=40), nullable=True),
    sa.Column('source_id', sa.String(length=80), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('first_claim', sa.Text(), nullable=False),
    sa.Column('ipc_codes', sa.JSON(), nullable=False),
    sa.Column('patent_type', sa.Enum('invention', 'utility', 'design', name='patenttype', native_enum=False, length=32), nullable=True),
    sa.Column('legal_status', sa.Enum('pending', 'valid', 'lapsed', 'unknown', name='legalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('filing_date', sa.Date(), nullable=True),
    sa.Column('grant_date', sa.Date(), nullable=True),
    sa.Column('term_extension_days', sa.Integer(), nullable=False),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('inventors', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('industry_tags', sa.JSON(), nullable=False),
    sa.Column('readiness', sa.Integer(), nullable=True),
    sa.Column('scenarios', sa.Text(), nullable=False),
    sa.Column('knowhow_included', sa.Boolean(), nullable=False),
    sa.Column('listing_state', sa.Enum('draft', 'listed', 'withdrawn', 'archived', name='listingstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['organizations.id'], name=op.f('fk_patents_owner_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patents')),
    sa.UniqueConstraint('app_no', name=op.f('uq_patents_app_no')),
    sa.UniqueConstraint('source_id', name=op.f('uq_patents_source_id'))
    )
    with op.batch_alter_table('patents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patents_expiry_date'), ['expiry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_patents_listing_state'), ['listing_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_patents_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patents_pub_no'), ['pub_no'], unique=False)

    op.create_table('station_clients',
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_station_clients_enterprise_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['organizations.id'], name=op.f('fk_station_clients_station_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', 'enterprise_id', name=op.f('pk_station_clients'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'member', name='userrole', native_enum=False, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_users_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organization_id'), ['organization_id'], unique=False)

    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_station_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.String(length=80), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('industry', sa.String(length=32), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('budget_min_wan', sa.Integer(), nullable=True),
    sa.Column('budget_max_wan', sa.Integer(), nullable=True),
    sa.Column('wanted_forms', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('open', 'matched', 'solved', 'closed', 'expired', name='needstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_needs_enterprise_id_organizations')),
    sa.ForeignKeyConstraint(['on_behalf_station_id'], ['organizations.id'], name=op.f('fk_needs_on_behalf_station_id_organizations')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_needs_posted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs')),
    sa.UniqueConstraint('source_id', name=op.f('uq_needs_source_id'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_valid_until'), ['valid_until'], unique=False)

    op.create_table('patent_ipc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('section', sa.String(length=1), nullable=False),
    sa.Column('ipc_class', sa.String(length=3), nullable=False),
    sa.Column('subclass', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_patent_ipc_patent_id_patents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patent_ipc'))
    )
    with op.batch_alter_table('patent_ipc', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patent_ipc_ipc_class'), ['ipc_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_patent_ipc_patent_id'), ['patent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patent_ipc_section'), ['section'], unique=False)
        batch_op.create_index(batch_op.f('ix_patent_ipc_subclass'), ['subclass'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('patent_ipc', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patent_ipc_subclass'))
        batch_op.drop_index(batch_op.f('ix_patent_ipc_section'))
        batch_op.drop_index(batch_op.f('ix_patent_ipc_patent_id'))
        batch_op.drop_index(batch_op.f('ix_patent_ipc_ipc_class'))

    op.drop_table('patent_ipc')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_valid_until'))
        batch_op.drop_index(batch_op.f('ix_needs_state'))
        batch_op.drop_index(batch_op.f('ix_needs_enterprise_id'))

    op.drop_table('needs')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organization_id'))

    op.drop_table('users')
    op.drop_table('station_clients')
    with op.batch_alter_table('patents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patents_pub_no'))
        batch_op.drop_index(batch_op.f('ix_patents_owner_id'))
        batch_op.drop_index(batch_op.f('ix_patents_listing_state'))
        batch_op.drop_index(batch_op.f('ix_patents_expiry_date'))

    op.drop_table('patents')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_status'))
        batch_op.drop_index(batch_op.f('ix_organizations_kind'))

    op.drop_table('organizations')
    
