"""Alembic environment: migrations run on the connection `observatory records upgrade` opens
(config.attributes["connection"]), or on sqlalchemy.url for the alembic command line."""

from __future__ import annotations

from alembic import context

from observatory.records.engine import make_engine

config = context.config
# Each revision is a frozen description of the schema at that point, written by hand; nothing is
# compared with the live models here, so no application code is imported.
target_metadata = None


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
