"""The OED export passes OasisLMF's own validator (ods-tools, ``OedExposure.check``), and the
validator does catch a broken file (so the check is not vacuous)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from insurable.catalog.loader import load_catalog
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.oed import read_oed, write_oed
from insurable.portfolio.sources import insureds_from_directory
from insurable.portfolio.synthetic import fictional_clients


def _check(location: Path, account: Path) -> list[object]:
    from ods_tools.oed import OedExposure

    exposure = OedExposure(location=str(location), account=str(account), check_oed=False)
    return list(exposure.check())


def test_the_oed_export_passes_ods_tools_and_reads_back(tmp_path: Path, systemic: SystemicFile) -> None:
    import yaml

    clients = tmp_path / "clients"
    clients.mkdir()
    for i, doc in enumerate(fictional_clients(12, seed=3)):
        (clients / f"client-{i:04d}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog()
    insureds = insureds_from_directory(clients, catalog, systemic)
    loc, acc = tmp_path / "location.csv", tmp_path / "account.csv"
    write_oed(insureds, loc, acc, systemic)
    assert _check(loc, acc) == []
    again_loc, again_acc = tmp_path / "again-location.csv", tmp_path / "again-account.csv"
    write_oed(read_oed(loc, acc, catalog, systemic), again_loc, again_acc, systemic)
    assert again_loc.read_bytes() == loc.read_bytes() and again_acc.read_bytes() == acc.read_bytes()

    # a policy deductible without its type is an error for ods-tools: the check can fail
    with acc.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    broken = tmp_path / "broken.csv"
    with broken.open("w", newline="", encoding="utf-8") as f:
        fields = [k for k in rows[0] if k != "PolDedType6All"]
        writer = csv.DictWriter(f, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(Exception, match="PolDedType6All"):
        _check(loc, broken)
