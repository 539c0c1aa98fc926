"""Security controls, each mapped to its NCSC-NL measure, NIS2 Art. 21(2) letters, CIS v8
safeguards, ISO/IEC 27001:2022 Annex A controls and NIST CSF 2.0 (domain reference §2.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from insurable.catalog.header import Frozen, Header
from insurable.text import Text

Art21Letter = Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]


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
    sources: tuple[str, ...] = Field(min_length=1)


class ControlsFile(Frozen):
    header: Header
    controls: tuple[Control, ...] = Field(min_length=1)
