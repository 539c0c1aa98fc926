"""docs/nis2.md carries the catalogue's tables; they must match the data (regen: INSURABLE_REGEN=1)."""

from __future__ import annotations

import os
from pathlib import Path

from insurable.catalog import Catalog
from insurable.nis2 import nis2_catalogue
from insurable.nis2.tables import render_tables, replace_block

DOC = Path(__file__).resolve().parents[2] / "docs" / "nis2.md"


def test_docs_tables_are_current(catalog: Catalog):
    nis2 = nis2_catalogue(catalog)
    text = DOC.read_text(encoding="utf-8")
    wanted = replace_block(text, render_tables(nis2))
    if os.environ.get("INSURABLE_REGEN"):
        DOC.write_text(wanted, encoding="utf-8")
    assert text == wanted, "docs/nis2.md tables are stale: INSURABLE_REGEN=1 pytest tests/nis2/test_nis2_docs.py"
    for row in nis2.decision_table:
        assert f"`{row.id}`" in text
    for t in nis2.entity_types:
        assert f"`{t.id}`" in text
