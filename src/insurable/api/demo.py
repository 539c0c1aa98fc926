"""Demo data: accounts for every role and one organisation per example profile.

``insurable demo`` calls :func:`seed`; it is idempotent (accounts and organisations that exist are
left alone), so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from insurable.api.demo_suppliers import seed_suppliers
from insurable.api.security import hash_password
from insurable.api.submission import snapshot
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import validate_answers
from insurable.errors import InputError
from insurable.profile import load_organisation
from insurable.store import repo
from insurable.store.models import Organisation, Share, User

#: The demo password of every demo account (the service is on loopback; change it for real use).
DEMO_PASSWORD = "insurable-demo"


def examples_dir(given: Path | None = None) -> Path:
    """Where the example organisation files are: ``given``, else ``./examples`` when it holds any, else
    the copy shipped in the wheel (``insurable/examples``), else the source checkout's ``examples/``.
    So ``insurable demo`` works from any directory, installed or not (issue 12, item 10)."""
    if given is not None:
        return given
    here = Path(__file__).resolve().parent.parent
    for candidate in (Path("examples"), here / "examples", here.parent.parent / "examples"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return here / "examples"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    kind: str
    sees: str


@dataclass
class DemoReport:
    accounts: list[DemoAccount]
    organisations: list[str]
    warnings: list[str]
    #: Organisation name -> suppliers seeded into its register (only organisations that have one).
    suppliers: dict[str, int] = field(default_factory=dict)


def _account(session: Session, email: str, name: str, kind: str) -> User:
    user = repo.user_by_email(session, email)
    if user is None:
        user = User(email=email, name=name, kind=kind, password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
        repo.audit(session, None, "user.create", target=f"user:{user.id}", detail={"kind": kind}, via="demo")
    return user


def seed(
    sessions: sessionmaker[Session],
    examples: list[Path],
    catalog: Callable[[], Catalog],
    assessor: Callable[[Any, Catalog], Any] | None,
) -> DemoReport:
    """Create the demo accounts and organisations; submit one assessment each when ``assessor`` is given."""
    report = DemoReport([], [], [])
    with sessions() as session:
        admin = _account(session, "admin@demo.example", "Demo administrator", "admin")
        broker = _account(session, "broker@demo.example", "Demo broker", "broker")
        underwriter = _account(session, "underwriter@demo.example", "Demo underwriter", "underwriter")
        report.accounts += [
            DemoAccount(admin.email, "admin", "every organisation and the whole audit trail"),
            DemoAccount(broker.email, "broker", "every demo organisation (shared with the broker)"),
            DemoAccount(underwriter.email, "underwriter", "the first demo organisation (shared, read-only)"),
        ]
        for index, path in enumerate(sorted(examples)):
            try:
                profile = load_organisation(path)
            except InputError as exc:
                report.warnings.append(f"{path}: skipped ({exc.problems[0]})")
                continue
            name = profile.name or path.stem
            slug = path.stem.replace("_", "-")
            owner = _account(session, f"{slug}@demo.example", f"Owner of {name}", "user")
            report.accounts.append(DemoAccount(owner.email, "owner", name))
            report.organisations.append(name)
            if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
                continue
            stored = profile.model_dump(mode="json", exclude={"answers"}, exclude_defaults=True)
            org = repo.create_organisation(session, owner, name, stored)
            repo.audit(session, owner, "organisation.create", org_id=org.id, target=f"org:{org.id}", via="demo")
            questions = catalog().questionnaire.by_id()
            answers = {q: v for q, v in profile.answers.items() if q in questions and v is not None}
            for problem in validate_answers(answers, catalog().questionnaire, file=str(path)):
                report.warnings.append(str(problem))
                answers.pop(problem.path.removeprefix("answers."), None)
            for question_id, value in answers.items():
                repo.save_answer(session, org, question_id, value, owner)
            repo.audit(session, owner, "answers.import", org_id=org.id, target=str(path.name), via="demo")
            if count := seed_suppliers(session, org, owner, path, report.warnings):  # the supplier chain (issue 15)
                report.suppliers[name] = count
            session.add(Share(org_id=org.id, user_id=broker.id, granted_by=owner.id))
            if index == 0:
                session.add(Share(org_id=org.id, user_id=underwriter.id, granted_by=owner.id))
            if assessor is not None:
                _submit(session, org, owner, profile.with_answers(answers), catalog(), assessor, report)
        session.commit()
    return report


def _submit(
    session: Session,
    org: Organisation,
    owner: User,
    profile: Any,
    catalog: Catalog,
    assessor: Callable[[Any, Catalog], Any],
    report: DemoReport,
) -> None:
    try:
        outcome = assessor(profile, catalog)
    except InputError as exc:
        report.warnings.append(f"{org.name}: not assessed ({exc.problems[0]})")
        return
    submitted = profile.model_dump(mode="json", exclude_defaults=True)
    row = snapshot(org.id, owner.id, submitted, outcome, catalog)
    session.add(row)
    session.flush()
    repo.audit(session, owner, "assessment.submit", org_id=org.id, target=f"assessment:{row.id}", via="demo")
