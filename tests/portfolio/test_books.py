"""Books from organisation files, JSON and OED v4: the round trip gives the same book."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from insurable.catalog.loader import load_catalog
from insurable.errors import InputError
from insurable.portfolio.book import book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.oed import read_oed, write_oed
from insurable.portfolio.sources import insureds_from_directory, insureds_from_json, read_book, write_json
from insurable.portfolio.synthetic import fictional_clients

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clients")
    for i, doc in enumerate(fictional_clients(40, seed=7)):
        (out / f"client-{i:03d}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return out


def test_fictional_clients_are_reproducible() -> None:
    assert fictional_clients(30, seed=1) == fictional_clients(30, seed=1)
    assert fictional_clients(30, seed=1) != fictional_clients(30, seed=2)


def test_footprint_comes_from_the_vendor_answers(systemic: SystemicFile) -> None:
    catalog = load_catalog()
    insureds = insureds_from_directory(EXAMPLES, catalog, systemic)
    msp = next(i for i in insureds if i.id == "dutch-msp")
    assert msp.vendors["vpn"] == "fortinet"
    assert msp.vendors["email"] == "microsoft_365"
    book = book_from_insureds(insureds, systemic)
    k = book.ids.index("dutch-msp")
    assert book.vendors["cloud"][k] is None  # own servers: no shared cloud vendor
    assert book.vendors["vpn"][k] == "fortinet"
    assert all(i.loss.frequency > 0 and i.loss.hourly_rate_eur > 0 for i in insureds)


def test_oed_round_trip(systemic: SystemicFile, clients: Path, tmp_path: Path) -> None:
    catalog = load_catalog()
    insureds = insureds_from_directory(clients, catalog, systemic)
    loc, acc = tmp_path / "location.csv", tmp_path / "account.csv"
    write_oed(insureds, loc, acc, systemic)
    back = read_oed(loc, acc, catalog, systemic)
    assert [i.id for i in back] == [i.id for i in insureds]
    for a, b in zip(insureds, back, strict=True):
        assert a.loss == b.loss
        assert a.vendors == b.vendors
        assert a.name == b.name
        assert a.annual_turnover_eur == b.annual_turnover_eur
        assert (a.terms.deductible_eur, a.terms.limit_eur, a.terms.aggregate) == (
            b.terms.deductible_eur,
            b.terms.limit_eur,
            b.terms.aggregate,
        )
        for cov in ("cov.business_interruption", "cov.contingent_bi"):
            ca, cb = a.terms.coverage(cov), b.terms.coverage(cov)
            assert ca is not None and cb is not None
            assert (ca.waiting_period_hours, ca.indemnity_period_days, ca.sublimit_eur) == (
                cb.waiting_period_hours,
                cb.indemnity_period_days,
                cb.sublimit_eur,
            )
    one, two = book_from_insureds(insureds, systemic), book_from_insureds(back, systemic)
    for name in ("freq", "mu", "rate", "deductible", "occurrence_limit", "aggregate_limit", "wait", "sublimit"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
    assert one.vendors == two.vendors
    # a second export is byte-identical
    loc2, acc2 = tmp_path / "l2.csv", tmp_path / "a2.csv"
    write_oed(back, loc2, acc2, systemic)
    assert loc2.read_bytes() == loc.read_bytes() and acc2.read_bytes() == acc.read_bytes()


def test_oed_without_loss_parameters_goes_through_the_loss_model(systemic: SystemicFile, tmp_path: Path) -> None:
    loc, acc = tmp_path / "loc.csv", tmp_path / "acc.csv"
    loc.write_text(
        "PortNumber,AccNumber,LocNumber,LocName,CountryCode,BITIV,FlexiLocCloudVendor\n"
        "p,A1,A1,Bakkerij,NL,400000,aws\n",
        encoding="utf-8",
    )
    acc.write_text("PortNumber,AccNumber,PolDed6All,PolLimit6All\np,A1,5000,500000\n", encoding="utf-8")
    (ins,) = read_oed(loc, acc, load_catalog(), systemic)
    assert ins.annual_turnover_eur == pytest.approx(1_000_000)
    assert ins.vendors == {"cloud": "aws"}
    assert ins.terms.deductible_eur == 5_000 and ins.terms.limit_eur == 500_000
    assert ins.loss.frequency > 0


def test_bad_oed_names_file_line_and_column(systemic: SystemicFile, tmp_path: Path) -> None:
    loc, acc = tmp_path / "loc.csv", tmp_path / "acc.csv"
    loc.write_text("AccNumber,LocNumber,FlexiLocTurnover\nA1,A1,lots\nA2,A2,100000\n", encoding="utf-8")
    acc.write_text("AccNumber,PolDed6All,PolLimit6All\nA1,-5,0\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_oed(loc, acc, load_catalog(), systemic)
    text = [str(p) for p in err.value.problems]
    assert any("loc.csv, line 2: FlexiLocTurnover: not a number" in t for t in text), text
    assert any("acc.csv, line 2: PolDed6All" in t for t in text), text
    assert any("line 3: AccNumber: no account 'A2'" in t for t in text), text
    with pytest.raises(InputError, match="PolLimit6All"):
        acc.write_text("AccNumber,PolDed6All\nA1,5\n", encoding="utf-8")
        read_oed(loc, acc, load_catalog(), systemic)


def test_json_round_trip_and_sources(systemic: SystemicFile, clients: Path, tmp_path: Path) -> None:
    catalog = load_catalog()
    insureds = read_book(str(clients), catalog, systemic)
    path = tmp_path / "book.json"
    write_json(insureds, path)
    assert insureds_from_json(path) == insureds
    with pytest.raises(InputError, match="no such file"):
        read_book(str(tmp_path / "nope"), catalog, systemic)
    path.write_text('{"insureds": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        insureds_from_json(path)
    assert {p.path for p in err.value.problems} >= {"insureds[0].loss", "insureds[0].terms"}
