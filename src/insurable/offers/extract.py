"""Propose offer values from a policy's text, honestly (pure: page texts in, proposals out).

The patterns live in the catalogue (``offer_wording.yaml``). Each page is cut into sentences; per
sentence the first entry of a field that matches gives a candidate value with its page and the
sentence as quote. Across the document a field is

- ``found``: one value (every sentence that states it agrees);
- ``ambiguous``: different values, or a sentence about the field (an anchor) whose value the
  patterns cannot read; the quotes are kept, no value is guessed;
- ``not_found``: nothing.

:func:`draft_offer` turns the proposals into offer data for the user to confirm: found values with
their clause, nothing for the others (a required field left empty makes the draft fail validation
until the user fills it in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field

from insurable.amounts import AmountError, parse_amount
from insurable.catalog.header import Frozen
from insurable.catalog.offers import OfferWordingFile, WordingPattern
from insurable.offers.model import Clause

__all__ = ["Candidate", "Extraction", "Proposal", "detect_language", "draft_offer", "extract_fields", "sentences"]

WORDING_FILE = "offer_wording.yaml"
MAX_QUOTE = 600

#: A sentence ends at . ! ? before a capital, digit, euro sign or quote. A line that starts with
#: "Label:" (schedule headings such as "Verzekeraar:") is a sentence of its own; a blank line ends one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z€\"'(0-9])")
_LABEL_LINE = re.compile(r"^[A-Z][\w /-]{1,30}:")
_SPACE = re.compile(r"\s+")

_DUTCH = re.compile(r"\b(de|het|een|van|en|verzekerd|voor|niet|wij|uw)\b", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(the|a|of|and|insured|for|not|we|your|policy)\b", re.IGNORECASE)


class Candidate(Frozen):
    value: Any
    clause: Clause


class Proposal(Frozen):
    field: str
    status: Literal["found", "not_found", "ambiguous"]
    value: Any = None
    clause: Clause | None = None
    candidates: tuple[Candidate, ...] = ()
    unreadable: tuple[Clause, ...] = Field(default=(), description="sentences about the field the patterns cannot read")
    reason: str


class Extraction(Frozen):
    file: str
    language: Literal["nl", "en"]
    pages: int
    proposals: tuple[Proposal, ...]

    def by_field(self) -> dict[str, Proposal]:
        return {p.field: p for p in self.proposals}


def sentences(text: str) -> list[str]:
    """The sentences of one page, whitespace normalised (wrapped lines joined)."""
    chunks: list[str] = []
    buffer: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if not stripped or _LABEL_LINE.match(stripped):
            chunks.append(" ".join(buffer))
            buffer = []
            if stripped:
                chunks.append(stripped)
        else:
            buffer.append(stripped)
    chunks.append(" ".join(buffer))
    out: list[str] = []
    for chunk in chunks:
        out += [s for s in (_SPACE.sub(" ", part).strip() for part in _SENTENCE_END.split(chunk)) if s]
    return out


def detect_language(pages: Sequence[str]) -> Literal["nl", "en"]:
    text = " ".join(pages)
    return "nl" if len(_DUTCH.findall(text)) >= len(_ENGLISH.findall(text)) else "en"


def _activities(text: str, vocabulary: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    low = text.lower()
    found = [
        activity
        for activity, names in vocabulary.items()
        if any(re.search(rf"\b{re.escape(n.lower())}\b", low) for n in names)
    ]
    return tuple(found) or None


def _value(pattern: WordingPattern, match: re.Match[str], vocabulary: Mapping[str, tuple[str, ...]]) -> Any:
    """The typed value of one match, or None when it cannot be read."""
    if pattern.kind == "flag":
        return pattern.value_when_found == "true"
    raw = match.group("value").strip()
    if pattern.kind == "amount":
        try:
            return parse_amount(raw, pattern.language)
        except AmountError:
            return None
    if pattern.kind in ("hours", "days", "months", "percent"):
        try:
            number = float(raw.replace(",", ".") if pattern.language == "nl" else raw.replace(",", ""))
        except ValueError:
            return None
        if pattern.kind == "months":
            return round(number * 365 / 12)
        if pattern.kind == "percent":
            return round(number / 100, 6)
        return int(number) if number.is_integer() else number
    if pattern.kind == "date":
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        return None
    if pattern.kind == "choice":
        low = raw.lower()
        if not pattern.choices:
            return re.sub(r"[\s-]", "", low)
        return next((v for k, v in pattern.choices.items() if k in low), None)
    if pattern.kind == "activities":
        return _activities(raw, vocabulary)
    return raw.rstrip(" ;,") or None  # text


def _clause(page: int, sentence: str) -> Clause:
    return Clause(page=page, quote=sentence if len(sentence) <= MAX_QUOTE else sentence[: MAX_QUOTE - 1] + "…")


def extract_fields(
    pages: Sequence[str],
    wording: OfferWordingFile,
    *,
    language: Literal["nl", "en"] | None = None,
    vocabulary: Mapping[str, tuple[str, ...]] | None = None,
    file: str = "",
) -> Extraction:
    """Proposals for every field the wording file knows, in its order."""
    lang = language or detect_language(pages)
    vocab = vocabulary or {}
    entries: dict[str, list[tuple[WordingPattern, list[re.Pattern[str]], list[re.Pattern[str]]]]] = {}
    for p in wording.patterns:
        if p.language != lang:
            continue
        compiled = [re.compile(x, re.IGNORECASE) for x in p.patterns]
        anchors = [re.compile(x, re.IGNORECASE) for x in p.anchors]
        entries.setdefault(p.field, []).append((p, compiled, anchors))
    split = [(i + 1, sentences(text)) for i, text in enumerate(pages)]
    proposals: list[Proposal] = []
    for field, options in entries.items():
        candidates: list[Candidate] = []
        unreadable: list[Clause] = []
        for page, page_sentences in split:
            for sentence in page_sentences:
                got = _first(options, sentence, vocab)
                if got is _NO_MATCH:
                    if any(a.search(sentence) for _, _, anchors in options for a in anchors):
                        unreadable.append(_clause(page, sentence))
                    continue
                if got is None:
                    unreadable.append(_clause(page, sentence))
                else:
                    candidates.append(Candidate(value=got, clause=_clause(page, sentence)))
        proposals.append(_decide(field, candidates, unreadable))
    return Extraction(file=file, language=lang, pages=len(pages), proposals=tuple(proposals))


_NO_MATCH = object()


def _first(
    options: list[tuple[WordingPattern, list[re.Pattern[str]], list[re.Pattern[str]]]],
    sentence: str,
    vocab: Mapping[str, tuple[str, ...]],
) -> Any:
    for pattern, compiled, _ in options:
        for regex in compiled:
            match = regex.search(sentence)
            if match is not None:
                return _value(pattern, match, vocab)
    return _NO_MATCH


def _decide(field: str, candidates: list[Candidate], unreadable: list[Clause]) -> Proposal:
    values = list(dict.fromkeys(repr(c.value) for c in candidates))
    if len(values) == 1:
        first = candidates[0]
        return Proposal(
            field=field,
            status="found",
            value=first.value,
            clause=first.clause,
            candidates=tuple(candidates),
            unreadable=tuple(unreadable),
            reason=f"stated {len(candidates)} time(s), always as {values[0]}",
        )
    if len(values) > 1:
        return Proposal(
            field=field,
            status="ambiguous",
            candidates=tuple(candidates),
            unreadable=tuple(unreadable),
            reason=f"different values in the wording: {', '.join(values)}; confirm which applies",
        )
    if unreadable:
        return Proposal(
            field=field,
            status="ambiguous",
            unreadable=tuple(unreadable),
            reason="the wording mentions it, but the patterns cannot read a value from the clause",
        )
    return Proposal(field=field, status="not_found", reason="not stated in a way the patterns recognise")


def draft_offer(extraction: Extraction, offer_id: str) -> dict[str, Any]:
    """Offer data from the found values, each with its clause; the rest is left for the user."""
    found = {p.field: p for p in extraction.proposals if p.status == "found"}
    data: dict[str, Any] = {"format_version": 1, "id": offer_id, "kind": "policy", "language": extraction.language}
    clauses: dict[str, Any] = {}
    coverages: dict[str, dict[str, Any]] = {}
    exclusions: list[dict[str, Any]] = []
    premium: dict[str, Any] = {}
    for field, p in found.items():
        assert p.clause is not None
        clause = p.clause.model_dump(mode="json", exclude_none=True)
        value = p.value.isoformat() if isinstance(p.value, dt.date) else p.value
        if isinstance(value, tuple):
            value = list(value)
        if field.startswith("cov."):
            cov, _, attr = field.rpartition(".")
            section = coverages.setdefault(cov, {"coverage": cov})
            section[attr] = value
            section.setdefault("clause", clause)
            if attr == "covered" and value is True:
                del section[attr]  # covered is the default
        elif field == "exclusions.fines":
            fines: dict[str, Any] = {"kind": "fines", "clause": clause}
            if value == "where_uninsurable":
                fines["variant"] = value  # otherwise excluded: the checklist reads it, defence costs stay
            exclusions.append(fines)
        elif field == "exclusions.war":
            exclusions.append({"kind": "war", "variant": value, "clause": clause})
        elif field.startswith("premium."):
            premium[field.split(".", 1)[1]] = value
            clauses.setdefault("premium", clause)
        elif field == "insured_activities":
            data[field] = value
            data["insured_activities_clause"] = clause
        else:
            data[field] = value
            clauses[field] = clause
    if coverages:
        data["coverages"] = list(coverages.values())
    if exclusions:
        data["exclusions"] = exclusions
    if premium:
        data["premium"] = premium
    data["clauses"] = clauses
    return data


def field_kinds(wording: OfferWordingFile) -> dict[str, str]:
    """Each field's kind (the first entry's; ``months`` is entered as days)."""
    kinds: dict[str, str] = {}
    for p in wording.patterns:
        kinds.setdefault(p.field, "days" if p.kind == "months" else p.kind)
    return kinds


def read_entered(kind: str, text: str, language: Literal["nl", "en"]) -> Any:
    """A value typed by a person on the confirm page, read by the field's kind; raise ValueError."""
    raw = text.strip()
    if kind == "amount":
        try:
            return parse_amount(raw, language)
        except AmountError as exc:
            raise ValueError(str(exc)) from exc
    if kind in ("hours", "days"):
        number = float(raw.replace(",", "."))
        if number < 0:
            raise ValueError("must be >= 0")
        return int(number) if number.is_integer() else number
    if kind == "percent":
        number = float(raw.rstrip("% ").replace(",", "."))
        return round(number / 100, 6) if number > 1 else number
    if kind == "flag":
        low = raw.lower()
        if low in ("true", "yes", "ja", "1"):
            return True
        if low in ("false", "no", "nee", "0"):
            return False
        raise ValueError("write yes or no")
    if kind == "date":
        return dt.date.fromisoformat(raw).isoformat()
    if kind == "activities":
        return [a.strip() for a in raw.split(",") if a.strip()]
    return raw


def confirmed_data(
    extraction: Extraction, entered: dict[str, str], kinds: dict[str, str], offer_id: str
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Offer data from the values a person confirmed (blank: left out), with the clause of each value
    that the extraction found as typed; every value that cannot be read is returned as a problem."""
    problems: list[tuple[str, str]] = []
    proposals: list[Proposal] = []
    by_field = extraction.by_field()
    for field, text in entered.items():
        if field not in kinds or not text.strip():
            continue
        try:
            value = read_entered(kinds[field], text, extraction.language)
        except ValueError as exc:
            problems.append((field, str(exc)))
            continue
        found = by_field.get(field)
        clause = found.clause if found is not None and found.clause is not None else None
        if clause is None and found is not None:
            clause = next((c.clause for c in found.candidates if repr(c.value) == repr(value)), None)
        if clause is None:
            clause = Clause(quote="entered by hand on the confirm page")
        if isinstance(value, list):
            value = tuple(value)
        proposals.append(Proposal(field=field, status="found", value=value, clause=clause, reason="confirmed"))
    confirmed = extraction.model_copy(update={"proposals": tuple(proposals)})
    return draft_offer(confirmed, offer_id), problems
