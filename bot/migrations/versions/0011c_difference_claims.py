"""the "1+1" difference claimable on its own when the retention becomes known later (issue #5): claims get a
kind (monthly / difference) and a ref numbering a unit's difference claims

Revision ID: 0011c
Revises: 0011b
"""

import sqlalchemy as sa
from alembic import op

revision = "0011c"
down_revision = "0011b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subsidy_claims") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=12), nullable=False, server_default="monthly"))
        batch.add_column(sa.Column("ref", sa.String(length=16), nullable=False, server_default=""))
        batch.drop_constraint("uq_subsidy_claims_unit_month", type_="unique")
        batch.create_unique_constraint("uq_subsidy_claims_unit_month_kind", ["unit_id", "month", "kind", "ref"])


def downgrade() -> None:
    op.execute("DELETE FROM subsidy_claims WHERE kind <> 'monthly'")
    with op.batch_alter_table("subsidy_claims") as batch:
        batch.drop_constraint("uq_subsidy_claims_unit_month_kind", type_="unique")
        batch.create_unique_constraint("uq_subsidy_claims_unit_month", ["unit_id", "month"])
        batch.drop_column("ref")
        batch.drop_column("kind")
