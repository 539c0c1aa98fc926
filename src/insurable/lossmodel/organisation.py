"""Simulate an organisation: catalogue perils scaled by sector and size, adjusted by the answers, under
the requested (or default) policy terms; retained vs insured for deductible and limit options, the
limit needed for a return period, the tower split and the technical premium."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from insurable.catalog.loader import Catalog
from insurable.catalog.perils import HazardClass, Peril, PerilsFile, Pricing, Scale, SizeReference
from insurable.conditions import evaluate
from insurable.errors import InputError, Problem
from insurable.lossmodel.arrays import (
    NEGATIVE_BINOMIAL,
    POISSON,
    PerilArrays,
    negative_binomial_params,
    stack_terms,
)
from insurable.lossmodel.engine import BLOCK_YEARS, Kernel, simulate
from insurable.lossmodel.metrics import RETURN_PERIODS, tail
from insurable.lossmodel.report import (
    Adjustment,
    DeductibleOption,
    Distribution,
    Layer,
    LimitNeeded,
    LimitOption,
    LossReport,
    PerilResult,
    Tower,
    distribution,
    report_from_table,
    rp_key,
)
from insurable.lossmodel.terms import compile_terms, hourly_rate, layer_loss, technical_premium, with_deductible
from insurable.profile import Organisation
from insurable.text import Text

DEFAULT_TRIALS = 100_000
DEFAULT_SEED = 20261126


def perils_file(catalog: Catalog) -> PerilsFile:
    return catalog.get("perils.yaml", PerilsFile)


def coverage_order(catalog: Catalog, model: PerilsFile) -> tuple[str, ...]:
    """Coverage ids in catalogue order (coverages.yaml), then any others the perils name."""
    order = [c.id for c in catalog.coverages.coverages] if "coverages.yaml" in catalog.files else []
    for peril in model.perils:
        order += [c for c in peril.split if c not in order]
    return tuple(order)


def hazard_class(org: Organisation, model: PerilsFile) -> tuple[HazardClass, str]:
    """The highest-ranked class matching an activity or the NACE division; else the default class."""
    division = (org.nace_code or "")[:2]
    best: tuple[HazardClass, str] | None = None
    for cls in model.hazard_classes:
        why = ""
        hits = sorted(set(org.activities or ()) & set(cls.activities))
        if hits:
            why = f"activities {', '.join(hits)}"
        elif division and division in cls.nace_divisions:
            why = f"NACE division {division}"
        if why and (best is None or cls.rank > best[0].rank):
            best = (cls, why)
    if best is not None:
        return best
    default = next(c for c in model.hazard_classes if c.default)
    return default, "no listed activity or NACE division"


def _driver_value(org: Organisation, driver: str) -> float | None:
    value = {"turnover": org.annual_turnover_eur, "employees": org.employees, "records": org.records_held}[driver]
    return float(value) if value is not None else None


def _reference(size: SizeReference, driver: str) -> float:
    return {"turnover": size.turnover_eur, "employees": size.employees, "records": size.records}[driver]


def _size_factor(org: Organisation, scale: Scale | None, size: SizeReference) -> tuple[float, dict[str, Any]]:
    if scale is None:
        return 1.0, {}
    value = _driver_value(org, scale.driver)
    ref = _reference(size, scale.driver)
    if value is None or value <= 0:
        return 1.0, {scale.driver: value, "reference": ref, "note": "not given: reference size used"}
    lo, hi = size.factor_bounds
    factor = min(max((value / ref) ** scale.exponent, lo), hi)
    return factor, {scale.driver: value, "reference": ref, "exponent": scale.exponent}


def adjust_peril(
    org: Organisation, peril: Peril, model: PerilsFile, cls: HazardClass, why: str
) -> tuple[float, float, list[Adjustment]]:
    """Frequency and severity multipliers for one peril, with the adjustments that produced them."""
    adjustments = [
        Adjustment(
            peril=peril.id,
            kind="hazard_class",
            id=f"hazard.{cls.id}",
            frequency=cls.frequency,
            severity=cls.severity,
            reason=Text(nl=f"Gevarenklasse {cls.name.nl} ({why})", en=f"Hazard class {cls.name.en} ({why})"),
            sources=cls.sources,
        )
    ]
    f_size, f_facts = _size_factor(org, peril.scaling.frequency, model.size)
    s_size, s_facts = _size_factor(org, peril.scaling.severity, model.size)
    if peril.scaling.frequency or peril.scaling.severity:
        adjustments.append(
            Adjustment(
                peril=peril.id,
                kind="size",
                id=f"size.{peril.id}",
                frequency=f_size,
                severity=s_size,
                reason=Text(nl="Omvang ten opzichte van de referentieorganisatie", en="Size against the reference"),
                facts={"frequency": f_facts, "severity": s_facts},
                sources=model.size.sources,
            )
        )
    freq_controls = sev_controls = 1.0
    answers = org.answers

    def profile(name: str) -> Any:
        return getattr(org, name, None)

    for effect in peril.effects:
        outcome = evaluate(effect.when, answers, profile)
        if not outcome.value:
            continue
        freq_controls *= effect.frequency
        sev_controls *= effect.severity
        adjustments.append(
            Adjustment(
                peril=peril.id,
                kind="control",
                id=effect.id,
                frequency=effect.frequency,
                severity=effect.severity,
                reason=effect.reason,
                facts={f"{fact.kind}:{fact.id}": fact.value for fact in outcome.facts},
                sources=effect.sources,
            )
        )
    bounds = model.control_bounds
    f_bounded = min(max(freq_controls, bounds.frequency[0]), bounds.frequency[1])
    s_bounded = min(max(sev_controls, bounds.severity[0]), bounds.severity[1])
    if f_bounded != freq_controls or s_bounded != sev_controls:
        adjustments.append(
            Adjustment(
                peril=peril.id,
                kind="bound",
                id="bound.controls",
                frequency=f_bounded / freq_controls,
                severity=s_bounded / sev_controls,
                reason=Text(nl="Gecombineerd effect van maatregelen begrensd", en="Combined control effect bounded"),
                sources=bounds.sources,
            )
        )
    frequency = cls.frequency * f_size * f_bounded
    severity = cls.severity * s_size * s_bounded
    return frequency, severity, adjustments


def organisation_perils(
    org: Organisation, model: PerilsFile, coverage_ids: tuple[str, ...]
) -> tuple[PerilArrays, list[Adjustment]]:
    """Compile the catalogue perils for this organisation."""
    cls, why = hazard_class(org, model)
    n = len(model.perils)
    kind = np.zeros(n, dtype=np.int64)
    mean, nb_n, nb_p, mu, sigma = (np.zeros(n) for _ in range(5))
    split = np.zeros((n, len(coverage_ids)))
    adjustments: list[Adjustment] = []
    for p, peril in enumerate(model.perils):
        f_mult, s_mult, adj = adjust_peril(org, peril, model, cls, why)
        adjustments += adj
        freq = peril.frequency.scaled(f_mult)
        mean[p] = freq.mean
        if freq.distribution == "negative_binomial":
            assert freq.variance_to_mean is not None
            kind[p] = NEGATIVE_BINOMIAL
            nb_n[p], nb_p[p] = negative_binomial_params(freq.mean, freq.variance_to_mean)
        else:
            kind[p] = POISSON
        base_mu, sigma[p] = peril.severity.mu_sigma()
        mu[p] = base_mu + math.log(s_mult)
        for cov, frac in peril.split.items():
            split[p, coverage_ids.index(cov)] = frac
    arrays = PerilArrays(
        ids=tuple(p.id for p in model.perils),
        coverage_ids=coverage_ids,
        kind=kind,
        mean=mean,
        nb_n=nb_n,
        nb_p=nb_p,
        mu=mu,
        sigma=sigma,
        split=split,
    )
    return arrays, adjustments


def peril_results(by_peril: np.ndarray, perils: PerilArrays, names: dict[str, str]) -> dict[str, PerilResult]:
    out: dict[str, PerilResult] = {}
    for p, pid in enumerate(perils.ids):
        dist = distribution(by_peril[:, p])
        out[pid] = PerilResult(
            **dist.model_dump(),
            name=names.get(pid, pid),
            frequency=float(perils.mean[p]),
            severity_median=math.exp(perils.mu[p]),
            severity_sigma=float(perils.sigma[p]),
            severity_mean=math.exp(perils.mu[p] + perils.sigma[p] ** 2 / 2),
        )
    return out


def _retained_quantiles(retained: Distribution) -> dict[str, float]:
    return dict(retained.quantiles)


def simulate_organisation(
    org: Organisation,
    catalog: Catalog,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    deductible_eur: float | None = None,
    limit_eur: float | None = None,
    capacity_eur: float | None = None,
    capacity_source: str | None = None,
    return_period: float | None = None,
    kernel: Kernel = "auto",
    threads: int | None = None,
) -> LossReport:
    """Simulate the organisation's annual cyber loss and what its policy would pay.

    ``deductible_eur`` and ``limit_eur`` override the profile's requested terms (e.g. with the
    underwriting engine's deductible); ``capacity_eur`` is one insurer's capacity for the tower
    (default: ``terms.capacity_eur`` of perils.yaml). Raises :class:`InputError` for bad input.
    """
    problems: list[Problem] = []
    if trials <= 0:
        problems.append(Problem("trials", "must be a positive number of trial-years"))
    if org.annual_turnover_eur is None or org.annual_turnover_eur <= 0:
        problems.append(Problem("annual_turnover_eur", "required (> 0) for the loss model"))
    for field, value in (("deductible_eur", deductible_eur), ("limit_eur", limit_eur)):
        if value is not None and (value < 0 or (field == "limit_eur" and value == 0)):
            problems.append(Problem(field, "must be positive"))
    if capacity_eur is not None and capacity_eur <= 0:
        problems.append(Problem("capacity_eur", "must be positive"))
    if return_period is not None and return_period <= 1:
        problems.append(Problem("return_period", "must be greater than 1"))
    if problems:
        raise InputError(problems)
    assert org.annual_turnover_eur is not None
    model = perils_file(catalog)
    coverage_ids = coverage_order(catalog, model)
    perils, adjustments = organisation_perils(org, model, coverage_ids)
    defaults = model.terms
    deductible = deductible_eur if deductible_eur is not None else org.requested_deductible_eur
    deductible = deductible if deductible is not None else defaults.deductible_eur
    limit = limit_eur if limit_eur is not None else org.requested_limit_eur
    limit = limit if limit is not None else defaults.limit_eur
    bi = model.business_interruption
    base, terms_used = compile_terms(
        coverage_ids,
        defaults.coverages,
        deductible=deductible,
        limit=limit,
        aggregate_limit=limit,
        rate_per_hour=hourly_rate(org.annual_turnover_eur, bi),
        operating_hours_per_year=bi.operating_hours_per_year,
    )
    # Term sets, all without the policy limit: the requested deductible, then each option. With the
    # occurrence limit equal to the aggregate limit L, the insured annual loss is min(unlimited, L)
    # exactly, so every limit is evaluated from the unlimited sample.
    options = [d for d in defaults.deductible_options_eur if d != deductible]
    sets = stack_terms([with_deductible(base, d, unlimited=True) for d in (deductible, *options)])
    ylt = simulate(perils, sets, trials=trials, seed=seed, kernel=kernel, threads=threads)
    ground_up = ylt.ground_up
    unlimited = ylt.insured[0]
    insured = np.minimum(unlimited, limit)
    pricing = model.pricing
    premium = technical_premium(float(insured.mean()), pricing)

    deductible_options: list[DeductibleOption] = []
    for d in sorted({deductible, *options}):
        k = 0 if d == deductible else 1 + options.index(d)
        ins_d = np.minimum(ylt.insured[k], limit)
        ret_d = distribution(ground_up - ins_d, curve=False)
        deductible_options.append(
            DeductibleOption(
                deductible=d,
                limit=limit,
                insured_mean=float(ins_d.mean()),
                retained_mean=ret_d.mean,
                retained_quantiles=_retained_quantiles(ret_d),
                technical_premium=technical_premium(float(ins_d.mean()), pricing).premium,
            )
        )
    limit_options: list[LimitOption] = []
    for lim in sorted({limit, *defaults.limit_options_eur}):
        ins_l = np.minimum(unlimited, lim)
        limit_options.append(
            LimitOption(
                limit=lim,
                deductible=deductible,
                insured_mean=float(ins_l.mean()),
                retained_mean=float((ground_up - ins_l).mean()),
                probability_exhausted=float((unlimited > lim).mean()),
                technical_premium=technical_premium(float(ins_l.mean()), pricing).premium,
            )
        )
    rp = return_period if return_period is not None else defaults.return_period
    top = tail(unlimited)
    exceed = float((unlimited >= limit).mean())
    limit_needed = LimitNeeded(
        return_period=rp,
        deductible=deductible,
        limit=top.var(rp) if rp <= trials else top.var(trials),
        requested_limit=limit,
        requested_limit_return_period=(1.0 / exceed) if exceed > 0 else None,
    )
    capacity = capacity_eur if capacity_eur is not None else defaults.capacity_eur
    tower = build_tower(
        unlimited, limit, capacity, capacity_source or ("guideline" if capacity_eur else "perils.yaml"), pricing
    )
    names = {p.id: p.name.en for p in model.perils}
    return report_from_table(
        "organisation",
        org.name,
        ylt,
        insured,
        peril_results(ylt.by_peril, perils, names),
        terms_used,
        deductible_options=tuple(deductible_options),
        limit_options=tuple(limit_options),
        limit_needed=limit_needed,
        tower=tower,
        technical_premium=premium,
        adjustments=tuple(adjustments),
        catalog_versions=catalog.versions(),
    )


def build_tower(unlimited: np.ndarray, limit: float, capacity: float, source: str, pricing: Pricing) -> Tower:
    """Split ``limit`` into layers of at most ``capacity``: primary, then excess layers."""
    layers: list[Layer] = []
    attachment = 0.0
    i = 0
    while attachment < limit - 1e-9:
        width = min(capacity, limit - attachment)
        loss = layer_loss(unlimited, attachment, width)
        expected = float(loss.mean())
        layers.append(
            Layer(
                layer=i,
                attachment=attachment,
                limit=width,
                expected_loss=expected,
                attachment_probability=float((unlimited > attachment).mean()),
                technical_premium=technical_premium(expected, pricing).premium,
            )
        )
        attachment += width
        i += 1
    return Tower(requested_limit=limit, capacity=capacity, capacity_source=source, layers=tuple(layers))


__all__ = ["DEFAULT_SEED", "DEFAULT_TRIALS", "BLOCK_YEARS", "RETURN_PERIODS", "rp_key", "simulate_organisation"]
