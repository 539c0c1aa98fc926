"""Fixture services on 127.0.0.1 for the scanner tests (never any other address)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from insurable.catalog import Catalog
from insurable.catalog.exposure import ExposureFile
from tests.scanner.fixtures import Fixtures, FixtureServers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixtures]:
    running = FixtureServers(Path(tmp_path_factory.mktemp("scan-fixtures")))
    try:
        yield running.fixtures
    finally:
        running.stop()


@pytest.fixture(scope="session")
def exposure(catalog: Catalog) -> ExposureFile:
    return catalog.get("exposure.yaml", ExposureFile)
