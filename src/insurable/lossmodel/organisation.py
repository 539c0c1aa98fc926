"""Simulate an organisation: catalogue perils scaled by sector and size, adjusted by the answers, under
the requested (or default) policy terms; retained vs insured for deductible and limit options, the
limit needed for a return period, the tower split and the technical premium."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from insurable.catalog.loader import Catalog
from insurable.catalog.perils import HazardMultiplier, Peril, PerilsFile, Pricing, Scale, SizeReference
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
from insurable.lossmodel.metrics import RETURN_PERIODS, NonzeroStats, tail
from insurable.lossmodel.report import (
    Adjustment,
    DeductibleOption,
    Layer,
    LimitNeeded,
    LimitOption,
    LossReport,
    PerilResult,
    Tower,
    distribution,
    mean_std,
    report_from_table,
    rp_key,
)
from insurable.lossmodel.severity import Spliced
from insurable.lossmodel.terms import compile_terms, hourly_rate, technical_premium, with_deductible
from insurable.profile import Organisation
from insurable.terms import Terms, default_terms
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


def hazard_multiplier(
    org: Organisation, catalog: Catalog, model: PerilsFile, hazard: tuple[str, int] | None = None
) -> tuple[HazardMultiplier, str]:
    """The loss multipliers of the organisation's hazard class. The class is the guideline's
    (``underwriting.hazard.classify_hazard``, the one classification); ``hazard`` (id, rank) passes
    the class an assessment already found, e.g. under an insurer's own guideline."""
    if hazard is None:
        from insurable.underwriting.hazard import classify_hazard

        cls, outcomes = classify_hazard(org, catalog)
        hazard = (cls.id, cls.rank)
        why = f"rule {outcomes[0].rule_id}" if outcomes else "the guideline's default class"
    else:
        why = "the assessment's class"
    mult, how = model.hazard_multiplier(*hazard)
    return mult, f"{hazard[0]}: {why}; multipliers {how}"


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


def _box(potential: tuple[float, float], limit: float, floor: bool) -> tuple[float, float]:
    """Per-dimension bounds ``(a, b)`` with ``a * b = limit`` for an event type whose effects, all
    together, would multiply frequency and severity by ``potential``: the limit is split in
    proportion to each one's log in the potential (a dimension no effect moves keeps 1). With no
    bound needed (the potential respects the limit), ``(0, 0)`` for a floor and ``(inf, inf)`` for a
    cap."""
    f, s = potential
    product = f * s
    if (floor and product >= limit) or (not floor and product <= limit):
        return (0.0, 0.0) if floor else (math.inf, math.inf)
    total = math.log(product)
    wf = math.log(f) / total if total else 0.5
    return limit**wf, limit ** (1 - wf)


def _bounded(factors: tuple[float, float], box: tuple[float, float], floor: bool) -> tuple[float, float]:
    """Each factor held to its own bound (``max`` for credits, ``min`` for penalties).

    A bound per dimension, fixed by the catalogue, keeps the combined effect within the limit and is
    monotone: adding a control (one more credit, one penalty less) never raises the frequency or
    the severity, so with common random numbers it never raises a trial-year's loss. (A bound on
    the product alone cannot be: once it binds, a lower severity would have to be paid for with a
    higher frequency.)"""
    f, s = factors
    if floor:
        return max(f, box[0]), max(s, box[1])
    return min(f, box[0]), min(s, box[1])


def _potentials(peril: Peril) -> tuple[tuple[float, float], tuple[float, float]]:
    """What all credit effects, and all penalty effects, of an event type multiply together."""
    credit, penalty = [1.0, 1.0], [1.0, 1.0]
    for effect in peril.effects:
        if effect.credit:
            credit[0] *= min(effect.frequency, 1.0)
            credit[1] *= min(effect.severity, 1.0)
        else:
            penalty[0] *= max(effect.frequency, 1.0)
            penalty[1] *= max(effect.severity, 1.0)
    return (credit[0], credit[1]), (penalty[0], penalty[1])


def adjust_peril(
    org: Organisation,
    peril: Peril,
    model: PerilsFile,
    hazard: HazardMultiplier,
    why: str,
    nis2_class: str | None = None,
) -> tuple[float, float, list[Adjustment]]:
    """Frequency and severity multipliers for one event type, with the adjustments that produced them."""
    adjustments = [
        Adjustment(
            peril=peril.id,
            kind="hazard_class",
            id=f"hazard.{hazard.hazard_class}",
            frequency=hazard.frequency,
            severity=hazard.severity,
            reason=Text(nl=f"Gevarenklasse {why}", en=f"Hazard class {why}"),
            sources=hazard.sources,
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
    credit = [1.0, 1.0]
    penalty = [1.0, 1.0]
    answers = org.answers

    def profile(name: str) -> Any:
        return getattr(org, name, None)

    for effect in peril.effects:
        outcome = evaluate(effect.when, answers, profile)
        if not outcome.value:
            continue
        bucket = credit if effect.credit else penalty
        bucket[0] *= effect.frequency
        bucket[1] *= effect.severity
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
    credit_potential, penalty_potential = _potentials(peril)
    c_f, c_s = _bounded((credit[0], credit[1]), _box(credit_potential, bounds.credit_floor, floor=True), floor=True)
    p_f, p_s = _bounded((penalty[0], penalty[1]), _box(penalty_potential, bounds.penalty_cap, floor=False), floor=False)
    for label, before, after, nl, en in (
        ("credits", credit, (c_f, c_s), "Gecombineerd effect van maatregelen begrensd", "Combined credit bounded"),
        ("penalties", penalty, (p_f, p_s), "Gecombineerde toeslag begrensd", "Combined penalty bounded"),
    ):
        if (after[0], after[1]) != (before[0], before[1]):
            adjustments.append(
                Adjustment(
                    peril=peril.id,
                    kind="bound",
                    id=f"bound.{label}",
                    frequency=after[0] / before[0],
                    severity=after[1] / before[1],
                    reason=Text(nl=nl, en=en),
                    facts={"product_before": before[0] * before[1], "product_after": after[0] * after[1]},
                    sources=bounds.sources,
                )
            )
    nis2_factor = 1.0
    if peril.regulatory:
        factors = model.nis2_factors
        known = {"essential": factors.essential, "important": factors.important, "out_of_scope": factors.out_of_scope}
        nis2_factor = known.get(nis2_class or "", 1.0)
        adjustments.append(
            Adjustment(
                peril=peril.id,
                kind="nis2",
                id=f"nis2.{nis2_class or 'unknown'}",
                frequency=nis2_factor,
                severity=1.0,
                reason=Text(
                    nl=f"NIS2-uitkomst: {nis2_class or 'onbekend (factor 1)'}",
                    en=f"NIS2 outcome: {nis2_class or 'unknown (factor 1)'}",
                ),
                sources=factors.sources,
            )
        )
    frequency = hazard.frequency * f_size * c_f * p_f * nis2_factor
    severity = hazard.severity * s_size * c_s * p_s
    return frequency, severity, adjustments


def organisation_perils(
    org: Organisation,
    model: PerilsFile,
    coverage_ids: tuple[str, ...],
    hazard: HazardMultiplier,
    why: str,
    nis2_class: str | None = None,
) -> tuple[PerilArrays, list[Adjustment], list[Spliced], list[Spliced | None]]:
    """Compile the catalogue event types for this organisation (and their closed-form severities)."""
    n = len(model.perils)
    n_c = len(coverage_ids)
    kind = np.zeros(n, dtype=np.int64)
    mean, nb_n, nb_p, mu, sigma, tail_z, tail_xi = (np.zeros(n) for _ in range(7))
    theft_p, theft_mu, theft_sigma, theft_z, theft_xi, shock = (np.zeros(n) for _ in range(6))
    bi_mu, bi_sigma = np.zeros(n), np.zeros(n)
    bi_cov = np.full(n, -1, dtype=np.int64)
    rate = hourly_rate(org.annual_turnover_eur or 0.0, model.business_interruption)
    split = np.zeros((n, n_c))
    theft_split = np.zeros((n, n_c))
    adjustments: list[Adjustment] = []
    mains: list[Spliced] = []
    seconds: list[Spliced | None] = []
    for p, peril in enumerate(model.perils):
        f_mult, s_mult, adj = adjust_peril(org, peril, model, hazard, why, nis2_class)
        adjustments += adj
        freq = peril.frequency.scaled(f_mult)
        mean[p] = freq.mean
        if freq.distribution == "negative_binomial":
            assert freq.variance_to_mean is not None
            kind[p] = NEGATIVE_BINOMIAL
            nb_n[p], nb_p[p] = negative_binomial_params(freq.mean, freq.variance_to_mean)
        else:
            kind[p] = POISSON
        main = peril.severity.spliced(s_mult)
        mains.append(main)
        mu[p], sigma[p], tail_z[p], tail_xi[p] = main.mu, main.sigma, main.z_t, main.xi
        for cov, frac in peril.split.items():
            split[p, coverage_ids.index(cov)] = frac
        shock[p] = peril.common_shock
        s_size, _ = _size_factor(org, peril.scaling.severity, model.size)
        hours_factor = s_mult / s_size if s_size else s_mult  # hazard and controls, not size
        if peril.downtime is not None and rate > 0:
            d = peril.downtime
            bi_mu[p] = math.log(d.median_hours * hours_factor * rate)
            bi_sigma[p] = d.sigma
            bi_cov[p] = coverage_ids.index(d.coverage)
        second = peril.second_part
        if second is None:
            seconds.append(None)
            theft_sigma[p], theft_z[p] = 1.0, math.inf
            continue
        size2, _ = _size_factor(org, second.scaling, model.size)
        # The event's hazard and control severity apply to both parts; the second part has its own size.
        factor2 = s_mult / s_size * size2 if s_size else s_mult * size2
        part = second.severity.spliced(factor2)
        seconds.append(part)
        theft_p[p] = second.probability
        theft_mu[p], theft_sigma[p], theft_z[p], theft_xi[p] = part.mu, part.sigma, part.z_t, part.xi
        for cov, frac in second.split.items():
            theft_split[p, coverage_ids.index(cov)] = frac
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
        tail_z=tail_z,
        tail_xi=tail_xi,
        theft_p=theft_p,
        theft_mu=theft_mu,
        theft_sigma=theft_sigma,
        theft_tail_z=theft_z,
        theft_tail_xi=theft_xi,
        theft_split=theft_split,
        shock_mult=shock,
        shock_p=model.common_shock.probability,
        bi_mu=bi_mu,
        bi_sigma=bi_sigma,
        bi_cov=bi_cov,
    )
    return arrays, adjustments, mains, seconds


def event_mean(main: Spliced, second: Spliced | None, probability: float, downtime_mean: float = 0.0) -> float:
    """Mean ground-up loss of one event, every part (closed form)."""
    return main.mean() + (probability * second.mean() if second is not None else 0.0) + downtime_mean


def downtime_mean(perils: PerilArrays, p: int) -> float:
    """Mean downtime loss of one event of type ``p`` (lognormal mean; 0 without downtime)."""
    assert perils.bi_cov is not None and perils.bi_mu is not None and perils.bi_sigma is not None
    if perils.bi_cov[p] < 0:
        return 0.0
    return math.exp(perils.bi_mu[p] + perils.bi_sigma[p] ** 2 / 2)


def peril_results(
    by_peril: np.ndarray,
    perils: PerilArrays,
    names: dict[str, str],
    mains: list[Spliced],
    seconds: list[Spliced | None],
    total: int | None = None,
) -> dict[str, PerilResult]:
    out: dict[str, PerilResult] = {}
    assert perils.theft_p is not None
    for p, pid in enumerate(perils.ids):
        dist = distribution(np.ascontiguousarray(by_peril[:, p]), total=total)
        main, second, prob = mains[p], seconds[p], float(perils.theft_p[p])
        sev = event_mean(main, second, prob, downtime_mean(perils, p))
        out[pid] = PerilResult(
            **dist.model_dump(),
            name=names.get(pid, pid),
            frequency=float(perils.mean[p]),
            severity_median=main.median(),
            severity_sigma=main.sigma,
            severity_mean=sev,
            tail_threshold=main.threshold if main.has_tail else None,
            tail_shape=main.xi if main.has_tail else None,
            second_part_probability=prob if second is not None else None,
            expected_annual=float(perils.mean[p]) * sev,
        )
    return out


def requested_terms(
    org: Organisation, catalog: Catalog, deductible_eur: float | None, limit_eur: float | None
) -> Terms:
    """The catalogue's default wording with the requested (or overriding) deductible and limit."""
    base = default_terms(catalog)
    model = perils_file(catalog)
    deductible = deductible_eur if deductible_eur is not None else org.requested_deductible_eur
    limit = limit_eur if limit_eur is not None else org.requested_limit_eur
    origin = "requested" if (org.requested_deductible_eur or org.requested_limit_eur) else "defaults"
    return base.model_copy(
        update={
            "deductible_eur": deductible if deductible is not None else model.terms.deductible_eur,
            "limit_eur": limit if limit is not None else model.terms.limit_eur,
            "origin": origin,
        }
    )


def per_claim_differs(terms: Terms) -> bool:
    """Whether the per-claim (per-occurrence) limit and the annual aggregate differ. When they are
    equal the insured annual loss is min(unlimited annual loss, limit) exactly; when the aggregate
    is higher (an offer's "per aanspraak" below its "per jaar"), every claim is capped at the
    per-claim limit and the year at the aggregate, in the kernel."""
    aggregate = terms.aggregate
    occurrence = terms.limit_eur if terms.limit_eur is not None else math.inf
    return (aggregate if aggregate is not None else math.inf) != occurrence


def simulate_organisation(  # noqa: PLR0913, PLR0915 - one entry point with the options a caller sets
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
    terms: Terms | None = None,
    hazard: tuple[str, int] | None = None,
    nis2_class: str | None = None,
    tower_limit_eur: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LossReport:
    """Simulate the organisation's annual cyber loss and what its policy would pay.

    ``terms`` are the policy's terms (:func:`insurable.terms.offered_terms` for what ``assess``
    offers); without them the catalogue's default wording with the requested deductible and limit.
    ``deductible_eur`` and ``limit_eur`` override either. ``capacity_eur`` is one insurer's capacity
    for the tower of ``tower_limit_eur`` (default: the limit). ``hazard`` (class id, rank) and
    ``nis2_class`` pass what an assessment found. Raises :class:`InputError` for bad input.
    """
    problems: list[Problem] = []
    if trials <= 0:
        problems.append(Problem("trials", "must be a positive number of trial-years"))
    if org.annual_turnover_eur is None or org.annual_turnover_eur <= 0:
        problems.append(Problem("annual_turnover_eur", "required (> 0) for the loss model"))
    for field, value in (
        ("deductible_eur", deductible_eur),
        ("limit_eur", limit_eur),
        ("tower_limit_eur", tower_limit_eur),
    ):
        if value is not None and (not math.isfinite(value) or value < 0 or (field != "deductible_eur" and value == 0)):
            problems.append(Problem(field, "must be a positive, finite amount"))
    if capacity_eur is not None and (capacity_eur <= 0 or not math.isfinite(capacity_eur)):
        problems.append(Problem("capacity_eur", "must be a positive, finite amount"))
    if return_period is not None and return_period <= 1:
        problems.append(Problem("return_period", "must be greater than 1"))
    if problems:
        raise InputError(problems)
    assert org.annual_turnover_eur is not None
    model = perils_file(catalog)
    coverage_ids = coverage_order(catalog, model)
    mult, why = hazard_multiplier(org, catalog, model, hazard)
    perils, adjustments, mains, seconds = organisation_perils(org, model, coverage_ids, mult, why, nis2_class)
    defaults = model.terms
    policy = terms if terms is not None else requested_terms(org, catalog, None, None)
    updates: dict[str, Any] = {}
    if deductible_eur is not None:
        updates["deductible_eur"] = deductible_eur
    if limit_eur is not None:
        updates["limit_eur"] = limit_eur
        updates["aggregate_limit_eur"] = None
    policy = policy.model_copy(update=updates) if updates else policy
    deductible = policy.deductible_eur
    limit = policy.limit_eur if policy.limit_eur is not None else math.inf  # Terms: None is unlimited
    bi = model.business_interruption
    base, terms_used = compile_terms(coverage_ids, policy, rate_per_hour=hourly_rate(org.annual_turnover_eur, bi))
    # Term sets, all without the policy limit: the policy's deductible, then each option. With the
    # occurrence limit equal to the aggregate limit L, the insured annual loss is min(unlimited, L)
    # exactly, so every limit is evaluated from the unlimited sample. A per-claim limit below the
    # annual aggregate (an offer's "per aanspraak" and "per jaar") is not: then the options run
    # with both limits, and one more set gives the policy's own insured loss.
    options = [d for d in defaults.deductible_options_eur if d != deductible]
    per_claim = per_claim_differs(policy)
    variants = [with_deductible(base, d, unlimited=not per_claim or d == deductible) for d in (deductible, *options)]
    if per_claim:
        variants.append(with_deductible(base, deductible, unlimited=False))
    sets = stack_terms(variants)
    # Only the years with a loss are kept (about 2 %); every statistic counts the others as zero.
    ylt = simulate(
        perils, sets, trials=trials, seed=seed, kernel=kernel, threads=threads, progress=progress, sparse=True
    )
    ground_up = ylt.ground_up
    unlimited = ylt.insured[0]
    insured = ylt.insured[-1] if per_claim else np.minimum(unlimited, limit)
    pricing = model.pricing
    stats = NonzeroStats(unlimited, total=trials)
    if per_claim:
        policy_mean, policy_std = mean_std(insured, trials)
        premium = technical_premium(policy_mean, pricing, policy_std)
    else:
        premium = technical_premium(stats.layer_mean(0.0, limit), pricing, stats.layer_std(0.0, limit))

    deductible_options: list[DeductibleOption] = []
    for d in sorted({deductible, *options}):
        k = 0 if d == deductible else 1 + options.index(d)
        ins_d = ylt.insured[-1 if k == 0 else k] if per_claim else np.minimum(ylt.insured[k], limit)
        ret_d = distribution(ground_up - ins_d, curve=False, total=trials)
        mean_d, std_d = mean_std(ins_d, trials)
        deductible_options.append(
            DeductibleOption(
                deductible=d,
                limit=limit if math.isfinite(limit) else None,
                insured_mean=mean_d,
                retained_mean=ret_d.mean,
                retained_quantiles=dict(ret_d.quantiles),
                technical_premium=technical_premium(mean_d, pricing, std_d).premium,
            )
        )
    limit_options: list[LimitOption] = []
    ground_mean = float(ground_up.sum()) / trials
    extra_limits = {tower_limit_eur} if tower_limit_eur is not None else set()
    for lim in sorted({limit, *defaults.limit_options_eur, *extra_limits} - {math.inf}):
        if per_claim and lim == limit:
            # The policy's own limits, per claim and per year, from their own term set: a limit is
            # exhausted in a year in which it leaves part of a claim (or the year) unpaid.
            mean_p, std_p = mean_std(insured, trials)
            limit_options.append(
                LimitOption(
                    limit=lim,
                    deductible=deductible,
                    insured_mean=mean_p,
                    retained_mean=ground_mean - mean_p,
                    probability_exhausted=float(np.count_nonzero(insured < unlimited * (1 - 1e-12))) / trials,
                    technical_premium=technical_premium(mean_p, pricing, std_p).premium,
                )
            )
            continue
        mean_l = stats.layer_mean(0.0, lim)
        limit_options.append(
            LimitOption(
                limit=lim,
                deductible=deductible,
                insured_mean=mean_l,
                retained_mean=ground_mean - mean_l,
                probability_exhausted=stats.exceedance(lim),
                technical_premium=technical_premium(mean_l, pricing, stats.layer_std(0.0, lim)).premium,
            )
        )
    rp = return_period if return_period is not None else model.limit_needed.tail_return_period
    limit_needed = find_limit_needed(unlimited, stats, model, rp, deductible, limit, total=trials)
    capacity = capacity_eur if capacity_eur is not None else defaults.capacity_eur
    tower_limit = tower_limit_eur if tower_limit_eur is not None else limit
    tower = (
        build_tower(
            stats, tower_limit, capacity, capacity_source or ("guideline" if capacity_eur else "perils.yaml"), pricing
        )
        if math.isfinite(tower_limit)
        else None
    )
    names = {p.id: p.name.en for p in model.perils}
    return report_from_table(
        "organisation",
        org.name,
        ylt,
        insured,
        peril_results(ylt.by_peril, perils, names, mains, seconds, total=trials),
        terms_used,
        deductible_options=tuple(deductible_options),
        limit_options=tuple(limit_options),
        limit_needed=limit_needed,
        tower=tower,
        technical_premium=premium,
        adjustments=tuple(adjustments),
        catalog_versions=catalog.versions(),
    )


def retained_mean(
    org: Organisation,
    catalog: Catalog,
    terms: Terms,
    *,
    trials: int,
    seed: int = DEFAULT_SEED,
    hazard: tuple[str, int] | None = None,
    nis2_class: str | None = None,
    kernel: Kernel = "auto",
) -> float:
    """The mean annual loss the firm keeps under ``terms``: the same simulation as
    :func:`simulate_organisation` (same seed, same numbers) with one term set and no report, for the
    fix-path, which asks it once per step."""
    if org.annual_turnover_eur is None or org.annual_turnover_eur <= 0:
        raise InputError([Problem("annual_turnover_eur", "required (> 0) for the loss model")])
    model = perils_file(catalog)
    coverage_ids = coverage_order(catalog, model)
    mult, why = hazard_multiplier(org, catalog, model, hazard)
    perils, _, _, _ = organisation_perils(org, model, coverage_ids, mult, why, nis2_class)
    base, _ = compile_terms(
        coverage_ids, terms, rate_per_hour=hourly_rate(org.annual_turnover_eur, model.business_interruption)
    )
    limit = terms.limit_eur if terms.limit_eur is not None else math.inf
    per_claim = per_claim_differs(terms)
    sets = with_deductible(base, terms.deductible_eur, unlimited=not per_claim)
    ylt = simulate(perils, sets, trials=trials, seed=seed, kernel=kernel, threads=1, sparse=True)
    insured = ylt.insured[0] if per_claim else np.minimum(ylt.insured[0], limit)
    return float(ylt.ground_up.sum() - insured.sum()) / trials


def find_limit_needed(  # noqa: PLR0913
    unlimited: np.ndarray,
    stats: NonzeroStats,
    model: PerilsFile,
    rp: float,
    deductible: float,
    limit: float,
    total: int | None = None,
) -> LimitNeeded:
    """The limit to buy (perils.yaml ``limit_needed``): max(TVaR at ``rp``, the event quantile of the
    insured loss in a year with a claim), rounded up to the next market step."""
    rule = model.limit_needed
    worst = tail(unlimited, total=total).tvar(rp)
    event = stats.conditional_quantile(rule.event_quantile)
    raw = max(worst, event)
    steps = sorted(rule.market_steps_eur)
    rounded = 0.0 if raw <= 0 else next((s for s in steps if s >= raw), math.ceil(raw / steps[-1]) * steps[-1])
    exceed = stats.exceedance(limit)
    q = f"{rule.event_quantile:.0%}"
    return LimitNeeded(
        return_period=rp,
        deductible=deductible,
        limit=rounded,
        worst_years_mean=worst,
        event_quantile=rule.event_quantile,
        event_loss=event,
        unrounded=raw,
        method=Text(
            nl=f"Het grootste van: het gemiddelde verzekerde verlies in het slechtste 1-op-{rp:g} deel van de jaren "
            f"(EUR {worst:,.0f}) en het {q}-percentiel van het verzekerde verlies in een jaar met schade "
            f"(EUR {event:,.0f}), naar boven afgerond op een gangbaar verzekerd bedrag.",
            en=f"The larger of: the mean insured loss of the worst 1-in-{rp:g} share of years (EUR {worst:,.0f}) "
            f"and the {q} percentile of the insured loss in a year with a claim (EUR {event:,.0f}), "
            "rounded up to a market limit step.",
        ),
        requested_limit=limit if math.isfinite(limit) else None,
        requested_limit_return_period=(1.0 / exceed) if exceed > 0 else None,
    )


#: Excess layers listed one by one (beyond: one row for the identical layers above every loss).
MAX_LISTED_LAYERS = 50


def build_tower(stats: NonzeroStats, limit: float, capacity: float, source: str, pricing: Pricing) -> Tower:
    """Split ``limit`` into layers of at most ``capacity``, each priced from the model (closed form
    over the sorted claim years, no loop per capacity step beyond the listed layers) and never below
    the minimum rate on line. Layers above every simulated loss are one row with their ``count``."""
    n_layers = max(1, math.ceil(limit / capacity - 1e-12))
    top = stats.max
    # Layers whose attachment lies below the largest simulated loss, at most MAX_LISTED_LAYERS.
    active = min(n_layers, MAX_LISTED_LAYERS, max(1, math.ceil(top / capacity)) if top > 0 else 1)
    layers: list[Layer] = []
    for i in range(active):
        attachment = i * capacity
        width = min(capacity, limit - attachment)
        layers.append(_priced_layer(i, attachment, width, stats, pricing))
    rest = n_layers - active
    if rest > 0:
        attachment = active * capacity
        width = min(capacity, limit - attachment) if rest == 1 else capacity
        row = _priced_layer(active, attachment, width, stats, pricing)
        layers.append(row.model_copy(update={"count": rest}))
    return Tower(
        requested_limit=limit,
        capacity=capacity,
        capacity_source=source,
        insurers=n_layers,
        minimum_rate_on_line=pricing.minimum_rate_on_line,
        layers=tuple(layers),
    )


def _priced_layer(i: int, attachment: float, width: float, stats: NonzeroStats, pricing: Pricing) -> Layer:
    expected = stats.layer_mean(attachment, width)
    model_premium = technical_premium(expected, pricing, stats.layer_std(attachment, width)).premium
    floor = pricing.minimum_rate_on_line * width
    price = max(model_premium, floor)
    return Layer(
        layer=i,
        attachment=attachment,
        limit=width,
        expected_loss=expected,
        attachment_probability=stats.exceedance(attachment),
        technical_premium=price,
        rate_on_line=price / width if width > 0 else None,
        minimum_applied=floor > model_premium,
    )


__all__ = ["DEFAULT_SEED", "DEFAULT_TRIALS", "BLOCK_YEARS", "RETURN_PERIODS", "rp_key", "simulate_organisation"]
