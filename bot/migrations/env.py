"""Alembic environment: runs on the engine Gavel hands it (no alembic.ini needed)."""

from alembic import context

from bot.store.schema import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    context.run_migrations()
