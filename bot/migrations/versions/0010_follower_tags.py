"""follower tags kept in sync with region and role, for mass sends by tag (issue #6)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follower_tags",
        sa.Column("openid", sa.String(length=64), primary_key=True),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_follower_tags_tag", "follower_tags", ["tag"])


def downgrade() -> None:
    op.drop_table("follower_tags")
