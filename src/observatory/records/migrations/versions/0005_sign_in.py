"""sign-in: throttling by client and by account, and a session version per user

Revision ID: 0005_sign_in
Revises: 0004_audit_seal
Create Date: 2027-01-10 10:00:00

- sign_in_throttle: failed sign-ins counted per client and per account name, and the time before
  which the next attempt is not checked (exponential backoff instead of a lock).
- users.session_version: carried in the signed session cookie; raised at sign-out, password change
  and disable, which ends every session made before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sign_in"
down_revision = "0004_audit_seal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    # Plain ALTER TABLE ADD COLUMN (never a batch copy of the table).
    op.add_column("users", sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("users", "session_version")
    op.drop_table("sign_in_throttle")
