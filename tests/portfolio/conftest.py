from __future__ import annotations

import pytest

from insurable.catalog.loader import load_catalog
from insurable.portfolio.catalog import SystemicFile


@pytest.fixture(scope="session")
def systemic() -> SystemicFile:
    return load_catalog().get("systemic.yaml", SystemicFile)
