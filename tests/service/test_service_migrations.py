"""Migrations: upgrade from empty to head, down to empty and up again; the models match the schema
the migrations build; the audit trail is append-only in the database itself."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from insurable.store.db import downgrade, upgrade
from insurable.store.models import Base

TABLES = {
    "users",
    "suppliers",
    "supplier_settings",
    "supplier_requests",
    "supplier_documents",
    "organisations",
    "memberships",
    "shares",
    "answers",
    "assessments",
    "api_tokens",
    "login_sessions",
    "audit_events",
    "login_throttles",
    "invitations",
    "offers",
    "scans",
    "portfolio_runs",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_downgrade_and_upgrade_again(engine: Engine) -> None:
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == TABLES
    downgrade(engine)
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == TABLES


def test_models_match_the_migrated_schema(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_constraint_names_are_stable(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("answers")["name"] in ("pk_answers", None)  # SQLite keeps no pk names
    uniques = {u["name"] for u in inspector.get_unique_constraints("memberships")}
    assert "uq_memberships_org_id_user_id" in uniques
    foreign = {f["name"] for f in inspector.get_foreign_keys("answers")}
    assert "fk_answers_org_id_organisations" in foreign


def test_audit_trail_refuses_update_and_delete(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (at, action, target, detail, via) "
                "VALUES (CURRENT_TIMESTAMP, 'test', '', '{}', '')"
            )
        )
    for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_events")).scalars().all() == ["test"]
