"""merge the push-stops branch (0011) and the units' wage tier / difference claims branch (0011b, 0011c)

Revision ID: 0012
Revises: 0011, 0011c
"""

revision = "0012"
down_revision = ("0011", "0011c")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
