"""Offer catalogues: the policy-reading checklist (``offer_checklist.yaml``) and the wording patterns
that ``offers extract`` reads Dutch and English policies with (``offer_wording.yaml``).

A checklist rule is metadata (the point, why it matters, its sources, and the message for each
outcome) beside one small evaluator in :mod:`insurable.offers.check` with the same id, as a Prowler
check is a function plus its metadata sidecar. A reference check makes both sides meet.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from insurable.catalog.header import Frozen, Header
from insurable.text import Text

Status = Literal["met", "not_met", "partly", "unknown", "not_applicable"]


class ChecklistRule(Frozen):
    id: str = Field(pattern=r"^chk\.[a-z0-9_]+$")
    point: Text = Field(description="the question the reader asks of the policy")
    why: Text
    origin: Literal["article", "underwriting", "broker"] = Field(
        description="article: the checklist of the article that started the project; others: added points"
    )
    messages: dict[str, Text] = Field(
        description="outcome or finding key -> message; {placeholders} are filled by the evaluator"
    )
    sources: tuple[str, ...] = Field(min_length=1)


class TailCharge(Frozen):
    """The stated charge for tail risk in the total cost of risk: ``rate`` x (retained loss at the
    ``return_period`` - mean retained loss), a cost of holding capital for the bad year."""

    rate: float = Field(gt=0, lt=1)
    return_period: float = Field(gt=1)
    explanation: Text
    sources: tuple[str, ...] = Field(min_length=1)


class OfferChecklistFile(Frozen):
    header: Header
    tail_charge: TailCharge
    rules: tuple[ChecklistRule, ...] = Field(min_length=1)


class WordingPattern(Frozen):
    """Regular expressions (Python ``re``, case-insensitive) for one offer field in one language.
    Group ``value`` holds the value; ``kind`` says how to read it."""

    field: str = Field(
        pattern=r"^[a-z0-9_.]+$", description="offer field, dotted: premium.net_eur, cov.extortion.sublimit_eur"
    )
    language: Literal["nl", "en"]
    kind: Literal["amount", "hours", "days", "months", "percent", "date", "flag", "choice", "text", "activities"]
    patterns: tuple[str, ...] = Field(min_length=1)
    anchors: tuple[str, ...] = Field(
        default=(),
        description="words that show a sentence is about this field: an anchor without a readable value "
        "makes the field ambiguous (a clause the patterns cannot read), never a guess",
    )
    choices: dict[str, str] = Field(default_factory=dict, description="kind choice: matched word -> value")
    value_when_found: str | None = Field(default=None, description="kind flag: the value a match means")
    sources: tuple[str, ...] = Field(min_length=1)


class OfferWordingFile(Frozen):
    header: Header
    patterns: tuple[WordingPattern, ...] = Field(min_length=1)
