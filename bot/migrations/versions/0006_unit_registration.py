"""units: what a unit declares at 见习单位申报 (insured staff, registration date, 见习基地 wish) and its review
(issue #5)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(sa.Column("insured_headcount", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("wants_base", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("base_valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("criteria_notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        for name in ("reviewed_at", "review_reason", "criteria_notes", "base_valid_until", "wants_base",
                     "registered_on", "insured_headcount"):
            batch_op.drop_column(name)
