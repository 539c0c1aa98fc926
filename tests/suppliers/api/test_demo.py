"""``insurable demo`` seeds the hospital's eight suppliers, dated so that the example holds today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from insurable.api.demo import seed
from insurable.catalog.loader import load_catalog
from insurable.store.db import make_engine, make_sessionmaker, upgrade
from insurable.store.models import Organisation
from insurable.store.supplier_models import SupplierRequest, SupplierRow, SupplierSettings
from insurable.suppliers import evaluate_register
from insurable.suppliers.model import Register, Supplier

ROOT = Path(__file__).resolve().parents[3]


def test_demo_seeds_the_hospital_register(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    report = seed(sessions, examples, load_catalog, None)
    assert not [w for w in report.warnings if "suppliers" in w]
    seed(sessions, examples, load_catalog, None)  # idempotent: nothing doubles
    with sessions() as session:
        org = session.scalar(select(Organisation).where(Organisation.name == "Ziekenhuis Rivierenland (fictional)"))
        assert org is not None
        rows = session.scalars(select(SupplierRow).where(SupplierRow.org_id == org.id)).all()
        settings = session.get(SupplierSettings, org.id)
        requests = session.scalars(select(SupplierRequest).where(SupplierRequest.org_id == org.id)).all()
        assert len(rows) == 8 and settings is not None
        assert [r.email for r in requests] == ["compliance@zorgdossier.example"]
        register = Register(
            client=org.name,
            requirements=settings.requirements,
            suppliers=tuple(Supplier.model_validate(r.data) for r in rows),
        )
    catalogue = load_catalog().files["supplier_requirements.yaml"]
    today = dt.datetime.now(dt.UTC).date()
    statuses = {s.supplier.id: s for s in evaluate_register(catalogue, register, today)}
    delta = next(f for f in statuses["datacenter-delta"].findings if f.requirement == "cover.cyber")
    assert (statuses["datacenter-delta"].status, delta.days_left) == ("expiring", 45)
    assert statuses["veilig-netwerk"].status == "gap" and statuses["telefonie-oost"].status == "unknown"
    assert statuses["noordkust-it"].status == "compliant"
    engine.dispose()
