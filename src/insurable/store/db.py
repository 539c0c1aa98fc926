"""Engines, sessions and schema upgrades for SQLite and PostgreSQL.

SQLite is tuned for a small multi-user server: WAL journal, foreign keys on, a busy timeout, and
every transaction opened with ``BEGIN IMMEDIATE`` so that two writers queue for the lock instead of
failing halfway (a deferred transaction that reads and then writes can deadlock and lose a draft).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_path
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

#: Environment variable naming the database (an SQLAlchemy URL).
DATABASE_ENV = "INSURABLE_DATABASE_URL"


def default_database_path() -> Path:
    """Where ``insurable serve`` keeps its SQLite database when no URL is configured."""
    return user_data_path("insurable", appauthor=False) / "insurable.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, ``$INSURABLE_DATABASE_URL``, or the default SQLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{default_database_path()}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite files get their directory created and the pragmas above."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **{"pool_size": 10, "max_overflow": 20, **kwargs})


def _tune_sqlite(engine: Engine) -> None:
    # SQLite has one writer at a time. Its busy handler polls with growing sleeps, which gives long,
    # unfair waits under load; queueing the transactions of this process on a lock hands the
    # database over at once and in order. Other processes still meet SQLite's own lock.
    writer = threading.Lock()
    holder: dict[int, bool] = {}

    def _release(connection: Any) -> None:
        if holder.pop(id(connection.connection.dbapi_connection), False):
            writer.release()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below start transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not writer.acquire(timeout=30):
            raise OperationalError("BEGIN IMMEDIATE", None, TimeoutError("database is busy"))
        holder[id(connection.connection.dbapi_connection)] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", "insurable.store:migrations")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (head by default)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the database schema down to ``revision`` (empty by default)."""
    command.downgrade(alembic_config(engine), revision)
