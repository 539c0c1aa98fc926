"""The loss model's section of an assessment: its figures under the terms the assessment offers.

The seam between underwriting and the loss model: the composition step (and the fix-path, for the
expected retained loss of each step) calls these two functions and nothing else of the loss model.
Both run under :func:`insurable.terms.offered_terms` of the assessment, with the assessment's hazard
class and NIS2 outcome, so ``assess`` and ``simulate`` see the same policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insurable.catalog.loader import Catalog
from insurable.profile import Organisation

if TYPE_CHECKING:
    from insurable.catalog.guideline import GuidelineFile
    from insurable.lossmodel.report import LossReport
    from insurable.underwriting.model import Assessment


def nis2_class(assessment: Any) -> str | None:
    """The NIS2 classification in the assessment's ``nis2`` outcome, read defensively."""
    nis2 = getattr(assessment, "nis2", None)
    if not isinstance(nis2, dict):
        return None
    value = nis2.get("classification")
    if isinstance(value, dict):  # a richer outcome may nest it
        value = value.get("category") or value.get("id")
    return value if isinstance(value, str) else None


def hazard_of(assessment: Any, catalog: Catalog, guideline: GuidelineFile | None = None) -> tuple[str, int] | None:
    """The assessment's hazard class id and its rank in the guideline that classified it."""
    class_id = getattr(assessment, "hazard_class", None)
    if not isinstance(class_id, str):
        return None
    for g in (guideline, catalog.guideline if "guideline.yaml" in catalog.files else None):
        if g is None:
            continue
        for cls in g.hazard_classes:
            if cls.id == class_id:
                return class_id, cls.rank
    return class_id, 0


def simulate_assessment(
    org: Organisation,
    catalog: Catalog,
    assessment: Assessment,
    *,
    trials: int,
    seed: int | None = None,
    guideline: GuidelineFile | None = None,
    **options: Any,
) -> LossReport:
    """Simulate ``org`` under exactly the terms ``assessment`` offers."""
    from insurable.lossmodel.organisation import DEFAULT_SEED, simulate_organisation
    from insurable.terms import offered_terms

    settings: dict[str, Any] = {
        "terms": offered_terms(assessment, catalog),
        "capacity_eur": assessment.max_limit_eur,
        "capacity_source": assessment.guideline,
        "tower_limit_eur": assessment.requested_limit_eur,
        "hazard": hazard_of(assessment, catalog, guideline),
        "nis2_class": nis2_class(assessment),
    }
    settings.update(options)  # a caller may override any of them (e.g. another hazard class)
    return simulate_organisation(org, catalog, trials=trials, seed=DEFAULT_SEED if seed is None else seed, **settings)


def loss_section(
    org: Organisation,
    catalog: Catalog,
    assessment: Assessment,
    *,
    trials: int,
    seed: int | None = None,
    guideline: GuidelineFile | None = None,
) -> dict[str, Any]:
    """The loss model's figures under the offered terms, and how the two premiums compare."""
    report = simulate_assessment(org, catalog, assessment, trials=trials, seed=seed, guideline=guideline)
    section: dict[str, Any] = report.summary().model_dump(mode="json")
    # The factor premium prices the requested limit (shared over a tower): compare like with like.
    technical = report.requested_limit_premium()
    indicative = assessment.premium.point_eur if assessment.premium else None
    if technical is not None and indicative:
        section["technical_to_indicative_ratio"] = round(technical / indicative, 3)
    section["quantiles"] = report.quantiles
    section["deductible_options"] = [o.model_dump(mode="json") for o in report.deductible_options]
    section["excluded_coverages"] = list(report.terms.excluded)
    if report.limit_needed is not None:
        section["limit_needed_method"] = report.limit_needed.method.model_dump(mode="json")
    return section


def retained_key(
    org: Organisation,
    catalog: Catalog,
    assessment: Assessment,
    *,
    trials: int,
    seed: int | None = None,
    guideline: GuidelineFile | None = None,
) -> tuple[Any, ...]:
    """Everything :func:`expected_retained_loss` reads, as a hashable key: equal keys, equal results.

    The simulation reads the profile, the offered terms, the hazard class, the NIS2 class, the trials
    and seed, and the answers only through which control effects of each event type fire
    (``adjust_peril``: the same ``evaluate`` on the same raw answers). Most fix-path steps change
    answers no effect reads, or terms no more than before: with this key the composition runs each
    distinct simulation once (common random numbers: the same inputs give the same draws).
    """
    from insurable.conditions import evaluate
    from insurable.lossmodel.organisation import perils_file
    from insurable.terms import offered_terms

    def profile(name: str) -> Any:
        return getattr(org, name, None)

    fired = tuple(
        tuple(effect.id for effect in peril.effects if evaluate(effect.when, org.answers, profile).value)
        for peril in perils_file(catalog).perils
    )
    return (
        org.model_dump_json(exclude={"answers"}),
        offered_terms(assessment, catalog).model_dump_json(),
        hazard_of(assessment, catalog, guideline),
        nis2_class(assessment),
        trials,
        seed,
        fired,
    )


def expected_retained_loss(
    org: Organisation,
    catalog: Catalog,
    assessment: Assessment,
    *,
    trials: int,
    seed: int | None = None,
    guideline: GuidelineFile | None = None,
) -> float:
    """The mean annual loss the firm keeps under the offered terms (same seed: comparable across fixes).
    Equal to ``loss_section(...)["retained_mean"]`` for the same trials and seed, without the report."""
    from insurable.lossmodel.organisation import DEFAULT_SEED, retained_mean
    from insurable.terms import offered_terms

    return retained_mean(
        org,
        catalog,
        offered_terms(assessment, catalog),
        trials=trials,
        seed=DEFAULT_SEED if seed is None else seed,
        hazard=hazard_of(assessment, catalog, guideline),
        nis2_class=nis2_class(assessment),
    )
