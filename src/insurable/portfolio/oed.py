"""OED v4 (Open Exposure Data) import and export of a book (adapter): one location file and one
account file, CSV, as OasisLMF reads them.

Standard OED fields carry what OED has: ``PortNumber``, ``AccNumber``, ``LocNumber``, ``LocName``,
``CountryCode``, ``LocPerilsCovered``/``PolPerilsCovered`` (``AA1``, all perils: OED v4 has no cyber
peril code), ``BITIV`` (a year of gross profit), ``BIPOI`` (BI period of indemnity, days),
``LocCurrency``/``AccCurrency``, ``PolNumber``, ``PolPeril``, ``PolDed6All``/``PolLimit6All`` (policy
deductible and limit, all coverages, with their types ``PolDedType6All``/``PolLimitType6All`` 0: an
amount). The files pass ods-tools' OED validation (``OedExposure.check()``; tested).
What OED has no field for travels in OED's own extension, ``Flexi``
fields: the dependency footprint (one per vendor category of ``systemic.yaml``, e.g.
``FlexiLocCloudVendor``), turnover, the BI waiting period in hours, the contingent-BI terms, and the
loss parameters (so a round trip gives the same book). A location file without the loss parameters
is compiled through the loss model from its turnover, employees and NACE code.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from insurable.errors import InputError, Problem
from insurable.portfolio.book import Insured, LossParams, insured_from_organisation
from insurable.portfolio.catalog import SystemicFile
from insurable.terms import Terms

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

__all__ = ["read_oed", "write_oed"]

PORTFOLIO = "insurable"
PERILS = "AA1"
LOSS_FIELDS = {
    "frequency": "FlexiLocFrequency",
    "event_mean_eur": "FlexiLocEventMean",
    "event_sigma": "FlexiLocEventSigma",
    "compromise_median_eur": "FlexiLocCompromiseMedian",
    "compromise_sigma": "FlexiLocCompromiseSigma",
    "downtime_median_hours": "FlexiLocDowntimeMedianHours",
    "downtime_sigma": "FlexiLocDowntimeSigma",
    "hourly_rate_eur": "FlexiLocHourlyRate",
}
#: Optional: the own event's Pareto tail (blank: a lognormal throughout)
TAIL_FIELDS = {
    "event_tail_quantile": "FlexiLocEventTailQuantile",
    "event_tail_shape": "FlexiLocEventTailShape",
    "compromise_tail_quantile": "FlexiLocCompromiseTailQuantile",
    "compromise_tail_shape": "FlexiLocCompromiseTailShape",
}
BI, CBI = "cov.business_interruption", "cov.contingent_bi"


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return repr(float(value))


def write_oed(insureds: Sequence[Insured], location: Path, account: Path, systemic: SystemicFile) -> None:
    """Write the book as an OED location file and an account file."""
    vendor_fields = [c.oed_field for c in systemic.categories]
    loc_fields = [
        "PortNumber",
        "AccNumber",
        "LocNumber",
        "LocName",
        "CountryCode",
        "LocPerilsCovered",
        "LocCurrency",
        "BITIV",
        "BIPOI",
        "FlexiLocTurnover",
        "FlexiLocBIWaitingHours",
        *vendor_fields,
        *LOSS_FIELDS.values(),
        *TAIL_FIELDS.values(),
    ]
    acc_fields = [
        "PortNumber",
        "AccNumber",
        "AccCurrency",
        "PolNumber",
        "PolPerilsCovered",
        "PolPeril",
        "PolDedType6All",
        "PolDed6All",
        "PolLimitType6All",
        "PolLimit6All",
        "FlexiPolAggregateLimit",
        "FlexiPolCBISublimit",
        "FlexiPolCBIWaitingHours",
        "FlexiPolCBIPOI",
    ]
    with location.open("w", newline="", encoding="utf-8") as lf, account.open("w", newline="", encoding="utf-8") as af:
        loc = csv.DictWriter(lf, loc_fields)
        acc = csv.DictWriter(af, acc_fields)
        loc.writeheader()
        acc.writeheader()
        for ins in insureds:
            bi, cbi = ins.terms.coverage(BI), ins.terms.coverage(CBI)
            row: dict[str, Any] = {
                "PortNumber": PORTFOLIO,
                "AccNumber": ins.id,
                "LocNumber": ins.id,
                "LocName": ins.name or "",
                "CountryCode": "NL",
                "LocPerilsCovered": PERILS,
                "LocCurrency": "EUR",
                "BITIV": _num(ins.loss.hourly_rate_eur * 8760),
                "BIPOI": _num(bi.indemnity_period_days if bi else None),
                "FlexiLocTurnover": _num(ins.annual_turnover_eur),
                "FlexiLocBIWaitingHours": _num(bi.waiting_period_hours if bi else None),
            }
            for cat in systemic.categories:
                row[cat.oed_field] = ins.vendors.get(cat.id, "")
            for name, column in (LOSS_FIELDS | TAIL_FIELDS).items():
                row[column] = _num(getattr(ins.loss, name))
            for part in ("event", "compromise"):
                if getattr(ins.loss, f"{part}_tail_quantile") is None:
                    row[TAIL_FIELDS[f"{part}_tail_shape"]] = ""
            loc.writerow(row)
            acc.writerow(
                {
                    "PortNumber": PORTFOLIO,
                    "AccNumber": ins.id,
                    "AccCurrency": "EUR",
                    "PolNumber": ins.id,
                    "PolPerilsCovered": PERILS,
                    "PolPeril": PERILS,  # the perils the terms apply to (ods-tools requires it with them)
                    "PolDedType6All": 0,  # 0: an amount
                    "PolDed6All": _num(ins.terms.deductible_eur),
                    "PolLimitType6All": 0,
                    "PolLimit6All": _num(ins.terms.limit_eur),
                    "FlexiPolAggregateLimit": _num(ins.terms.aggregate_limit_eur),
                    "FlexiPolCBISublimit": _num(cbi.sublimit_eur if cbi else None),
                    "FlexiPolCBIWaitingHours": _num(cbi.waiting_period_hours if cbi else None),
                    "FlexiPolCBIPOI": _num(cbi.indemnity_period_days if cbi else None),
                }
            )


def _read(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError([Problem(c, "required OED column is missing", file=str(path)) for c in missing])
            return list(reader)
    except OSError as exc:
        raise InputError([Problem("book", f"{path}: {exc}")]) from exc


class _Row:
    def __init__(self, row: dict[str, str], file: str, line: int, problems: list[Problem]) -> None:
        self.row, self.file, self.line, self.problems = row, file, line, problems

    def number(self, column: str, *, positive: bool = False) -> float | None:
        raw = (self.row.get(column) or "").strip()
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.problems.append(Problem(column, f"not a number: {raw!r}", file=self.file, line=self.line))
            return None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            self.problems.append(
                Problem(
                    column,
                    f"must be a {'positive' if positive else 'non-negative'} amount",
                    file=self.file,
                    line=self.line,
                )
            )
            return None
        return value


def read_oed(location: Path, account: Path | None, catalog: Catalog, systemic: SystemicFile) -> list[Insured]:
    """Read an OED location file and its account file into insureds; every problem at once, each
    naming the file, the line and the column."""
    from insurable.lossmodel.organisation import requested_terms
    from insurable.profile import parse_organisation

    if account is None:
        raise InputError([Problem("account", "an OED location file needs its account file (--account)")])
    locs = _read(location, ("AccNumber", "LocNumber"))
    accs = _read(account, ("AccNumber", "PolDed6All", "PolLimit6All"))
    problems: list[Problem] = []
    by_acc: dict[str, tuple[int, dict[str, str]]] = {}
    for k, row in enumerate(accs):
        by_acc.setdefault(row["AccNumber"], (k + 2, row))
    out: list[Insured] = []
    for k, row in enumerate(locs):
        line = k + 2
        r = _Row(row, str(location), line, problems)
        acc_no = row["AccNumber"]
        if acc_no not in by_acc:
            problems.append(Problem("AccNumber", f"no account {acc_no!r} in {account}", file=str(location), line=line))
            continue
        a = _Row(by_acc[acc_no][1], str(account), by_acc[acc_no][0], problems)
        turnover = r.number("FlexiLocTurnover", positive=True)
        if turnover is None and (bitiv := r.number("BITIV", positive=True)) is not None:
            turnover = bitiv / 0.4  # BITIV is a year of gross profit (perils.yaml gross_profit_share)
        ded, limit = a.number("PolDed6All"), a.number("PolLimit6All", positive=True)
        agg = a.number("FlexiPolAggregateLimit", positive=True)
        loss_values = {name: r.number(column) for name, column in LOSS_FIELDS.items()}
        tail_values = {name: r.number(column) for name, column in TAIL_FIELDS.items()}
        tail_values = {name: value for name, value in tail_values.items() if value is not None}
        for part in ("event", "compromise"):
            if f"{part}_tail_shape" in tail_values and f"{part}_tail_quantile" not in tail_values:
                column, needs = TAIL_FIELDS[f"{part}_tail_shape"], TAIL_FIELDS[f"{part}_tail_quantile"]
                r.problems.append(Problem(column, f"a tail shape needs {needs}", file=r.file, line=r.line))
                del tail_values[f"{part}_tail_shape"]  # said once, by its column
        vendors = {c.id: v.strip() for c in systemic.categories if (v := (row.get(c.oed_field) or "")).strip()}
        name = (row.get("LocName") or "").strip() or None
        if turnover is None:
            problems.append(
                Problem("FlexiLocTurnover", "a turnover (or BITIV) is required", file=str(location), line=line)
            )
            continue
        try:
            org = parse_organisation(
                {
                    "name": name,
                    "country": (row.get("CountryCode") or "NL").strip() or "NL",
                    "annual_turnover_eur": turnover,
                }
            )
            terms: Terms = requested_terms(org, catalog, ded, limit).model_copy(
                update={"aggregate_limit_eur": agg, "origin": "requested"}
            )
            for cov, wait, poi, sub in (
                (BI, r.number("FlexiLocBIWaitingHours"), r.number("BIPOI", positive=True), None),
                (
                    CBI,
                    a.number("FlexiPolCBIWaitingHours"),
                    a.number("FlexiPolCBIPOI", positive=True),
                    a.number("FlexiPolCBISublimit", positive=True),
                ),
            ):
                changes: dict[str, Any] = {}
                if wait is not None:
                    changes["waiting_period_hours"] = wait
                if poi is not None:
                    changes["indemnity_period_days"] = poi
                if sub is not None:
                    changes["sublimit_eur"] = sub
                if changes:
                    terms = terms.with_coverage(cov, **changes)
            if all(v is not None for v in loss_values.values()):
                try:
                    loss = LossParams(**loss_values, **tail_values)
                except ValidationError as exc:  # name the OED column and the reason, every one
                    columns = LOSS_FIELDS | TAIL_FIELDS
                    for err in exc.errors():
                        field = str(err["loc"][0]) if err["loc"] else "loss"
                        problems.append(
                            Problem(columns.get(field, field), str(err["msg"]), file=str(location), line=line)
                        )
                    continue
                insured = Insured(
                    id=acc_no,
                    name=name,
                    annual_turnover_eur=turnover,
                    loss=loss,
                    terms=terms,
                    vendors=vendors,
                )
            else:
                insured = insured_from_organisation(org, catalog, systemic, insured_id=acc_no, terms=terms)
                insured = insured.model_copy(update={"vendors": vendors})
            out.append(insured)
        except (InputError, ValueError) as exc:
            reasons = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
            problems += [Problem("LocNumber", reason, file=str(location), line=line) for reason in reasons]
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError([Problem("book", f"{location}: no locations")])
    return out
