"""Alembic environment: migrations run on the connection `observatory records upgrade` opens
(config.attributes["connection"]), or on sqlalchemy.url for the alembic command line."""

from __future__ import annotations

from alembic import context

from observatory.records.db import Base, load_models, make_engine

load_models()
config = context.config
target_metadata = Base.metadata


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
