"""people WeChat told us not to push to (43004, 43101), remembered without a users row (issue #6)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_stops",
        sa.Column("openid", sa.String(length=64), primary_key=True),
        sa.Column("errcode", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("push_stops")
