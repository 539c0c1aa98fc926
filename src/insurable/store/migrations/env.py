"""Alembic environment: runs the packaged migrations on the engine the caller passes in.

Batch mode is on so that ALTER TABLE works on SQLite (it rebuilds the table), and the metadata's
naming convention gives every constraint the same name on SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from insurable.store.db import make_engine
from insurable.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass an engine in config.attributes or set sqlalchemy.url")
    engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
