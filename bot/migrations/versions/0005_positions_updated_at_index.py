"""positions: an index on updated_at for the in-memory position index's refresh (issue #4)

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_positions_updated_at", "positions", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_positions_updated_at", table_name="positions")
