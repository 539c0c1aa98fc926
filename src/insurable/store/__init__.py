"""Persistence: SQLAlchemy 2 models, engine/session setup and the repositories the API uses.

SQLite (one file in the user's data directory) is the default; PostgreSQL through psycopg 3 when
``INSURABLE_DATABASE_URL`` says so. The schema is owned by the Alembic migrations packaged in
``insurable/store/migrations``; :func:`insurable.store.db.upgrade` brings a database to head.
"""
