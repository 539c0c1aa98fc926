"""Compare offers side by side for one organisation (pure, seeded).

Every offer (or tower of offers: a primary and its excess layers, one programme) runs through the
same loss model with the same seed under the :class:`~insurable.terms.Terms` it builds, so the
differences between offers are differences in their terms, not in sampling. Per programme:

- premium with insurance tax, per year;
- mean retained loss, retained loss in a 1-in-100 and a 1-in-250 year, the probability that the
  limit is exhausted, the perils whose loss falls (in part) on coverages the offer does not cover;
- the checklist (:mod:`insurable.offers.check`) and its PI/cyber finding;
- the total cost of risk: premium + mean retained loss + tail charge, where the tail charge is
  ``rate`` x (retained loss at the return period - mean retained loss), stated in the catalogue
  (``offer_checklist.yaml`` ``tail_charge``); the ranking is by this total, with the reason for
  each rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from insurable.catalog.header import Frozen
from insurable.catalog.loader import Catalog
from insurable.catalog.offers import OfferChecklistFile, TailCharge
from insurable.errors import InputError, Problem
from insurable.offers.check import CHECKLIST_FILE, CheckResult, Context, check_offer
from insurable.offers.liability import LiabilityLine, liability_map
from insurable.offers.model import Offer
from insurable.profile import Organisation
from insurable.terms import Terms
from insurable.text import Text

__all__ = [
    "COMPARISON_FORMAT_VERSION",
    "Comparison",
    "Programme",
    "ProgrammeResult",
    "compare_offers",
    "programmes",
]

#: Version of the ``offers compare --format json`` contract.
COMPARISON_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Programme:
    """One offer, or a tower of offers sharing a ``layer.programme`` id, primary first."""

    id: str
    layers: tuple[Offer, ...]

    @property
    def primary(self) -> Offer:
        return self.layers[0]

    @property
    def limit_eur(self) -> float:
        return sum(o.limit_eur for o in self.layers)

    @property
    def premium_gross_eur(self) -> float:
        return round(sum(o.premium.annual_gross_eur for o in self.layers), 2)

    @property
    def premium_net_eur(self) -> float:
        return round(sum(o.premium.net_eur * 12 / o.premium.term_months for o in self.layers), 2)

    def terms(self, coverage_ids: tuple[str, ...]) -> Terms:
        """The programme's terms: the primary's wording (excess layers follow form) up to the top of
        the tower; the aggregate is the sum of the layers' aggregates."""
        base = self.primary.terms(coverage_ids)
        if len(self.layers) == 1:
            return base
        aggregate = sum(o.aggregate for o in self.layers)
        return base.model_copy(update={"limit_eur": self.limit_eur, "aggregate_limit_eur": aggregate})


def programmes(offers: list[Offer] | tuple[Offer, ...]) -> tuple[Programme, ...]:
    """Group offers into programmes: offers without ``layer`` stand alone; offers with the same
    ``layer.programme`` form a tower whose layers must attach where the one below ends."""
    problems: list[Problem] = []
    ids = [o.id for o in offers]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem("id", f"offer id {dup!r} is given more than once"))
    groups: dict[str, list[Offer]] = {}
    order: list[str] = []
    for offer in offers:
        key = offer.layer.programme if offer.layer is not None else offer.id
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(offer)
    result: list[Programme] = []
    for key in order:
        layers = sorted(groups[key], key=lambda o: o.layer.attachment_eur if o.layer else 0.0)
        top = 0.0
        for offer in layers:
            attachment = offer.layer.attachment_eur if offer.layer else 0.0
            if abs(attachment - top) > 0.5:
                what = "a gap" if attachment > top else "an overlap"
                problems.append(
                    Problem(
                        f"{offer.id}: layer.attachment_eur",
                        f"attaches at {attachment:,.0f} but the layers below end at {top:,.0f} "
                        f"({what} in programme {key!r})",
                    )
                )
            top = attachment + offer.limit_eur
        result.append(Programme(key, tuple(layers)))
    if problems:
        raise InputError(problems)
    return tuple(result)


class UncoveredPeril(Frozen):
    peril: str
    name: str
    coverages: tuple[str, ...]
    share: float = Field(description="share of the peril's loss that falls on coverages the offer does not cover")
    expected_uncovered_eur: float = Field(description="share x the peril's mean annual loss (approximate)")


class CostOfRisk(Frozen):
    premium_eur: float
    retained_mean_eur: float
    tail_charge_eur: float
    total_eur: float


class ProgrammeResult(Frozen):
    programme: str
    offers: tuple[str, ...]
    insurers: tuple[str, ...]
    products: tuple[str, ...]
    limit_eur: float
    deductible_eur: float
    premium_net_eur: float
    premium_gross_eur: float = Field(description="per year, with insurance tax")
    insured_mean_eur: float
    retained_mean_eur: float
    retained_1_in_100_eur: float | None
    retained_1_in_250_eur: float | None
    probability_limit_exhausted: float
    uncovered_coverages: tuple[str, ...]
    uncovered_perils: tuple[UncoveredPeril, ...]
    checklist: tuple[CheckResult, ...]
    checklist_counts: dict[str, int]
    pi_cyber: str = Field(description="the PI/cyber finding: met, overlap, gap, no_pi, unknown or not_applicable")
    liability: tuple[LiabilityLine, ...] = Field(
        default=(), description="per kind of liability loss: which part of the programme answers it, or none"
    )
    cost_of_risk: CostOfRisk
    rank: int = 0
    reason: Text = Text(nl="-", en="-")


class Comparison(Frozen):
    format_version: int = COMPARISON_FORMAT_VERSION
    kind: Literal["offers-comparison"] = "offers-comparison"
    indicative: bool = True
    organisation: str
    trials: int
    seed: int
    nis2_classification: str | None
    ground_up_mean_eur: float
    tail_charge: TailCharge
    results: tuple[ProgrammeResult, ...] = Field(description="in rank order, best first")
    catalog_versions: dict[str, str] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _uncovered_perils(report: Any, catalog: Catalog, uncovered: set[str]) -> tuple[UncoveredPeril, ...]:
    from insurable.lossmodel.organisation import perils_file

    found: list[UncoveredPeril] = []
    for peril in perils_file(catalog).perils:
        covs = tuple(c for c in peril.split if c in uncovered)
        share = sum(peril.split[c] for c in covs)
        result = report.by_peril.get(peril.id)
        if share <= 0 or result is None:
            continue
        found.append(
            UncoveredPeril(
                peril=peril.id,
                name=peril.name.en,
                coverages=covs,
                share=round(share, 4),
                expected_uncovered_eur=round(share * result.mean, 2),
            )
        )
    return tuple(found)


def _evaluate(
    programme: Programme,
    org: Organisation,
    catalog: Catalog,
    ctx: Context,
    charge: TailCharge,
    *,
    trials: int,
    seed: int,
) -> tuple[ProgrammeResult, float]:
    from insurable.lossmodel.organisation import coverage_order, perils_file, simulate_organisation
    from insurable.lossmodel.report import rp_key

    coverage_ids = coverage_order(catalog, perils_file(catalog))
    terms = programme.terms(coverage_ids)
    report = simulate_organisation(
        org, catalog, trials=trials, seed=seed, terms=terms, nis2_class=ctx.nis2_classification
    )
    retained = report.retained
    q100 = retained.quantiles.get(rp_key(100))
    q250 = retained.quantiles.get(rp_key(250))
    tail_q = retained.quantiles.get(rp_key(charge.return_period))
    tail_charge = charge.rate * max(0.0, (tail_q if tail_q is not None else retained.mean) - retained.mean)
    exhausted = next((o.probability_exhausted for o in report.limit_options if o.limit == terms.limit_eur), 0.0)
    checklist = check_offer(programme.primary, ctx, catalog)
    counts = {s: sum(1 for r in checklist if r.status == s) for s in ("met", "partly", "not_met", "unknown")}
    pi = next((r.finding for r in checklist if r.rule == "chk.pi_cyber_overlap"), "unknown")
    uncovered = terms.excluded()
    premium = programme.premium_gross_eur
    cost = CostOfRisk(
        premium_eur=premium,
        retained_mean_eur=round(retained.mean, 2),
        tail_charge_eur=round(tail_charge, 2),
        total_eur=round(premium + retained.mean + tail_charge, 2),
    )
    result = ProgrammeResult(
        programme=programme.id,
        offers=tuple(o.id for o in programme.layers),
        insurers=tuple(o.insurer for o in programme.layers),
        products=tuple(o.product for o in programme.layers),
        limit_eur=programme.limit_eur,
        deductible_eur=programme.primary.deductible_eur,
        premium_net_eur=programme.premium_net_eur,
        premium_gross_eur=premium,
        insured_mean_eur=round(report.insured.mean, 2),
        retained_mean_eur=round(retained.mean, 2),
        retained_1_in_100_eur=round(q100, 2) if q100 is not None else None,
        retained_1_in_250_eur=round(q250, 2) if q250 is not None else None,
        probability_limit_exhausted=round(exhausted, 6),
        uncovered_coverages=uncovered,
        uncovered_perils=_uncovered_perils(report, catalog, set(uncovered)),
        checklist=checklist,
        checklist_counts=counts,
        pi_cyber=pi,
        liability=liability_map(programme.primary, checklist),
        cost_of_risk=cost,
    )
    return result, report.mean_annual_loss


def _eur(value: float) -> str:
    return f"EUR {value:,.0f}".replace(",", ".")


COMPONENTS = (
    ("premium_eur", Text(nl="premie", en="premium")),
    ("retained_mean_eur", Text(nl="verwacht eigen behoud", en="expected retained loss")),
    ("tail_charge_eur", Text(nl="staartopslag", en="tail charge")),
)


def _reason(result: ProgrammeResult, best: ProgrammeResult | None, rank: int) -> Text:
    c = result.cost_of_risk
    parts_nl = (
        f"premie {_eur(c.premium_eur)} + eigen behoud {_eur(c.retained_mean_eur)} "
        f"+ staartopslag {_eur(c.tail_charge_eur)}"
    )
    parts_en = (
        f"premium {_eur(c.premium_eur)} + retained {_eur(c.retained_mean_eur)} + tail charge {_eur(c.tail_charge_eur)}"
    )
    not_met = result.checklist_counts.get("not_met", 0)
    check_nl = f"; {not_met} checklistpunt(en) niet in orde" if not_met else "; geen checklistpunt niet in orde"
    check_en = f"; {not_met} checklist point(s) not met" if not_met else "; no checklist point not met"
    if best is None or rank == 1:
        return Text(
            nl=f"Rang {rank}: laagste totale risicokosten {_eur(c.total_eur)} ({parts_nl}){check_nl}.",
            en=f"Rank {rank}: lowest total cost of risk {_eur(c.total_eur)} ({parts_en}){check_en}.",
        )
    b = best.cost_of_risk
    diffs = [(getattr(c, key) - getattr(b, key), label) for key, label in COMPONENTS]
    delta, label = max(diffs, key=lambda d: d[0])
    extra = c.total_eur - b.total_eur
    return Text(
        nl=f"Rang {rank}: {_eur(extra)} duurder dan rang 1 ({_eur(c.total_eur)}: {parts_nl}), vooral door "
        f"{label.nl} (+{_eur(delta)}){check_nl}.",
        en=f"Rank {rank}: {_eur(extra)} more than rank 1 ({_eur(c.total_eur)}: {parts_en}), mostly from "
        f"{label.en} (+{_eur(delta)}){check_en}.",
    )


def compare_offers(
    org: Organisation,
    offers: list[Offer] | tuple[Offer, ...],
    catalog: Catalog,
    ctx: Context,
    *,
    trials: int,
    seed: int,
) -> Comparison:
    """Run every programme under the same seed, check it, and rank by total cost of risk."""
    if trials <= 0:
        raise InputError([Problem("trials", "must be a positive number of trial-years")])
    charge = catalog.get(CHECKLIST_FILE, OfferChecklistFile).tail_charge
    evaluated = [_evaluate(p, org, catalog, ctx, charge, trials=trials, seed=seed) for p in programmes(offers)]
    ranked = sorted((r for r, _ in evaluated), key=lambda r: (r.cost_of_risk.total_eur, r.programme))
    best = ranked[0] if ranked else None
    results = tuple(
        r.model_copy(update={"rank": i, "reason": _reason(r, best, i)}) for i, r in enumerate(ranked, start=1)
    )
    return Comparison(
        organisation=org.name or "",
        trials=trials,
        seed=seed,
        nis2_classification=ctx.nis2_classification,
        ground_up_mean_eur=round(evaluated[0][1], 2) if evaluated else 0.0,
        tail_charge=charge,
        results=results,
        catalog_versions=catalog.versions(),
    )
