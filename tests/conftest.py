"""Shared fixtures: the packaged catalogue and the example organisations."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurable.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture()
def examples_dir() -> Path:
    return EXAMPLES
