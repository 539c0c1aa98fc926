"""Bilingual text: every catalogue item carries Dutch and English side by side."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")


class Text(BaseModel):
    """A string in Dutch and English. Both are required and non-empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en

    def __str__(self) -> str:
        return self.en
