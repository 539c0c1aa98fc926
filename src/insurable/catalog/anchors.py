"""Calibration anchors as data: public figures the loss model is compared with (``anchors.yaml``).

Each anchor names a model ``metric`` (what :mod:`insurable.lossmodel.calibrate` computes for the
reference organisation of ``perils.yaml``, or for a profile given in ``profile``), the figure as the
source reports it (converted to EUR where it is money), a tolerance band as factors of that figure,
and whether a US figure stands in for a Dutch one. ``insurable calibrate`` prints model against
anchor side by side; a test holds every row inside its band.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.errors import Problem
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

Metric = Literal[
    "frequency",
    "event_mean",
    "event_median",
    "event_quantile",
    "mean_severity",
    "frequency_ratio",
    "limit_factor",
    "premium_limit_factor",
    "technical_premium",
    "downtime_days",
]


class Anchor(Frozen):
    id: str = Field(pattern=r"^anc\.[a-z0-9_.]+$")
    metric: Metric
    description: Text
    value: float = Field(gt=0, description="the anchor figure (EUR for money, converted at usd_to_eur)")
    as_reported: str = Field(description="the figure as the source reports it")
    unit: Literal["probability", "eur", "ratio", "days"]
    tolerance: tuple[float, float] = Field(description="model / anchor must lie in this band")
    perils: tuple[str, ...] = Field(default=(), description="event types (empty: all)")
    quantile: float | None = Field(default=None, gt=0, lt=1)
    limit_eur: float | None = Field(default=None, gt=0)
    base_limit_eur: float | None = Field(default=None, gt=0)
    deductible_eur: float | None = Field(default=None, ge=0)
    profile: dict[str, Any] = Field(default_factory=dict, description="profile fields over the reference")
    base_profile: dict[str, Any] = Field(default_factory=dict, description="frequency_ratio: the denominator")
    us_figure: bool = Field(description="a US figure stands in for a Dutch one")
    note: Text | None = None
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _parameters(self) -> Anchor:
        lo, hi = self.tolerance
        if not 0 < lo <= 1 <= hi:
            raise ValueError("tolerance: [low, high] with 0 < low <= 1 <= high")
        needs = {
            "event_quantile": ("quantile",),
            "limit_factor": ("limit_eur", "base_limit_eur", "deductible_eur"),
            "premium_limit_factor": ("limit_eur", "base_limit_eur", "deductible_eur"),
            "technical_premium": ("limit_eur", "deductible_eur"),
        }.get(self.metric, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{', '.join(missing)}: required for metric {self.metric}")
        if self.metric in ("event_mean", "event_median", "event_quantile", "downtime_days") and len(self.perils) != 1:
            raise ValueError(f"perils: metric {self.metric} needs exactly one event type")
        return self


class AnchorsFile(Frozen):
    header: Header
    anchors: tuple[Anchor, ...] = Field(min_length=1)


def check_anchors(catalog: Catalog) -> list[Problem]:
    """Anchors name known event types; ids are unique."""
    model = catalog.files.get("anchors.yaml")
    if not isinstance(model, AnchorsFile):
        return []
    file = str(catalog.paths.get("anchors.yaml", catalog.directory / "anchors.yaml"))
    perils = catalog.files.get("perils.yaml")
    known = {p.id for p in getattr(perils, "perils", ())}
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, anchor in enumerate(model.anchors):
        if anchor.id in seen:
            problems.append(Problem(f"anchors[{i}].id", f"duplicate id {anchor.id!r}", file))
        seen.add(anchor.id)
        for j, pid in enumerate(anchor.perils):
            if known and pid not in known:
                problems.append(Problem(f"anchors[{i}].perils[{j}]", f"unknown event type {pid!r}", file))
    return problems
