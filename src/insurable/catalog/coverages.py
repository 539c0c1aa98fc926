"""Coverage taxonomy: the cyber coverage types a loss is split over and policy terms apply to.

Ids follow the Open Exposure Data (OED) v4 cyber coverage names (reference §1B).
"""

from __future__ import annotations

from pydantic import Field

from insurable.catalog.header import Frozen, Header
from insurable.text import Text


class Coverage(Frozen):
    id: str = Field(pattern=r"^cov\.[a-z0-9_]+$")
    oed_code: str = Field(description="OED v4 cyber coverage code, e.g. EXT")
    name: Text
    description: Text
    first_party: bool
    sources: tuple[str, ...] = Field(min_length=1)


class CoveragesFile(Frozen):
    header: Header
    coverages: tuple[Coverage, ...] = Field(min_length=1)
