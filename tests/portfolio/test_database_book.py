"""A book from the service database: organisations, their answers and latest assessed terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurable.catalog.loader import load_catalog
from insurable.errors import InputError
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.sources import read_book
from insurable.store import models, repo
from insurable.store.db import make_engine, make_sessionmaker, upgrade


def test_book_from_the_service_database(systemic: SystemicFile, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        user = models.User(email="broker@example.org", name="Broker", password_hash="x")
        session.add(user)
        session.flush()
        a = repo.create_organisation(session, user, "Alpha B.V.", {"country": "NL", "annual_turnover_eur": 2_000_000})
        b = repo.create_organisation(session, user, "Beta B.V.", {"country": "NL", "annual_turnover_eur": 9_000_000})
        repo.save_answer(session, a, "q.vendor.msp", "Beheer IT B.V.", user)
        repo.save_answer(session, b, "q.vendor.msp", "beheer  it b.v.", user)
        repo.save_answer(session, b, "q.vendor.cloud_provider", "aws", user)
        session.add(
            models.Assessment(
                org_id=b.id,
                verdict="accept",
                deductible_cents=2_500_000,
                limit_cents=200_000_000,
                catalog_versions={},
                input={},
                result={},
                engine_version="test",
            )
        )
        session.commit()
    engine.dispose()
    insureds = read_book(url, load_catalog(), systemic)
    assert [i.name for i in insureds] == ["Alpha B.V.", "Beta B.V."]
    alpha, beta = insureds
    assert beta.terms.deductible_eur == 25_000 and beta.terms.limit_eur == 2_000_000
    assert beta.terms.origin == "offered" and alpha.terms.origin != "offered"
    assert beta.vendors == {"msp": "beheer  it b.v.", "cloud": "aws"}

    from insurable.portfolio.book import book_from_insureds
    from insurable.portfolio.metrics import single_points_of_failure

    (shared,) = single_points_of_failure(book_from_insureds(insureds, systemic))
    assert shared.category == "msp" and shared.clients == (alpha.id, beta.id)


def test_an_empty_database_is_an_input_error(systemic: SystemicFile, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with pytest.raises(InputError, match="no organisations"):
        read_book(url, load_catalog(), systemic)
