"""One portfolio analysis end to end (adapter): compile the book, run the blocks (streaming the YLT
to Parquet), the Euler second pass, the report, and CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from insurable.errors import InputError, Problem
from insurable.portfolio.book import Book, Insured, book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import (
    BLOCK_YEARS,
    DEFAULT_SEED,
    DEFAULT_YEARS,
    RunResult,
    blocks,
    compile_run,
    run_portfolio,
    tail_contributions,
)
from insurable.portfolio.metrics import PortfolioReport, report, tail_years

__all__ = ["Analysis", "analyse", "write_csv"]


@dataclass
class Analysis:
    book: Book
    result: RunResult
    insured_tail: NDArray[np.float64] | None
    report: PortfolioReport


def analyse(  # noqa: PLR0913
    insureds: Sequence[Insured],
    systemic: SystemicFile,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    block_years: int = BLOCK_YEARS,
    threads: int | None = None,
    scheduler: Any = None,
    scenarios: tuple[str, ...] | None = None,
    return_period: float = 200,
    contributions: bool = True,
    ylt: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    top: int = 20,
) -> Analysis:
    book = book_from_insureds(insureds, systemic)
    compiled = compile_run(book, systemic, scenarios)
    client = None
    if scheduler is not None:
        from insurable.portfolio.dist import connect

        client, opened = connect(scheduler)
    try:
        kwargs: dict[str, Any] = {
            "years": years,
            "seed": seed,
            "block_years": block_years,
            "threads": threads,
            "scheduler": client,
            "progress": progress,
        }
        if ylt is not None:
            from insurable.portfolio.ylt import YltWriter

            starts = [lo for _, lo, _ in blocks(years, block_years)]
            try:
                ylt.parent.mkdir(parents=True, exist_ok=True)
                writer = YltWriter(ylt, compiled.scenario_ids, starts).__enter__()
            except OSError as exc:
                raise InputError([Problem("--ylt", f"cannot write {ylt}: {exc}")]) from exc
            with writer:
                result = run_portfolio(compiled, on_block=writer, **kwargs)
        else:
            result = run_portfolio(compiled, **kwargs)
        tail = None
        if contributions:
            tail = tail_contributions(
                compiled, result, tail_years(result.net, return_period), threads=threads, scheduler=client
            )
    finally:
        if client is not None and opened:
            client.close()
    rep = report(result, book, return_period=return_period, insured_tail=tail, top=top)
    return Analysis(book, result, tail, rep)


def write_csv(analysis: Analysis, directory: Path) -> list[Path]:
    """ep.csv, scenarios.csv, insureds.csv (every insured), concentration.csv and
    single_points_of_failure.csv in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    rep, book, result = analysis.report, analysis.book, analysis.result
    written: list[Path] = []

    def write(name: str, header: list[str], rows: list[list[Any]]) -> None:
        path = directory / name
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(path)

    write(
        "ep.csv",
        ["return_period", "aep", "oep", "tvar"],
        [[p.return_period, p.aep, p.oep, p.tvar] for p in rep.curve],
    )
    write(
        "scenarios.csv",
        ["scenario", "aal", f"tvar_{rep.return_period:g}_contribution", "share"],
        [[s.id, s.aal, s.tvar, s.share] for s in rep.scenarios],
    )
    k = tail_years(result.net, rep.return_period).shape[0]
    tail = analysis.insured_tail
    write(
        "insureds.csv",
        ["insured", "name", "aal", f"tvar_{rep.return_period:g}_contribution", "share"],
        [
            [
                book.ids[i],
                book.names[i],
                result.insured_sum[i] / result.years,
                "" if tail is None else tail[i] / k,
                "" if tail is None or rep.tvar == 0 else tail[i] / k / rep.tvar,
            ]
            for i in range(book.size)
        ],
    )
    write(
        "concentration.csv",
        ["category", "vendor", "insureds", "share_of_book", "aggregate_limit_eur", "aal", "largest_event", "events"],
        [
            [c.category, c.vendor, c.insureds, c.share_of_book, c.aggregate_limit_eur, c.aal, c.largest_event, c.events]
            for c in rep.concentration
        ],
    )
    write(
        "single_points_of_failure.csv",
        ["category", "vendor", "clients", "aggregate_limit_eur", "client_ids"],
        [
            [s.category, s.vendor, len(s.clients), s.aggregate_limit_eur, " ".join(s.clients)]
            for s in rep.single_points_of_failure
        ],
    )
    return written
