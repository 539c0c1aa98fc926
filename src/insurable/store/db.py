"""Engines, sessions and schema upgrades for SQLite and PostgreSQL.

SQLite is tuned for a small multi-user server: WAL journal, foreign keys on, a busy timeout, and
writes in ``BEGIN IMMEDIATE`` transactions so that two writers queue for the lock instead of failing
halfway (a deferred transaction that reads and then writes can deadlock and lose a draft).

The service's sessions (:func:`make_sessionmaker`) open that write transaction *lazily*: what a
request reads before its first write runs outside any transaction and takes no lock (WAL readers
never wait), so a GET, a login's password check or an access check never queues behind writers.
The first INSERT, UPDATE or DELETE starts ``BEGIN IMMEDIATE`` and the lock is held only until the
commit. A read-modify-write (a profile merge, the last-owner check) calls :func:`begin_write`
before it reads, so that the read and the write are one transaction; on PostgreSQL it locks rows
with ``FOR UPDATE`` instead.
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
#: Execution option of the service's sessions: begin the SQLite write transaction at the first write.
LAZY_WRITE = "insurable_lazy_write"
_START_WRITE = "insurable_start_write"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


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

    def _start(connection: Any, cursor: Any = None) -> None:
        key = id(connection.connection.dbapi_connection)
        if holder.get(key):
            return
        if not writer.acquire(timeout=30):
            raise OperationalError("BEGIN IMMEDIATE", None, TimeoutError("database is busy"))
        holder[key] = True
        try:
            if cursor is not None:
                cursor.execute("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below start transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        record.info[_START_WRITE] = _start

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(LAZY_WRITE):
            return  # reads autocommit, lock-free; the first write starts the transaction (below)
        _start(connection)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in _WRITES and connection.get_execution_options().get(LAZY_WRITE):
            _start(connection, cursor)

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose SQLite write transaction starts at the first write (see the module docstring)."""
    return sessionmaker(engine.execution_options(**{LAZY_WRITE: True}), expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start the session's write transaction now (SQLite: take the write lock before reading).

    Call it before a read whose result decides a write. A no-op on PostgreSQL, where the caller
    locks the rows it reads with ``with_for_update``; a no-op when the transaction is already writing.
    """
    connection = session.connection()
    start = connection.info.get(_START_WRITE)
    if start is not None:
        start(connection)


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
