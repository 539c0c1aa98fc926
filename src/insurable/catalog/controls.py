"""Security controls, each mapped to its NCSC-NL measure, NIS2 Art. 21(2) letters, CIS v8
safeguards, ISO/IEC 27001:2022 Annex A controls and NIST CSF 2.0 (domain reference §2.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.text import Text

Art21Letter = Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
Effort = Literal["low", "medium", "high"]


class CostBand(Frozen):
    """Indicative cost for firms up to ``up_to_employees`` staff (the last band is open-ended)."""

    up_to_employees: int | None = Field(default=None, gt=0)
    one_off_eur: tuple[float, float] = Field(description="one-off cost range: low, high")
    yearly_eur: tuple[float, float] = Field(description="yearly running cost range: low, high")

    @model_validator(mode="after")
    def _ranges(self) -> CostBand:
        for name in ("one_off_eur", "yearly_eur"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name}: expected 0 <= low <= high")
        return self


class ControlCost(Frozen):
    """Effort band and cost ranges by firm size: what it takes to put the control in place."""

    effort: Effort
    bands: tuple[CostBand, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands(self) -> ControlCost:
        edges = [b.up_to_employees for b in self.bands]
        if edges[-1] is not None or any(e is None for e in edges[:-1]):
            raise ValueError("bands: only the last band is open-ended (no up_to_employees), and it must be there")
        finite = [e for e in edges if e is not None]
        if finite != sorted(set(finite)):
            raise ValueError("bands: up_to_employees must increase")
        return self

    def band_for(self, employees: float) -> CostBand:
        return next(b for b in self.bands if b.up_to_employees is None or employees <= b.up_to_employees)


class Control(Frozen):
    id: str = Field(pattern=r"^ctl\.[a-z0-9_]+(\.[a-z0-9_]+)*$")
    ref: str = Field(pattern=r"^BM-\d{2}$", description="row of the consolidated control list (reference §2.2)")
    name: Text
    description: Text
    remediation: Text = Field(description="what to do to put the control in place")
    ncsc_measure: Text = Field(description="the NCSC-NL basic measure or topic page it comes from")
    nis2_art21: tuple[Art21Letter, ...] = Field(description="NIS2 Art. 21(2) letters")
    nis2_art20: bool = Field(default=False, description="also evidences NIS2 Art. 20 governance duties")
    cis_v8: tuple[str, ...] = ()
    iso27001: tuple[str, ...] = ()
    nist_csf: tuple[str, ...] = ()
    cost: ControlCost | None = Field(default=None, description="effort and cost ranges by firm size")
    sources: tuple[str, ...] = Field(min_length=1)


class ControlsFile(Frozen):
    header: Header
    controls: tuple[Control, ...] = Field(min_length=1)
