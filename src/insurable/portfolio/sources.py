"""Where a book comes from (adapter): a directory of organisation files, the service database, an
OED v4 location/account pair (:mod:`insurable.portfolio.oed`) or a book JSON file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from insurable.errors import InputError, Problem
from insurable.portfolio.book import Insured, insured_from_organisation
from insurable.portfolio.catalog import SystemicFile

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from insurable.catalog.loader import Catalog
    from insurable.store import models

__all__ = [
    "insureds_from_database",
    "insureds_from_directory",
    "insureds_from_organisations",
    "insureds_from_json",
    "read_book",
    "write_json",
]

ORG_SUFFIXES = (".yaml", ".yml")


def insureds_from_directory(path: Path, catalog: Catalog, systemic: SystemicFile) -> list[Insured]:
    """Every organisation file in ``path`` (sorted by name), each an insured whose id is the file
    stem; problems of every file at once."""
    from insurable.profile import load_organisation

    files = sorted(p for p in path.iterdir() if p.suffix in ORG_SUFFIXES and p.is_file())
    if not files:
        raise InputError([Problem("book", f"{path}: no organisation files (*.yaml) in this directory")])
    out: list[Insured] = []
    problems: list[Problem] = []
    for f in files:
        try:
            org = load_organisation(f)
            out.append(insured_from_organisation(org, catalog, systemic, insured_id=f.stem))
        except InputError as exc:
            problems += [Problem(p.path, p.reason, file=p.file or str(f), line=p.line) for p in exc.problems]
    if problems:
        raise InputError(problems)
    return out


def insureds_from_database(url: str | None, catalog: Catalog, systemic: SystemicFile) -> list[Insured]:
    """Every organisation in the service database with its answers; the terms are the latest
    assessment's deductible and limit on the catalogue's wording (else what the profile requests)."""
    from sqlalchemy import select

    from insurable.store import models
    from insurable.store.db import database_url, make_engine, make_sessionmaker

    engine = make_engine(database_url(url))
    try:
        with make_sessionmaker(engine)() as session:
            orgs = session.scalars(select(models.Organisation).order_by(models.Organisation.id)).all()
            out, problems = insureds_from_organisations(session, orgs, catalog, systemic)
    finally:
        engine.dispose()
    if problems:
        raise InputError([p for _org, found in problems for p in found])
    if not out:
        raise InputError([Problem("book", "the database holds no organisations")])
    return out


def insureds_from_organisations(
    session: Session, orgs: Sequence[models.Organisation], catalog: Catalog, systemic: SystemicFile
) -> tuple[list[Insured], list[tuple[models.Organisation, list[Problem]]]]:
    """The given stored organisations as insureds (id ``org-<id>``; terms: the latest assessment's
    deductible and limit, else what the profile requests), and per organisation that cannot be
    one (an incomplete profile) its problems. The web's portfolio page passes the organisations
    the caller may see (the tenant gate), ``portfolio run db`` every organisation."""
    from sqlalchemy import select

    from insurable.lossmodel.organisation import requested_terms
    from insurable.profile import parse_organisation
    from insurable.store import models

    out: list[Insured] = []
    problems: list[tuple[models.Organisation, list[Problem]]] = []
    for row in orgs:
        answers = {
            a.question_id: a.value for a in session.scalars(select(models.Answer).where(models.Answer.org_id == row.id))
        }
        latest = session.scalars(
            select(models.Assessment)
            .where(models.Assessment.org_id == row.id)
            .order_by(models.Assessment.submitted_at.desc(), models.Assessment.id.desc())
            .limit(1)
        ).first()
        try:
            org = parse_organisation({**row.profile, "name": row.name, "answers": answers})
            terms = requested_terms(org, catalog, None, None)
            if latest is not None and latest.limit_cents:
                terms = terms.model_copy(
                    update={
                        "deductible_eur": (latest.deductible_cents or 0) / 100,
                        "limit_eur": latest.limit_cents / 100,
                        "origin": "offered",
                    }
                )
            out.append(insured_from_organisation(org, catalog, systemic, insured_id=f"org-{row.id}", terms=terms))
        except InputError as exc:
            problems.append((row, [Problem(f"organisations[{row.id}].{p.path}", p.reason) for p in exc.problems]))
    return out, problems


def insureds_from_json(path: Path) -> list[Insured]:
    """A book written by :func:`write_json` (``{"insureds": [...]}``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError([Problem("book", f"{path}: {exc}")]) from exc
    rows = data.get("insureds") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InputError([Problem("insureds", "a book JSON file holds a list under 'insureds'", file=str(path))])
    out: list[Insured] = []
    problems: list[Problem] = []
    for k, row in enumerate(rows):
        try:
            out.append(Insured.model_validate(row))
        except ValidationError as exc:
            problems += [
                Problem(f"insureds[{k}]." + ".".join(str(x) for x in e["loc"]), e["msg"], file=str(path))
                for e in exc.errors()
            ]
    if problems:
        raise InputError(problems)
    return out


def write_json(insureds: Sequence[Insured], path: Path) -> None:
    path.write_text(
        json.dumps({"insureds": [i.model_dump(mode="json") for i in insureds]}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def read_book(source: str, catalog: Catalog, systemic: SystemicFile, *, account: Path | None = None) -> list[Insured]:
    """The insureds of ``source``: a directory of organisation files, a book ``.json``, an OED
    location ``.csv`` (with ``account``, its account file), or a database URL (``sqlite:///...``,
    ``postgresql://...``; ``db`` for the configured service database)."""
    if source == "db" or "://" in source:
        return insureds_from_database(None if source == "db" else source, catalog, systemic)
    path = Path(source)
    if path.is_dir():
        return insureds_from_directory(path, catalog, systemic)
    if not path.is_file():
        raise InputError([Problem("book", f"{source}: no such file or directory")])
    if path.suffix == ".json":
        return insureds_from_json(path)
    if path.suffix == ".csv":
        from insurable.portfolio.oed import read_oed

        return read_oed(path, account, catalog, systemic)
    raise InputError([Problem("book", f"{source}: expected a directory, a .json book or an OED location .csv")])
