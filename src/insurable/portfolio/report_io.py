"""A :class:`~insurable.portfolio.metrics.PortfolioReport` as stored data: JSON (the web app's stored
runs, issue 17) and CSV tables with the columns :func:`insurable.portfolio.pipeline.write_csv` writes.

The JSON is the report's own field names and values (no pickle, nothing executable): reading it
back validates it against the frozen model, so a stored run that no longer parses is an error
naming the field, not a half-rendered page. ``FORMAT`` is stored beside it so that a later change
of the report can migrate or refuse old rows instead of guessing. Python writes floats in JSON with
``repr`` precision, so report -> JSON -> report is the same report (a test checks it).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from insurable.errors import InputError, Problem
from insurable.portfolio.metrics import PortfolioReport

__all__ = ["CSV_TABLES", "FORMAT", "csv_rows", "report_from_json", "report_to_json"]

#: The version of the stored report's layout (the ``format`` key of :func:`report_to_json`).
FORMAT = 1
#: The CSV tables a stored report can be written as, by name (the files ``write_csv`` writes).
CSV_TABLES = ("ep", "scenarios", "insureds", "concentration", "single_points_of_failure")


def report_to_json(report: PortfolioReport) -> dict[str, Any]:
    """The report as JSON-ready data (floats, ints, strings, lists and dicts only)."""
    return {"format": FORMAT, "report": report.model_dump(mode="json")}


def report_from_json(data: Any) -> PortfolioReport:
    """The report back from :func:`report_to_json`'s data; an :class:`InputError` names every bad field."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise InputError([Problem("format", f"a stored portfolio report of format {FORMAT} expected, got {found!r}")])
    try:
        return PortfolioReport.model_validate(data.get("report"))
    except ValidationError as exc:
        problems = [
            Problem("report." + ".".join(str(p) for p in err["loc"]) if err["loc"] else "report", err["msg"])
            for err in exc.errors()
        ]
        raise InputError(problems) from None


def csv_rows(report: PortfolioReport, table: str, names: dict[str, str] | None = None) -> list[list[Any]]:
    """One CSV table of the report: the header row, then the data rows.

    Columns as :func:`insurable.portfolio.pipeline.write_csv`. ``insureds`` lists the insureds the
    report carries (:attr:`PortfolioReport.insureds_top`, largest TVaR contribution first) with
    their names from ``names`` (id -> name as it was when the run was made) or the report.
    """
    names = names or {}
    rp = f"{report.return_period:g}"
    if table == "ep":
        return [
            ["return_period", "aep", "oep", "tvar"],
            *([p.return_period, p.aep, p.oep, p.tvar] for p in report.curve),
        ]
    if table == "scenarios":
        return [
            ["scenario", "aal", f"tvar_{rp}_contribution", "share"],
            *([s.id, s.aal, s.tvar, s.share] for s in report.scenarios),
        ]
    if table == "insureds":
        return [
            ["insured", "name", "aal", f"tvar_{rp}_contribution", "share"],
            *([c.id, names.get(c.id, c.name or ""), c.aal, c.tvar, c.share] for c in report.insureds_top),
        ]
    if table == "concentration":
        header = ["category", "vendor", "insureds", "share_of_book", "aggregate_limit_eur", "aal", "largest_event"]
        return [
            [*header, "events"],
            *(
                [
                    c.category,
                    c.vendor,
                    c.insureds,
                    c.share_of_book,
                    c.aggregate_limit_eur,
                    c.aal,
                    c.largest_event,
                    c.events,
                ]
                for c in report.concentration
            ),
        ]
    if table == "single_points_of_failure":
        return [
            ["category", "vendor", "clients", "aggregate_limit_eur", "client_ids"],
            *(
                [s.category, s.vendor, len(s.clients), s.aggregate_limit_eur, " ".join(s.clients)]
                for s in report.single_points_of_failure
            ),
        ]
    raise InputError([Problem("table", f"one of {', '.join(CSV_TABLES)}, not {table!r}")])
