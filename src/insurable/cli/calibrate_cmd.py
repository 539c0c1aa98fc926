"""``insurable calibrate``: the loss model beside its public anchors (anchors.yaml), row by row."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from insurable.cli.app import console, fail, guarded, load_catalog_option, print_json
from insurable.errors import Problem


class CalFormat(StrEnum):
    text = "text"
    json = "json"


def _fmt(value: float, unit: str) -> str:
    if unit == "probability":
        return f"{value:.3%}"
    if unit == "eur":
        return f"EUR {value:,.0f}"
    return f"{value:,.2f}"


def calibrate(
    fmt: Annotated[CalFormat, typer.Option("--format", help="text or json.")] = CalFormat.text,
    trials: Annotated[int | None, typer.Option("--trials", help="Trial-years for the simulated rows.")] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Print the loss model against its calibration anchors, with sources and tolerance bands."""
    if trials is not None and not 1_000 <= trials <= 10_000_000:
        fail([Problem("--trials", "must be between 1,000 and 10,000,000")])
    catalog = load_catalog_option(catalog_dir)
    if "anchors.yaml" not in catalog.files or "perils.yaml" not in catalog.files:
        fail([Problem("--catalog", "needs perils.yaml and anchors.yaml to calibrate")])
    from insurable.lossmodel.calibrate import CALIBRATION_TRIALS, calibration

    rows = guarded(lambda: calibration(catalog, trials=trials or CALIBRATION_TRIALS))
    if fmt is CalFormat.json:
        print_json({"format_version": 1, "rows": [r.model_dump(mode="json") for r in rows]})
        return
    table = Table(title="Loss model against public anchors (indicative)")
    for col in ("What", "Source figure", "Anchor", "Model", "Model/anchor", "Band", "", "Sources"):
        table.add_column(col, justify="right" if col in ("Anchor", "Model", "Model/anchor") else "left")
    for r in rows:
        table.add_row(
            r.description.en + (" [US]" if r.us_figure else ""),
            r.as_reported,
            _fmt(r.anchor, r.unit),
            _fmt(r.model, r.unit),
            f"{r.ratio:.2f}",
            f"{r.tolerance[0]:g}-{r.tolerance[1]:g}",
            "ok" if r.within else "OUT",
            ", ".join(r.sources),
        )
    console.print(table)
    outside = [r.id for r in rows if not r.within]
    console.print(
        f"{len(rows) - len(outside)} of {len(rows)} anchors within their band"
        + (f"; outside: {', '.join(outside)}" if outside else "")
        + ". [US] marks a US figure standing in for a Dutch one."
    )


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)
