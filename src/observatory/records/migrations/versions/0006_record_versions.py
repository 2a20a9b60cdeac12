"""record versions: optimistic locking on every record people edit

Revision ID: 0006_record_versions
Revises: 0005_sign_in
Create Date: 2027-01-20 10:00:00

A `version` column on board actions, Shared Care Record register entries, programme sites and
users: 1 when the row is written, raised by one at every change. A form (and the API's ETag)
carries the version it was read at; a change made from an older version is refused and the
other editor's change shown, so two people editing one record never lose one edit silently.
Entered metric values are never edited in place (a correction is a new row), so their own ids
already serve as their versions and they need no column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_record_versions"
down_revision = "0005_sign_in"
branch_labels = None
depends_on = None

TABLES = ("actions", "scr_access", "programme_sites", "users")


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (never a batch copy of a table: the audit triggers stay as they are).
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "version")
