"""sign-ups: ID numbers (encrypted, keyed hash), hardship flags with consent, applicant snapshots,
review deadlines, agreement dates and the status history of applications (issue #5)

Revision ID: 0004
Revises: 0002a
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("id_number_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("beijing_origin", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("beijing_hukou", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("hardship_flags", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("hardship_consent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_users_id_number_hash", ["id_number_hash"], unique=False)

    with op.batch_alter_table("applications") as batch_op:
        batch_op.add_column(sa.Column("applicant_name", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("phone_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("id_number_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("education", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("hardship_flags", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("route", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("eligibility", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("eligibility_notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("agreement_signed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_applications_review_due_on", ["review_due_on"], unique=False)
        batch_op.create_index("uq_applications_id_number_position", ["id_number_hash", "position_id"], unique=True)

    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_application_events"),
    )
    op.create_index("ix_application_events_application_id", "application_events", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_application_events_application_id", table_name="application_events")
    op.drop_table("application_events")
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_index("uq_applications_id_number_position")
        batch_op.drop_index("ix_applications_review_due_on")
        for column in ("anonymised_at", "agreement_signed_on", "reviewed_at", "review_due_on", "eligibility_notes",
                       "eligibility", "route", "hardship_flags", "education", "id_number_hash", "id_number_enc",
                       "phone_enc", "applicant_name"):
            batch_op.drop_column(column)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_id_number_hash")
        for column in ("anonymised_at", "hardship_consent_at", "hardship_flags", "beijing_hukou", "beijing_origin",
                       "birth_date", "id_number_hash", "id_number_enc"):
            batch_op.drop_column(column)
