"""FAIR-style analyst scenarios: a file of perils with frequency, severity and optional terms.

Format (docs/lossmodel.md, "Scenario files")::

    trials: 100000
    seed: 42
    perils:
      - id: ransomware
        frequency: {distribution: poisson, mean: 0.3}
        severity: {distribution: lognormal, median: 100000, sigma: 1.6}
      - id: fraud
        frequency: {distribution: negative_binomial, mean: 0.2, variance_to_mean: 2}
        severity: {distribution: lognormal, quantiles: [[0.05, 10000], [0.95, 500000]]}
        split: {cov.financial_fraud: 1.0}          # optional, needs the catalogue's coverages
      - id: peril.data_breach                      # a catalogue peril: its reference parameters
    terms: {deductible: 25000, limit: 1000000, aggregate_limit: 2000000, sublimits: {cov.financial_fraud: 100000}}

Terms apply per occurrence: the insurer pays min(max(x - deductible, 0), limit) for each loss x,
and at most ``aggregate_limit`` a year.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError, model_validator

from insurable.catalog.header import Frozen
from insurable.catalog.loader import Catalog
from insurable.catalog.perils import Frequency, PerilsFile, Severity
from insurable.catalog.yamlio import read_yaml
from insurable.errors import InputError, Problem, problems_from_validation
from insurable.lossmodel.arrays import NEGATIVE_BINOMIAL, PerilArrays, negative_binomial_params, stack_terms
from insurable.lossmodel.engine import Kernel, simulate
from insurable.lossmodel.metrics import NonzeroStats, tail
from insurable.lossmodel.organisation import find_limit_needed, peril_results
from insurable.lossmodel.report import LimitNeeded, LossReport, report_from_table
from insurable.lossmodel.terms import compile_terms, with_deductible
from insurable.terms import CoverageTerms, Terms
from insurable.text import Text

#: The coverage a scenario loss falls in when a peril gives no split.
WHOLE_LOSS = "loss"
MAX_TRIALS = 100_000_000


class ScenarioPeril(Frozen):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str | None = None
    frequency: Frequency | None = None
    severity: Severity | None = None
    split: dict[str, float] | None = None

    @model_validator(mode="after")
    def _split(self) -> ScenarioPeril:
        if self.split is not None:
            if any(v < 0 for v in self.split.values()):
                raise ValueError("split: fractions must be >= 0")
            total = sum(self.split.values())
            if abs(total - 1) > 1e-9:
                raise ValueError(f"split: fractions must sum to 1, not {total:g}")
        return self


class ScenarioTerms(Frozen):
    deductible: float = Field(default=0, ge=0, description="per occurrence")
    limit: float | None = Field(default=None, gt=0, description="per occurrence")
    aggregate_limit: float | None = Field(default=None, gt=0, description="per year")
    sublimits: dict[str, float] = Field(default_factory=dict, description="coverage id -> annual aggregate sublimit")

    @model_validator(mode="after")
    def _positive_sublimits(self) -> ScenarioTerms:
        bad = [k for k, v in self.sublimits.items() if v <= 0]
        if bad:
            raise ValueError(f"sublimits: must be positive ({', '.join(bad)})")
        return self


class Scenario(Frozen):
    trials: int = Field(default=100_000, gt=0, le=MAX_TRIALS)
    seed: int = Field(default=0, ge=0)
    name: str | None = None
    perils: tuple[ScenarioPeril, ...] = Field(min_length=1)
    terms: ScenarioTerms = ScenarioTerms()


def parse_scenario(data: Any, file: str | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise InputError([Problem("", "expected a mapping with trials, seed, perils and terms", file)])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, file=file)) from exc


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(read_yaml(path), file=str(path))


def _resolve(
    scenario: Scenario, catalog: Catalog | None, file: str | None
) -> tuple[list[tuple[str, str, Frequency, Severity, dict[str, float] | None]], tuple[str, ...]]:
    """Each peril's parameters (own, or a catalogue peril's), the coverage ids, and every problem."""
    model = catalog.files.get("perils.yaml") if catalog is not None else None
    catalogue_perils = model.by_id() if isinstance(model, PerilsFile) else {}
    known_cov = (
        [c.id for c in catalog.coverages.coverages] if catalog is not None and "coverages.yaml" in catalog.files else []
    )
    problems: list[Problem] = []
    resolved: list[tuple[str, str, Frequency, Severity, dict[str, float] | None]] = []
    seen: set[str] = set()
    for i, p in enumerate(scenario.perils):
        if p.id in seen:
            problems.append(Problem(f"perils[{i}].id", f"duplicate peril id {p.id!r}", file))
        seen.add(p.id)
        base = catalogue_perils.get(p.id)
        if (p.frequency is None or p.severity is None) and base is None:
            missing = [n for n in ("frequency", "severity") if getattr(p, n) is None]
            reason = (
                f"unknown peril {p.id!r}: give {' and '.join(missing)}, or use a catalogue peril id "
                f"({', '.join(sorted(catalogue_perils)) or 'none loaded'})"
            )
            problems.append(Problem(f"perils[{i}].id", reason, file))
            continue
        freq = p.frequency or (base.frequency if base else None)
        sev = p.severity or (base.severity if base else None)
        split = p.split if p.split is not None else (dict(base.split) if base else None)
        for cov in split or {}:
            if cov not in known_cov:
                problems.append(Problem(f"perils[{i}].split.{cov}", f"unknown coverage id {cov!r}", file))
        assert freq is not None and sev is not None
        resolved.append((p.id, p.name or (base.name.en if base else p.id), freq, sev, split))
    for cov in scenario.terms.sublimits:
        if cov not in known_cov and cov != WHOLE_LOSS:
            problems.append(Problem(f"terms.sublimits.{cov}", f"unknown coverage id {cov!r}", file))
    if problems:
        raise InputError(problems)
    used = {c for *_, split in resolved for c in (split or {WHOLE_LOSS: 1.0})}
    order = [c for c in (*known_cov, WHOLE_LOSS) if c in used]
    return resolved, tuple(order)


def simulate_scenario(
    scenario: Scenario,
    catalog: Catalog | None = None,
    *,
    trials: int | None = None,
    seed: int | None = None,
    kernel: Kernel = "auto",
    threads: int | None = None,
    file: str | None = None,
) -> LossReport:
    """Run an analyst's scenario. ``trials``/``seed`` override the file's values."""
    problems: list[Problem] = []
    if trials is not None and trials <= 0:
        problems.append(Problem("trials", "must be a positive number of trial-years"))
    if seed is not None and seed < 0:
        problems.append(Problem("seed", "must be >= 0"))
    if problems:
        raise InputError(problems)
    n_trials = trials if trials is not None else scenario.trials
    n_seed = seed if seed is not None else scenario.seed
    resolved, coverage_ids = _resolve(scenario, catalog, file)
    n = len(resolved)
    kind = np.zeros(n, dtype=np.int64)
    mean, nb_n, nb_p, mu, sigma, tail_z, tail_xi = (np.zeros(n) for _ in range(7))
    split = np.zeros((n, len(coverage_ids)))
    mains = []
    for p, (_, _, freq, sev, peril_split) in enumerate(resolved):
        mean[p] = freq.mean
        if freq.distribution == "negative_binomial":
            assert freq.variance_to_mean is not None
            kind[p] = NEGATIVE_BINOMIAL
            nb_n[p], nb_p[p] = negative_binomial_params(freq.mean, freq.variance_to_mean)
        main = sev.spliced()
        mains.append(main)
        mu[p], sigma[p], tail_z[p], tail_xi[p] = main.mu, main.sigma, main.z_t, main.xi
        for cov, frac in (peril_split or {WHOLE_LOSS: 1.0}).items():
            split[p, coverage_ids.index(cov)] += frac
    perils = PerilArrays(
        ids=tuple(r[0] for r in resolved),
        coverage_ids=coverage_ids,
        kind=kind,
        mean=mean,
        nb_n=nb_n,
        nb_p=nb_p,
        mu=mu,
        sigma=sigma,
        split=split,
        tail_z=tail_z,
        tail_xi=tail_xi,
    )
    t = scenario.terms
    policy = Terms(
        deductible_eur=t.deductible,
        limit_eur=t.limit,
        aggregate_limit_eur=t.aggregate_limit,
        coverages=tuple(
            CoverageTerms(coverage=cov, sublimit_eur=amount, rules=("scenario",)) for cov, amount in t.sublimits.items()
        ),
        origin="requested",
    )
    if t.aggregate_limit is None and t.limit is not None:
        # A scenario without an aggregate limit has none (not the occurrence limit).
        policy = policy.model_copy(update={"aggregate_limit_eur": math.inf})
    base, used = compile_terms(coverage_ids, policy, rate_per_hour=None)
    sets = stack_terms([base, with_deductible(base, t.deductible, unlimited=True)])
    ylt = simulate(perils, sets, trials=n_trials, seed=n_seed, kernel=kernel, threads=threads)
    insured = ylt.insured[0]
    limit_needed = None
    cap = min(x for x in (t.limit, t.aggregate_limit, math.inf) if x is not None)
    if n_trials >= 100:
        unlimited = ylt.insured[1]
        model = (
            catalog.get("perils.yaml", PerilsFile) if catalog is not None and "perils.yaml" in catalog.files else None
        )
        if model is not None:
            limit_needed = find_limit_needed(
                unlimited, NonzeroStats(unlimited), model, 100, t.deductible, cap if math.isfinite(cap) else math.inf
            )
        else:
            top = tail(unlimited)
            exceed = float((unlimited >= cap).mean()) if math.isfinite(cap) else 0.0
            worst = top.tvar(100)
            limit_needed = LimitNeeded(
                return_period=100,
                deductible=t.deductible,
                limit=worst,
                worst_years_mean=worst,
                event_quantile=0.0,
                event_loss=0.0,
                unrounded=worst,
                method=Text(
                    nl="Gemiddelde van het slechtste 1 % van de jaren (zonder catalogus: niet afgerond).",
                    en="Mean of the worst 1 % of years (no catalogue: not rounded).",
                ),
                requested_limit=cap if math.isfinite(cap) else None,
                requested_limit_return_period=(1 / exceed) if exceed > 0 else None,
            )
    return report_from_table(
        "scenario",
        scenario.name,
        ylt,
        insured,
        peril_results(ylt.by_peril, perils, {r[0]: r[1] for r in resolved}, mains, [None] * n),
        used,
        limit_needed=limit_needed,
        catalog_versions=catalog.versions() if catalog is not None else {},
    )
