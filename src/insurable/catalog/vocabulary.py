"""Profile vocabulary: the activities an organisation can declare, with nl/en labels."""

from __future__ import annotations

from pydantic import Field

from insurable.catalog.header import Frozen, Header
from insurable.text import Text


class Activity(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    description: Text


class ProfileField(Frozen):
    """Documentation of one profile field, rendered into docs/profile.md and the web form."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    help: Text


class VocabularyFile(Frozen):
    header: Header
    activities: tuple[Activity, ...] = Field(min_length=1)
    fields: tuple[ProfileField, ...] = Field(min_length=1)
