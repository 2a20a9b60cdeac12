"""PostgreSQL: the application connects as a role that cannot rewrite history.

The tables are created, and so owned, by the role that runs the migrations (the connection of
OBSERVATORY_MIGRATION_URL when it is set). The role in the application's own URL is then granted
only what the observatory needs: on the audit log and the site status history, to read and to add
rows, nothing more, so it can neither change nor delete a row, nor empty the table, nor (not being
its owner) disable, drop or replace the triggers that guard it. Every other table it may read and
change; the migrations' own table it may only read.

Granted again after every upgrade, so the tables a later migration adds are covered too.
"""

from __future__ import annotations

import os

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

MIGRATION_ENV = "OBSERVATORY_MIGRATION_URL"
# Tables whose rows, once written, stay as they are.
APPEND_ONLY = ("audit_log", "programme_site_status")
READ_ONLY = ("alembic_version",)


def migration_url(app_url: str) -> str:
    """The connection migrations run on: OBSERVATORY_MIGRATION_URL, else the application's own."""
    return os.environ.get(MIGRATION_ENV) or app_url


def app_role(app_url: str, owner_url: str) -> str | None:
    """The application's role, when it is a PostgreSQL role other than the owner's (else None:
    one role for both, as on a laptop or with SQLite, where there are no roles)."""
    app, owner = make_url(app_url), make_url(owner_url)
    if app.get_backend_name() != "postgresql" or not app.username:
        return None
    return app.username if app.username != owner.username else None


def grant_app_role(conn: Connection, role: str) -> list[str]:
    """Give `role` exactly the rights above on every table of the current schema (what it held
    before is revoked first); return the append-only tables it now may only read and add to."""
    q = conn.dialect.identifier_preparer
    who = q.quote(role)
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                          {"s": schema}).scalars().all()
    conn.execute(text(f"GRANT USAGE ON SCHEMA {q.quote(schema)} TO {who}"))
    for table in tables:
        name = f"{q.quote(schema)}.{q.quote(table)}"
        conn.execute(text(f"REVOKE ALL ON {name} FROM {who}"))
        if table in APPEND_ONLY:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        conn.execute(text(f"GRANT {rights} ON {name} TO {who}"))
    sequences = conn.execute(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = :s ORDER BY sequencename"), {"s": schema}
    ).scalars().all()
    for sequence in sequences:
        name = f"{q.quote(schema)}.{q.quote(sequence)}"
        conn.execute(text(f"REVOKE ALL ON SEQUENCE {name} FROM {who}"))
        # UPDATE lets an import move a sequence past the ids it restored (setval); at worst a
        # sequence moved back makes the next insert fail, it never changes a row.
        conn.execute(text(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {name} TO {who}"))
    return [t for t in APPEND_ONLY if t in tables]
