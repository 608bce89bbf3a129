"""Ready for a pilot (issue 13)

Deals carry the step one party proposed until the other side agrees (target, terms, one flag
per awaited side). Station–enterprise links become requests confirmed by the other side, with
their history (station_links, station_link_events); the links of station_clients are carried
over as active links, and the table goes. One-time links (invitations, password resets) are
stored hashed in account_tokens; users get an e-mail address for mail delivery; organizations
keep the reason they were rejected or suspended (a new status value, rejected).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import matchmaker.models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DEAL_STATES = ('requested', 'negotiating', 'free_active', 'conversion_due', 'converted',
               'transferred', 'declined', 'lapsed', 'terminated')


LINK_STATES = ('proposed', 'active', 'declined', 'withdrawn', 'ended')


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
    _create_station_links()
    bind = op.get_bind()
    old = sa.table('station_clients', sa.column('station_id', sa.Integer),
                   sa.column('enterprise_id', sa.Integer))
    links, events = _link_tables()
    now = sa.func.now() if bind.dialect.name == 'postgresql' else sa.func.current_timestamp()
    for station_id, enterprise_id in bind.execute(sa.select(old.c.station_id, old.c.enterprise_id)
                                                  .order_by(old.c.station_id, old.c.enterprise_id)).all():
        link_id = bind.execute(links.insert().values(
            station_id=station_id, enterprise_id=enterprise_id, state='active',
            requested_by_id=station_id, open_slot=1, note='升级前已有的服务关系', version=1,
            created_at=now, updated_at=now).returning(links.c.id)).scalar_one()
        bind.execute(events.insert().values(link_id=link_id, actor_id=None, from_state='',
                                            to_state='active', note='升级前已有的服务关系',
                                            created_at=now))
    op.drop_table('station_clients')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), server_default='',
                                      nullable=False))
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sa.Text(), server_default='',
                                      nullable=False))
    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invite', 'reset', name='tokenkind', native_enum=False, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('admin', 'member', name='userrole', native_enum=False, length=32), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_account_tokens_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tokens_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)


def _link_tables():
    links = sa.table('station_links', sa.column('id', sa.Integer), sa.column('station_id', sa.Integer),
                     sa.column('enterprise_id', sa.Integer), sa.column('state', sa.String),
                     sa.column('requested_by_id', sa.Integer), sa.column('open_slot', sa.Integer),
                     sa.column('note', sa.Text), sa.column('version', sa.Integer),
                     sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('updated_at', sa.DateTime(timezone=True)))
    events = sa.table('station_link_events', sa.column('link_id', sa.Integer),
                      sa.column('actor_id', sa.Integer), sa.column('from_state', sa.String),
                      sa.column('to_state', sa.String), sa.column('note', sa.Text),
                      sa.column('created_at', sa.DateTime(timezone=True)))
    return links, events


def _create_station_links() -> None:
    op.create_table('station_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum(*LINK_STATES, name='linkstate', native_enum=False, length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('open_slot', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_station_links_enterprise_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['organizations.id'], name=op.f('fk_station_links_requested_by_id_organizations')),
    sa.ForeignKeyConstraint(['station_id'], ['organizations.id'], name=op.f('fk_station_links_station_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_links')),
    sa.UniqueConstraint('station_id', 'enterprise_id', 'open_slot', name=op.f('uq_station_links_station_id'))
    )
    with op.batch_alter_table('station_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_links_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_station_links_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_station_links_station_id'), ['station_id'], unique=False)
    op.create_table('station_link_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', matchmaker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_station_link_events_actor_id_users')),
    sa.ForeignKeyConstraint(['link_id'], ['station_links.id'], name=op.f('fk_station_link_events_link_id_station_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_link_events'))
    )
    with op.batch_alter_table('station_link_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_link_events_link_id'), ['link_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_tokens_organization_id'))
        batch_op.drop_index(batch_op.f('ix_account_tokens_kind'))
    op.drop_table('account_tokens')
    _drop_columns('organizations', 'status_reason')
    # a rejected registration was a pending one before this revision
    op.execute("UPDATE organizations SET status = 'pending' WHERE status = 'rejected'")
    _drop_columns('users', 'email')
    op.create_table('station_clients',
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_station_clients_enterprise_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['organizations.id'], name=op.f('fk_station_clients_station_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', 'enterprise_id', name=op.f('pk_station_clients'))
    )
    links, _events = _link_tables()
    old = sa.table('station_clients', sa.column('station_id', sa.Integer),
                   sa.column('enterprise_id', sa.Integer))
    op.get_bind().execute(old.insert().from_select(
        ['station_id', 'enterprise_id'],
        sa.select(links.c.station_id, links.c.enterprise_id).where(links.c.state == 'active')))
    with op.batch_alter_table('station_link_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_link_events_link_id'))
    op.drop_table('station_link_events')
    with op.batch_alter_table('station_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_links_station_id'))
        batch_op.drop_index(batch_op.f('ix_station_links_state'))
        batch_op.drop_index(batch_op.f('ix_station_links_enterprise_id'))
    op.drop_table('station_links')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_awaits_enterprise'))
        batch_op.drop_index(batch_op.f('ix_deals_awaits_owner'))
    _drop_columns('deals', 'awaits_enterprise', 'awaits_owner', 'pending', 'pending_to')


def _drop_columns(table: str, *columns: str) -> None:
    """Drop columns in place. On SQLite a batch would copy the table and drop the original,
    and dropping a table other rows refer to deletes them (ON DELETE CASCADE) or fails: SQLite
    (3.35+) drops a plain column itself."""
    if op.get_bind().dialect.name == 'sqlite':
        for column in columns:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        return
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_column(column)
