"""attendance (考勤) and monthly subsidy claims (补贴申领) (issue #5)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("application_id", "month", name="uq_attendance_application_month"),
    )
    op.create_index("ix_attendance_application_id", "attendance", ["application_id"])
    op.create_index("ix_attendance_unit_id", "attendance", ["unit_id"])
    op.create_table(
        "subsidy_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("unit_id", "month", name="uq_subsidy_claims_unit_month"),
    )
    op.create_index("ix_subsidy_claims_unit_id", "subsidy_claims", ["unit_id"])
    op.create_index("ix_subsidy_claims_region_code", "subsidy_claims", ["region_code"])


def downgrade() -> None:
    op.drop_table("subsidy_claims")
    op.drop_table("attendance")
