"""Alembic environment: the URL comes from the caller (observatorio db upgrade), never a file."""

from __future__ import annotations

from alembic import context

from warehouse.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is None:
        raise RuntimeError("run migrations through `observatorio db upgrade` (warehouse.migrate)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        version_table_schema="public",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
