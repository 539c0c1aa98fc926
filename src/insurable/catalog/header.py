"""The header every catalogue file carries: identity, version, date, licence and sources.

Catalogue files are YAML documents with a ``header`` mapping and one or more item lists. Items cite
sources by id; a source id must be declared in the header of some file of the same catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from insurable.text import Text

#: Confidence of a source, as in the domain reference: verified legal text, secondary source,
#: unconfirmed, or derived by us (an assumption we document).
SourceTag = Literal["V", "S", "U", "D"]

ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"


class Frozen(BaseModel):
    """Base for every catalogue model: immutable and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Source(Frozen):
    """A public source a catalogue fact rests on."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://")
    tag: SourceTag = Field(description="V verified, S secondary, U unconfirmed, D derived (assumption)")


class Header(Frozen):
    """Common header of every catalogue file."""

    id: str = Field(pattern=ID_PATTERN, description="catalogue id, e.g. insurable.controls")
    kind: str = Field(pattern=r"^[a-z0-9_]+$", description="which file this is: controls, questionnaire, ...")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="semantic version of this file")
    date: dt.date
    title: Text
    licence: str = Field(min_length=1)
    indicative: bool = Field(default=True, description="figures are indicative, not an insurer's offer")
    sources: tuple[Source, ...] = ()
