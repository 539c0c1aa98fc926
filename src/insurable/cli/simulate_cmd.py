"""``insurable simulate``: the quantified loss of an organisation, or of an analyst's scenario file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from insurable.catalog.loader import Catalog
from insurable.cli.app import console, err_console, fail, guarded, load_catalog_option, load_org, print_json
from insurable.errors import InputError, Problem
from insurable.profile import Organisation

if TYPE_CHECKING:
    from insurable.lossmodel import LossReport

MAX_TRIALS = 100_000_000


class SimFormat(StrEnum):
    text = "text"
    json = "json"


class KernelChoice(StrEnum):
    auto = "auto"
    numba = "numba"
    numpy = "numpy"


def simulate(
    org_file: Annotated[
        Path | None, typer.Argument(help="Organisation YAML (profile and answers); or use --scenario.")
    ] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="FAIR-style scenario file (docs/lossmodel.md).")
    ] = None,
    trials: Annotated[int | None, typer.Option("--trials", help="Trial-years (default 100000).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed; same seed, same numbers.")] = None,
    fmt: Annotated[SimFormat, typer.Option("--format", help="text or json.")] = SimFormat.text,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write the loss exceedance curve as SVG.")] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="Worker threads (default: all cores).")] = None,
    kernel: Annotated[KernelChoice, typer.Option("--kernel", help="auto, numba or numpy.")] = KernelChoice.auto,
) -> None:
    """Simulate annual cyber loss per peril: VaR/TVaR, retained vs insured, limit needed, premium."""
    problems: list[Problem] = []
    if (org_file is None) == (scenario is None):
        problems.append(Problem("ORG", "give either an organisation file or --scenario FILE (one of them)"))
    if trials is not None and not 0 < trials <= MAX_TRIALS:
        problems.append(Problem("--trials", f"must be between 1 and {MAX_TRIALS:,}"))
    if seed is not None and seed < 0:
        problems.append(Problem("--seed", "must be >= 0"))
    if threads is not None and threads < 1:
        problems.append(Problem("--threads", "must be >= 1"))
    if problems:
        fail(problems)
    from insurable import lossmodel

    comparison: dict[str, Any] | None = None
    if scenario is not None:
        from insurable.lossmodel import load_scenario, simulate_scenario

        catalog = _optional_catalog(catalog_dir)
        scen = guarded(lambda: load_scenario(scenario))
        report = guarded(
            lambda: simulate_scenario(
                scen, catalog, trials=trials, seed=seed, kernel=kernel.value, threads=threads, file=str(scenario)
            )
        )
    else:
        assert org_file is not None
        from insurable.lossmodel import simulate_organisation
        from insurable.lossmodel.section import simulate_assessment

        catalog = load_catalog_option(catalog_dir)
        org = load_org(org_file, catalog, required=("annual_turnover_eur",))
        result, assessment = _assessment(org, catalog)
        n_trials = trials or lossmodel.DEFAULT_TRIALS
        n_seed = seed if seed is not None else lossmodel.DEFAULT_SEED
        with simulation_progress(n_trials, enabled=fmt is not SimFormat.json) as progress:
            if result is not None:
                # Exactly the terms `assess` offers: its deductible, limit, exclusions, sublimits.
                report = guarded(
                    lambda: simulate_assessment(
                        org,
                        catalog,
                        result,
                        trials=n_trials,
                        seed=n_seed,
                        kernel=kernel.value,
                        threads=threads,
                        progress=progress,
                    )
                )
            else:
                report = guarded(
                    lambda: simulate_organisation(
                        org,
                        catalog,
                        trials=n_trials,
                        seed=n_seed,
                        kernel=kernel.value,
                        threads=threads,
                        progress=progress,
                    )
                )
        comparison = premium_comparison(report, assessment)
        if result is not None and comparison is not None and comparison.get("factor_eur"):
            from insurable.lossmodel.premium import explain_gap

            # The same seed, fewer trial-years: enough to rank the factors behind a gap.
            comparison["reasons"] = explain_gap(
                org, catalog, result, report, trials=min(n_trials, 100_000), seed=n_seed
            )
    if chart is not None:
        try:
            chart.write_text(lossmodel.lec_svg(report), encoding="utf-8")
        except OSError as exc:
            fail([Problem("--chart", f"cannot write: {exc}", str(chart))])
    if fmt is SimFormat.json:
        if comparison is not None:
            from insurable.lossmodel.report import PremiumComparison

            report = report.model_copy(update={"premium_comparison": PremiumComparison.model_validate(comparison)})
        print_json(report.to_json())
        return
    print_report(report, comparison)
    if chart is not None:
        console.print(f"Loss exceedance curve written to {chart}")


def _optional_catalog(catalog_dir: Path | None) -> Catalog | None:
    """A scenario needs the catalogue only for catalogue perils and coverage ids."""
    try:
        from insurable.catalog.loader import load_catalog

        return load_catalog(catalog_dir)
    except InputError:
        if catalog_dir is not None:
            return load_catalog_option(catalog_dir)
        return None


#: Runs expected to take longer than this many trial-years show a progress bar (about a second).
PROGRESS_FROM_TRIALS = 2_000_000


@contextmanager
def simulation_progress(trials: int, *, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr for long runs; none when not a TTY or for JSON output."""
    if not enabled or trials < PROGRESS_FROM_TRIALS or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Simulating"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} trial-years"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("simulate", total=trials)
        lock = threading.Lock()

        def update(done: int, total: int) -> None:
            with lock:
                bar.update(task, completed=max(done, bar.tasks[0].completed), total=total)

        yield update


def _assessment(org: Organisation, catalog: Catalog) -> tuple[Any, dict[str, Any]]:
    """The underwriting result (None when it cannot run) and its deductible, capacity and factor premium."""
    try:
        from insurable.assessment import assess
    except ImportError:
        return None, {}
    try:
        result: Any = assess(org, catalog, loss_trials=None, with_plan=False)
    except InputError as exc:
        return None, {"unavailable": "; ".join(str(p) for p in exc.problems[:3])}
    premium = getattr(result, "premium", None)
    out: dict[str, Any] = {
        "deductible_eur": getattr(result, "deductible_eur", None),
        "max_limit_eur": getattr(result, "max_limit_eur", None),
        "verdict": getattr(result, "verdict", None),
    }
    if premium is not None:
        out["premium"] = {"low_eur": premium.low_eur, "point_eur": premium.point_eur, "high_eur": premium.high_eur}
    return result, out


#: Technical / factor premium within this band counts as agreement (docs/lossmodel.md, "Two premiums").
AGREEMENT_BAND = (0.5, 2.0)


def premium_comparison(report: LossReport, assessment: dict[str, Any]) -> dict[str, Any] | None:
    """The technical premium of one policy for the requested limit beside the factor premium, which
    prices the same requested limit (shared over the tower's insurers), with the difference explained."""
    if report.technical_premium is None:
        return None
    technical = report.requested_limit_premium()
    assert technical is not None
    factor = assessment.get("premium")
    if factor is None:
        why = assessment.get("unavailable") or (
            "declined by the guideline" if assessment.get("verdict") == "declined" else "underwriting engine absent"
        )
        return {"technical_eur": technical, "factor_eur": None, "note": f"no factor-based premium: {why}"}
    point = float(factor["point_eur"])
    ratio = technical / point if point > 0 else None
    lo, hi = AGREEMENT_BAND
    if ratio is None:
        verdict = "no factor premium to compare"
    elif ratio < lo:
        verdict = (
            "the loss model expects less insured loss than the rating tables charge for (below the "
            f"agreement band {lo:g}-{hi:g})"
        )
    elif ratio > hi:
        verdict = (
            "the loss model expects more insured loss than the rating tables charge for (above the "
            f"agreement band {lo:g}-{hi:g})"
        )
    else:
        verdict = f"the two methods agree within the band {lo:g}-{hi:g}"
    note = (
        f"{verdict}. The factor premium is the rating tables' price of the requested limit (base by turnover "
        "x hazard class x limit, deductible and control factors, minimum premium); the technical premium is "
        "this model's (expected insured loss + risk load) / target loss ratio + expense load for the same "
        "limit (a tower whose layers are priced one by one costs more: see the tower). The rating's limit, "
        "deductible and hazard factors are re-based on this model at the reference organisation; the table "
        "of factors (reasons) shows which one drives a gap: typically records held (the model scales breach "
        "costs with the records, the rating has one flat debit) and limit factors (the model's grow with the "
        "firm's size, the rating's do not)."
    )
    return {
        "technical_eur": technical,
        "technical_primary_eur": report.technical_premium.premium,
        "technical_tower_eur": report.tower.technical_premium if report.tower is not None else None,
        "factor_eur": factor,
        "ratio_technical_to_factor": ratio,
        "agreement_band": list(AGREEMENT_BAND),
        "agrees": ratio is not None and lo <= ratio <= hi,
        "note": note,
    }


def _eur(value: float | None) -> str:
    if value is None:
        return "-"
    return f"EUR {value:,.0f}"


def print_report(report: LossReport, comparison: dict[str, Any] | None) -> None:
    title = f"Loss model: {report.name or report.kind}"
    console.print(f"[bold]{title}[/] ({report.trials:,} trial-years, seed {report.seed}, kernel {report.kernel})")
    console.print("Indicative figures in EUR; see docs/lossmodel.md for the model and its sources.")
    console.print(
        f"Mean annual loss {_eur(report.mean_annual_loss)}, standard deviation {_eur(report.std_annual_loss)}"
    )
    t = report.terms
    console.print(
        f"Terms: deductible {_eur(t.deductible)} per occurrence, limit {_eur(t.limit)} per occurrence, "
        f"aggregate {_eur(t.aggregate_limit)}"
        + (f", BI rate {_eur(t.bi_hourly_rate)}/hour" if t.bi_hourly_rate else "")
    )
    table = Table(title="Annual loss by return period (VaR / TVaR)")
    table.add_column("")
    periods = list(report.quantiles)
    for rp in periods:
        table.add_column(f"1-in-{rp}", justify="right")
    rows = [("Ground-up", report.quantiles, report.tvar)]
    rows += [("Insured", report.insured.quantiles, report.insured.tvar)]
    rows += [("Retained", report.retained.quantiles, report.retained.tvar)]
    rows += [(res.name, res.quantiles, res.tvar) for res in report.by_peril.values()]
    for label, var, tvar in rows:
        table.add_row(label, *(f"{var[rp]:,.0f} / {tvar[rp]:,.0f}" for rp in periods))
    console.print(table)
    perils = Table(title="By peril")
    for col in ("Peril", "Losses/year", "Median loss", "Mean loss", "Mean annual"):
        perils.add_column(col, justify="left" if col == "Peril" else "right")
    for res in report.by_peril.values():
        perils.add_row(
            res.name,
            f"{res.frequency:.4f}",
            f"{res.severity_median:,.0f}",
            f"{res.severity_mean:,.0f}",
            f"{res.mean:,.0f}",
        )
    perils.add_row("Total", "", "", "", f"{report.mean_annual_loss:,.0f}")
    console.print(perils)
    console.print(f"Insured mean {_eur(report.insured.mean)}, retained mean {_eur(report.retained.mean)}")
    if report.deductible_options:
        ded = Table(title="Deductible options (retained vs insured)")
        for col in ("Deductible", "Insured mean", "Retained mean", "Retained 1-in-100", "Technical premium"):
            ded.add_column(col, justify="right")
        for d in report.deductible_options:
            ded.add_row(
                _eur(d.deductible),
                _eur(d.insured_mean),
                _eur(d.retained_mean),
                _eur(d.retained_quantiles.get("100")),
                _eur(d.technical_premium),
            )
        console.print(ded)
    if report.limit_options:
        lim = Table(title="Limit options")
        for col in ("Limit", "Insured mean", "Retained mean", "P(exhausted)/year", "Technical premium"):
            lim.add_column(col, justify="right")
        for o in report.limit_options:
            lim.add_row(
                _eur(o.limit),
                _eur(o.insured_mean),
                _eur(o.retained_mean),
                f"{o.probability_exhausted:.4%}",
                _eur(o.technical_premium),
            )
        console.print(lim)
    if report.limit_needed is not None:
        ln = report.limit_needed
        covers = (
            f"1-in-{ln.requested_limit_return_period:,.0f}" if ln.requested_limit_return_period else "beyond the sample"
        )
        console.print(
            f"Limit needed for the 1-in-{_rp_key(ln.return_period)} year at deductible {_eur(ln.deductible)}: "
            f"{_eur(ln.limit)}"
            + (f"; the requested {_eur(ln.requested_limit)} is exhausted {covers}" if ln.requested_limit else "")
        )
    if report.tower is not None:
        tw = report.tower
        tower = Table(title=f"Tower: {_eur(tw.requested_limit)} with capacity {_eur(tw.capacity)} per insurer")
        for col in ("Layer", "Attachment", "Limit", "P(attach)/year", "Expected loss", "Technical premium"):
            tower.add_column(col, justify="right")
        for layer in tw.layers:
            tower.add_row(
                "primary" if layer.layer == 0 else f"excess {layer.layer}",
                _eur(layer.attachment),
                _eur(layer.limit),
                f"{layer.attachment_probability:.4%}",
                _eur(layer.expected_loss),
                _eur(layer.technical_premium),
            )
        console.print(tower)
    if report.technical_premium is not None:
        tp = report.technical_premium
        console.print(
            f"Technical premium {_eur(tp.premium)} = expected insured loss {_eur(tp.expected_insured_loss)} "
            f"/ target loss ratio {tp.target_loss_ratio:.0%} + expense load {_eur(tp.expense_load)}"
        )
    if comparison is not None:
        factor = comparison.get("factor_eur")
        if factor:
            console.print(
                f"Factor-based indicative premium {_eur(factor['low_eur'])} - {_eur(factor['high_eur'])} "
                f"(point {_eur(factor['point_eur'])})"
            )
        console.print(comparison["note"])
        reasons = comparison.get("reasons") or []
        if reasons:
            why = Table(title="Rating factor against the model's (largest gap first)")
            for col in ("Factor", "Model", "Rating", "Model / rating"):
                why.add_column(col, justify="left" if col == "Factor" else "right")
            for r in reasons:
                why.add_row(r["factor"], f"{r['model']:.3f}", f"{r['rating']:.3f}", f"{r['model_over_rating']:.2f}")
            console.print(why)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def _rp_key(return_period: float) -> str:
    from insurable.lossmodel.report import rp_key

    return rp_key(return_period)
