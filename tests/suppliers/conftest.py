"""Fixtures: the packaged supplier requirements and the worked example (the hospital's register)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurable.catalog import Catalog
from insurable.catalog.supplier_requirements import SupplierRequirementsFile
from insurable.suppliers.model import Register
from insurable.suppliers.register_io import parse_register

ROOT = Path(__file__).resolve().parents[2]
HOSPITAL = ROOT / "examples" / "suppliers" / "hospital-suppliers.yaml"


@pytest.fixture(scope="session")
def reqs(catalog: Catalog) -> SupplierRequirementsFile:
    found = catalog.files["supplier_requirements.yaml"]
    assert isinstance(found, SupplierRequirementsFile)
    return found


@pytest.fixture()
def hospital() -> Register:
    return parse_register(HOSPITAL.read_text(encoding="utf-8"), str(HOSPITAL))
