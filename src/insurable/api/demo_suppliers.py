"""Demo data of the supplier chain: an example organisation's register from
``examples/suppliers/<stem>-suppliers.yaml`` (the hospital and its eight IT suppliers).

Dates in the example are written for 2026-12-01; the demo shifts them by the days since, so the
lapsing policy still lapses in 45 days whenever ``insurable demo`` runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from insurable.errors import InputError
from insurable.store import repo
from insurable.store.models import Organisation, User
from insurable.store.supplier_models import SupplierRequest, SupplierRow, SupplierSettings
from insurable.suppliers.register_io import parse_register

#: The day the example registers are written for.
EXAMPLE_DAY = dt.date(2026, 12, 1)


def register_path(example: Path) -> Path:
    return example.parent / "suppliers" / f"{example.stem}-suppliers.yaml"


def _shift(value: Any, days: dt.timedelta) -> Any:
    if isinstance(value, dt.date):
        return value + days
    if isinstance(value, dict):
        return {k: _shift(v, days) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shift(v, days) for v in value]
    return value


def seed_suppliers(session: Session, org: Organisation, owner: User, example: Path, warnings: list[str]) -> int:
    """Seed the register that belongs to ``example`` (if any); returns the number of suppliers."""
    path = register_path(example)
    if not path.is_file():
        return 0
    try:
        register = parse_register(path.read_text(encoding="utf-8"), str(path))
    except InputError as exc:
        warnings.append(f"{path}: skipped ({exc.problems[0]})")
        return 0
    shift = dt.datetime.now(dt.UTC).date() - EXAMPLE_DAY
    requirements = {k: v.model_dump(mode="json", exclude_none=True) for k, v in register.requirements.items()}
    session.add(
        SupplierSettings(
            org_id=org.id,
            requirements=requirements,
            alert_emails=[owner.email],
            language=register.language,
            alert_state={},
        )
    )
    for supplier in register.suppliers:
        data = _shift(supplier.model_dump(exclude={"shared"}), shift)
        stored = type(supplier).model_validate(data).model_dump(mode="json", exclude={"shared"})
        row = SupplierRow(org_id=org.id, key=supplier.id, name=supplier.name, data=stored)
        session.add(row)
        session.flush()
        if supplier.shared is not None and supplier.contact_email:
            # the supplier that shares in the example is asked to, in the demo: it answers once it has an account
            session.add(
                SupplierRequest(org_id=org.id, supplier_id=row.id, email=supplier.contact_email, invited_by=owner.id)
            )
    repo.audit(session, owner, "suppliers.import", org_id=org.id, target=path.name, via="demo")
    return len(register.suppliers)
