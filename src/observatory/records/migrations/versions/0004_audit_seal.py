"""audit seal: a hash chain over the audit log, and no REPLACE of audit or status history rows

Revision ID: 0004_audit_seal
Revises: 0002_programme
Create Date: 2027-01-10 09:00:00

- audit_log gains prev_hash and hash: each row's SHA-256 over its content and the previous row's
  hash. The rows already there are sealed here, oldest first.
- SQLite: `REPLACE INTO` (or INSERT OR REPLACE) of an existing id deletes the old row without
  firing its DELETE trigger; a BEFORE INSERT trigger now refuses any insert whose id is taken, on
  the audit log and on the site status history.
- PostgreSQL: the status history also refuses TRUNCATE, as the audit log does.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_seal"
down_revision = "0002_programme"
branch_labels = None
depends_on = None

# Frozen as they are at this revision: a migration never imports application code.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be replaced'); END",
    "CREATE TRIGGER site_status_no_replace BEFORE INSERT ON programme_site_status "
    "WHEN EXISTS (SELECT 1 FROM programme_site_status WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'the site status history is append-only: rows cannot be replaced'); END",
)
SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END"
)
POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER site_status_no_truncate BEFORE TRUNCATE ON programme_site_status "
    "FOR EACH STATEMENT EXECUTE FUNCTION site_status_refuse()",
)
GENESIS = "0" * 64


def _seal(prev_hash, id, at, actor, entity, entity_id, action, before, after) -> str:  # noqa: ANN001
    content = json.dumps([prev_hash, id, at.isoformat(), actor, entity, entity_id, action, before, after],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _seal_existing_rows(postgresql: bool) -> None:
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                   sa.column("actor", sa.String), sa.column("entity", sa.String),
                   sa.column("entity_id", sa.String), sa.column("action", sa.String),
                   sa.column("before", sa.Text), sa.column("after", sa.Text),
                   sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(log).order_by(log.c.id)).mappings().all()
    if not rows:
        return
    # The append-only trigger is lifted for this one transaction only (a migration is all or nothing).
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change" if postgresql
               else "DROP TRIGGER audit_log_no_update")
    prev = GENESIS
    for r in rows:
        digest = _seal(prev, r["id"], r["at"], r["actor"], r["entity"], r["entity_id"], r["action"],
                       r["before"], r["after"])
        bind.execute(log.update().where(log.c.id == r["id"]).values(prev_hash=prev, hash=digest))
        prev = digest
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change" if postgresql else SQLITE_NO_UPDATE)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Plain ALTER TABLE ADD COLUMN (never a batch copy of the table, which would drop its triggers).
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    _seal_existing_rows(postgresql)
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS site_status_no_truncate ON programme_site_status")
    else:
        op.execute("DROP TRIGGER IF EXISTS site_status_no_replace")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    # The seal columns stay: dropping a column copies the table on SQLite, losing its triggers.
