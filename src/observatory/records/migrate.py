"""Alembic, driven from Python: `upgrade` runs every branch to its head (`upgrade heads`; the
programme and metrics packages each add a branch after 0001_records), `pending` lists the heads a
database has not reached."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from . import changes
from .engine import MIGRATIONS, make_engine, make_private, sqlite_file
from .roles import grant_app_role


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def pending(engine: Engine) -> list[str]:
    """The migration heads the database has not reached (empty when it is up to date)."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config())
    # A database is up to date when every head is applied; a head is applied when the database
    # is at it (a later revision on that branch would itself be a head).
    reached = set()
    for rev in current:
        reached.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return sorted(h for h in script.get_heads() if h not in reached)


def upgrade(url: str, app_role: str | None = None) -> list[str]:
    """Migrate the database at `url` to every head; return the revisions that were applied.

    SQLite: the file is made readable by its owner only. PostgreSQL with `app_role` (the role the
    application connects as, when it is not the one running this): that role is granted only
    what records/roles.py allows, in the same transaction as the migrations."""
    engine = make_engine(url)
    try:
        before = pending(engine)
        with engine.begin() as conn:
            config = alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")
            if app_role and conn.dialect.name == "postgresql":
                grant_app_role(conn, app_role)
        path = sqlite_file(url)
        if path is not None:
            make_private(path)
        if before:
            changes.bump(changes.folder(url), {changes.SCHEMA, changes.ANY})
        return before
    finally:
        engine.dispose()
