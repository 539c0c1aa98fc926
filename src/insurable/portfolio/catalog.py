"""The systemic scenario catalogue (``systemic.yaml``): vendor categories and the events that hit
every insured depending on one vendor in the same year. Pure and typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from insurable.catalog.header import ID_PATTERN, Frozen, Header
from insurable.errors import Problem
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

__all__ = ["Duration", "HitShare", "Scenario", "SystemicFile", "VendorCategory", "check_systemic"]


class VendorCategory(Frozen):
    """A kind of dependency an insured's footprint names: which answer (or OED field) gives the
    vendor, and which answer values are no shared vendor (own servers, none)."""

    id: str = Field(pattern=ID_PATTERN)
    name: Text
    question: str = Field(description="the questionnaire answer that names the vendor (q.vendor.*)")
    oed_field: str = Field(description="the OED v4 location field (or Flexi field) carrying the vendor")
    not_shared: tuple[str, ...] = Field(default=(), description="answer values that are no shared vendor")
    sources: tuple[str, ...] = Field(min_length=1)


class HitShare(Frozen):
    """Share of the exposed insureds an event hits: Beta(alpha, beta), drawn once per event."""

    alpha: float = Field(gt=0)
    beta: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class Duration(Frozen):
    """Outage duration in clock hours: lognormal with this median and log-sd, drawn once per event
    (every insured waits for the same provider), then per insured times lognormal(0, insured_sigma)."""

    median_hours: float = Field(gt=0)
    sigma: float = Field(ge=0)
    insured_sigma: float = Field(default=0.0, ge=0)


class Scenario(Frozen):
    """One systemic event type. ``category`` None: every insured is exposed (one instance);
    otherwise each vendor of that category is an independent instance with ``frequency`` events per
    year (``vendor_frequency`` overrides it per vendor)."""

    id: str = Field(pattern=ID_PATTERN)
    name: Text
    description: Text
    category: str | None = Field(default=None, description="vendor category id; None: the whole book")
    frequency: float = Field(gt=0, lt=10, description="events per year (per vendor where a category is set)")
    vendor_frequency: dict[str, float] = Field(default_factory=dict)
    hit_share: HitShare
    loss: Literal["outage", "compromise"] = Field(
        description="outage: hours of interruption x loss per hour under the BI coverage's waiting and "
        "indemnity periods; compromise: the insured's own ransomware event (both parts and downtime)"
    )
    coverage: Literal["cov.business_interruption", "cov.contingent_bi"] = Field(
        description="the coverage the interruption falls under"
    )
    duration: Duration | None = None
    severity_factor: float = Field(default=1.0, gt=0, description="compromise: multiplies the insured's severity")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _outage_needs_duration(self) -> Scenario:
        if self.loss == "outage" and self.duration is None:
            raise ValueError(f"{self.id}: an outage scenario needs a duration")
        for vendor, f in self.vendor_frequency.items():
            if not 0 < f < 10:
                raise ValueError(f"{self.id}: vendor_frequency.{vendor} must lie in (0, 10)")
        return self


class SystemicFile(Frozen):
    """``systemic.yaml``: vendor categories and systemic scenarios."""

    header: Header
    categories: tuple[VendorCategory, ...]
    scenarios: tuple[Scenario, ...]

    @model_validator(mode="after")
    def _ids(self) -> SystemicFile:
        cats = [c.id for c in self.categories]
        problems: list[str] = []
        if len(set(cats)) != len(cats):
            problems.append("categories: duplicate id")
        ids = [s.id for s in self.scenarios]
        if len(set(ids)) != len(ids):
            problems.append("scenarios: duplicate id")
        problems += [
            f"scenarios.{s.id}.category: unknown category {s.category!r}"
            for s in self.scenarios
            if s.category is not None and s.category not in cats
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def category(self, category_id: str) -> VendorCategory:
        return next(c for c in self.categories if c.id == category_id)


def check_systemic(catalog: Catalog) -> list[Problem]:
    """Cross-file references of ``systemic.yaml``: each category's question exists (and is a
    vendor question), each scenario's coverage is a catalogue coverage."""
    if "systemic.yaml" not in catalog.files:
        return []
    model = catalog.get("systemic.yaml", SystemicFile)
    file = str(catalog.paths.get("systemic.yaml", catalog.directory / "systemic.yaml"))
    problems: list[Problem] = []
    questions = {q.id for q in catalog.questionnaire.questions} if "questionnaire.yaml" in catalog.files else set()
    for c in model.categories:
        if questions and c.question not in questions:
            problems.append(Problem(f"categories.{c.id}.question", f"unknown question {c.question!r}", file=file))
    coverages = {c.id for c in catalog.coverages.coverages} if "coverages.yaml" in catalog.files else set()
    for s in model.scenarios:
        if coverages and s.coverage not in coverages:
            problems.append(Problem(f"scenarios.{s.id}.coverage", f"unknown coverage {s.coverage!r}", file=file))
    return problems
