"""challenges: residents' coverage challenges, their workflow steps, and the public form's
submissions per client (for the rate limit)

Revision ID: 0007_challenges
Revises: 0006_record_versions
Create Date: 2027-01-24 10:00:00

Frozen as the tables were at this revision (a migration never imports application code); the
models are in observatory.challenges.models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_challenges"
down_revision = "0006_record_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("oa_code", sa.String(length=12), nullable=False),
        sa.Column("lsoa_code", sa.String(length=12), nullable=False),
        sa.Column("ward_code", sa.String(length=12), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("claimed", sa.String(length=300), nullable=False),
        sa.Column("found", sa.Text(), nullable=False),
        sa.Column("published_gigabit", sa.Float(), nullable=True),
        sa.Column("published_release", sa.String(length=7), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("evidence_file", sa.String(length=80), nullable=False),
        sa.Column("evidence_name", sa.String(length=200), nullable=False),
        sa.Column("evidence_type", sa.String(length=60), nullable=False),
        sa.Column("evidence_bytes", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_to", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    op.create_index(op.f("ix_challenges_postcode"), "challenges", ["postcode"], unique=False)
    op.create_index(op.f("ix_challenges_oa_code"), "challenges", ["oa_code"], unique=False)
    op.create_index(op.f("ix_challenges_district_code"), "challenges", ["district_code"], unique=False)
    op.create_index(op.f("ix_challenges_status"), "challenges", ["status"], unique=False)

    op.create_table(
        "challenge_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("sent_to", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenges.id"],
                                name=op.f("fk_challenge_steps_challenge_id_challenges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_steps")),
    )
    op.create_index(op.f("ix_challenge_steps_challenge_id"), "challenge_steps", ["challenge_id"], unique=False)

    op.create_table(
        "challenge_intake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_intake")),
    )
    op.create_index(op.f("ix_challenge_intake_client"), "challenge_intake", ["client"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_challenge_intake_client"), table_name="challenge_intake")
    op.drop_table("challenge_intake")
    op.drop_index(op.f("ix_challenge_steps_challenge_id"), table_name="challenge_steps")
    op.drop_table("challenge_steps")
    for name in ("status", "district_code", "oa_code", "postcode"):
        op.drop_index(op.f(f"ix_challenges_{name}"), table_name="challenges")
    op.drop_table("challenges")
