"""programme: site register and its append-only status history

Revision ID: 0002_programme
Revises: 0001_records
Create Date: 2026-12-03 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_programme"
down_revision = "0001_records"
branch_labels = ("programme",)
depends_on = None

# Frozen as they were at this revision: a migration never imports application code. The status
# history cannot be rewritten by any code or role.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER site_status_no_update BEFORE UPDATE ON programme_site_status "
    "BEGIN SELECT RAISE(ABORT, 'the site status history is append-only: rows cannot be changed'); END",
    "CREATE TRIGGER site_status_no_delete BEFORE DELETE ON programme_site_status "
    "BEGIN SELECT RAISE(ABORT, 'the site status history is append-only: rows cannot be deleted'); END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION site_status_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'the site status history is append-only: % refused', TG_OP; END $$",
    "CREATE TRIGGER site_status_no_change BEFORE UPDATE OR DELETE ON programme_site_status "
    "FOR EACH ROW EXECUTE FUNCTION site_status_refuse()",
)


def upgrade() -> None:
    op.create_table(
        "programme_sites",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("easting", sa.Float(), nullable=True),
        sa.Column("northing", sa.Float(), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("ward_code", sa.String(length=12), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("funding_stream", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_sites")),
    )
    with op.batch_alter_table("programme_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_sites_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_programme_sites_district_code"), ["district_code"], unique=False)

    op.create_table(
        "programme_site_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["programme_sites.id"],
                                name=op.f("fk_programme_site_status_site_id_programme_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_site_status")),
    )
    with op.batch_alter_table("programme_site_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_site_status_site_id"), ["site_id"], unique=False)

    # The status history refuses UPDATE and DELETE in the database itself, for every role.
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS site_status_no_change ON programme_site_status")
        op.execute("DROP FUNCTION IF EXISTS site_status_refuse()")
    with op.batch_alter_table("programme_site_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_site_status_site_id"))
    op.drop_table("programme_site_status")
    with op.batch_alter_table("programme_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_sites_district_code"))
        batch_op.drop_index(batch_op.f("ix_programme_sites_kind"))
    op.drop_table("programme_sites")
