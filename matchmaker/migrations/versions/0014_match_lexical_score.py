"""matches.lexical_score: the score before the semantic stage, on which recommendations are decided

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matches') as batch:
        batch.add_column(sa.Column('lexical_score', sa.Float(), nullable=False, server_default='0'))
    # Existing rows: the semantic stage's points are kept in the breakdown (a penalty, ≤ 0), so
    # the lexical score is the score without them.
    conn = op.get_bind()
    matches = sa.table('matches', sa.column('id', sa.Integer), sa.column('score', sa.Float),
                       sa.column('breakdown', sa.JSON), sa.column('lexical_score', sa.Float))
    conn.execute(sa.update(matches).values(lexical_score=matches.c.score))
    rows = conn.execute(sa.select(matches.c.id, matches.c.score, matches.c.breakdown)).all()
    changed = [{"row_id": row_id, "lexical": score - float((breakdown or {}).get("semantic") or 0.0)}
               for row_id, score, breakdown in rows if (breakdown or {}).get("semantic")]
    if changed:
        conn.execute(sa.update(matches).where(matches.c.id == sa.bindparam("row_id"))
                     .values(lexical_score=sa.bindparam("lexical")), changed)


def downgrade() -> None:
    with op.batch_alter_table('matches') as batch:
        batch.drop_column('lexical_score')
