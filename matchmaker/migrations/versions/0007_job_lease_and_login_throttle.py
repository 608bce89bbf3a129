"""job lease and login throttle (issue 11)

Jobs get a lease the worker renews while it works (a dead worker's job is requeued within a
lease instead of a fixed 10 minutes); failed logins are counted per account for the back-off.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
    # Jobs a worker of the previous version holds keep the old 10-minute allowance.
    jobs = sa.table('jobs', sa.column('id', sa.Integer), sa.column('state', sa.String),
                    sa.column('locked_at', sa.DateTime(timezone=True)),
                    sa.column('lease_until', sa.DateTime(timezone=True)))
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    for job_id, locked_at in bind.execute(sa.select(jobs.c.id, jobs.c.locked_at)
                                          .where(jobs.c.state == 'running')).all():
        bind.execute(jobs.update().where(jobs.c.id == job_id)
                     .values(lease_until=(locked_at or now) + timedelta(minutes=10)))

    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_updated_at'))
    op.drop_table('login_throttles')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
