"""the minimum-wage tier a unit's county is in, stated by the unit or an official (issue #5)

Revision ID: 0011b
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011b"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("wage_tier", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("wage_tier_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("wage_tier_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("wage_tier_at")
        batch.drop_column("wage_tier_by")
        batch.drop_column("wage_tier")
