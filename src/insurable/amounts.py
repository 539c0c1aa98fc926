"""Amounts as people write them, and the plausibility bounds every profile number must meet.

People write "7.200.000", "7,2 mln", "€ 8.000.000,00" or "7.2 million". :func:`parse_amount` reads
such a string with Babel in a given locale (the file's ``locale:`` or the user's language). Without a
locale it accepts a string only when Dutch and English read it the same way, so "7.200" (7200 in
Dutch, 7.2 in English) is refused with both readings instead of being guessed. Bounds are our own
plausibility assumptions (source ``insurable-assumption``), documented in docs/profile.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, parse_decimal

__all__ = [
    "ANSWER_NUMBER_CEILING",
    "PROFILE_BOUNDS",
    "AmountError",
    "Bound",
    "check_bound",
    "looks_like_thousands",
    "parse_amount",
    "valid_locale",
]


@dataclass(frozen=True)
class Bound:
    """The plausible range of one number: ``low <= value <= high`` and finite."""

    low: float
    high: float
    unit: str
    why: str


#: Plausibility bounds of the profile numbers (docs/profile.md, "Bounds and amounts"). Each is far
#: outside any real SME yet small enough that no computation over it can run away.
PROFILE_BOUNDS: dict[str, Bound] = {
    "employees": Bound(0, 10_000_000, "staff (AWU)", "the largest employers have about 2.3 million staff"),
    "annual_turnover_eur": Bound(0, 1e12, "EUR", "no company turns over more than EUR 1 trillion"),
    "balance_sheet_total_eur": Bound(0, 1e13, "EUR", "the largest bank balance sheets are about EUR 5 trillion"),
    "records_held": Bound(0, 1e11, "records", "100 billion records is above the largest known data sets"),
    "requested_limit_eur": Bound(
        10_000, 1e9, "EUR", "cyber policies are written from about EUR 10,000; the largest towers reach EUR 1 billion"
    ),
    "requested_deductible_eur": Bound(0, 1e8, "EUR", "and never above the requested limit"),
}

#: Upper bound of a numeric questionnaire answer that states no ``max`` of its own.
ANSWER_NUMBER_CEILING = 1e12

#: Profile fields holding money (a fractional value below 1,000 there looks like Dutch thousands).
MONEY_FIELDS = frozenset(
    {"annual_turnover_eur", "balance_sheet_total_eur", "requested_limit_eur", "requested_deductible_eur"}
)


class AmountError(ValueError):
    """A string that is not an amount, or that reads differently in Dutch and English."""


_SCALES: dict[str, int] = {
    "": 1,
    "k": 1_000,
    "duizend": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mln": 1_000_000,
    "mio": 1_000_000,
    "mn": 1_000_000,
    "miljoen": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "mrd": 1_000_000_000,
    "miljard": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_CURRENCY = re.compile(r"€|\beur(o|os)?\b", re.IGNORECASE)
_SHAPE = re.compile(r"^(?P<num>[+-]?\d[\d.,']*)\s*(?P<scale>[^\d\s]*)$")
_SPACED_DIGITS = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(\D|$))")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_WHITESPACE = re.compile(r"[\s\u00a0\u202f\u2009]+")
#: "7.200" or "1.500.000": a float in YAML that a Dutch writer meant as thousands.
_DUTCH_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")

_HINT = 'write digits only (7200000) or an amount in quotes such as "7.200.000", "7,2 mln" or "€ 8.000.000,00"'


def valid_locale(value: str) -> str:
    """Return ``value`` when Babel knows the locale (``nl``, ``en``, ``nl_BE`` ...), else raise ValueError."""
    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not a known locale; use nl or en") from exc
    return value


def parse_amount(text: str, locale: str | None = None) -> float | int:
    """Read an amount as people write it; raise :class:`AmountError` saying what to write instead.

    ``locale`` is a Babel locale (``nl``, ``en`` ...). Without one, the string must read the same in
    Dutch and in English. Scale words (k, mln, miljoen, million, mrd, bn) and a euro sign are allowed.
    """
    raw = text.strip()
    if _SCIENTIFIC.match(raw):
        return float(raw)
    cleaned = _CURRENCY.sub(" ", raw).strip()
    cleaned = _SPACED_DIGITS.sub("", cleaned)
    cleaned = _WHITESPACE.sub(" ", cleaned).lower()
    match = _SHAPE.match(cleaned)
    if not match or not raw:
        raise AmountError(f"{text!r} is not an amount; {_HINT}")
    scale_word = match["scale"].rstrip(".")
    scale = _SCALES.get(scale_word)
    if scale is None:
        raise AmountError(f"{text!r}: unknown unit {match['scale']!r}; use k, mln (million) or mrd (billion)")
    number = match["num"].replace("'", "")
    locales = [locale.replace("-", "_")] if locale else ["nl", "en"]
    readings: dict[str, Decimal] = {}
    for loc in locales:
        try:
            readings[loc] = parse_decimal(number, locale=loc, strict=True)
        except NumberFormatError:
            continue
    if not readings:
        where = f" in locale {locale}" if locale else ""
        raise AmountError(f"{text!r} is not an amount{where}; {_HINT}")
    values = set(readings.values())
    if len(values) > 1:
        shown = ", ".join(f"{_plain(v * scale)} ({loc})" for loc, v in readings.items())
        raise AmountError(
            f"{text!r} is ambiguous: it reads as {shown}; write digits only, or set locale: nl or locale: en"
        )
    value = values.pop() * scale
    result = float(value)
    if not math.isfinite(result):
        raise AmountError(f"{text!r} is too large")
    return int(value) if value == value.to_integral_value() and abs(result) < 2**63 else result


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def looks_like_thousands(raw: str) -> bool:
    """Whether a YAML float's source text (``7.200``, ``1.500.000``) is Dutch thousands notation."""
    return bool(_DUTCH_GROUPS.match(raw.strip()))


def check_bound(name: str, value: float, as_written: bool = False) -> str | None:
    """Why ``value`` is not plausible for profile field ``name``, or ``None`` when it is.

    ``as_written``: the value comes from a person (a file, a form, an API body read through
    :func:`insurable.profile.parse_organisation`), so a money value such as 7.2 that looks like a
    Dutch thousands group is refused as well.
    """
    bound = PROFILE_BOUNDS.get(name)
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if bound is None:
        return None
    if not bound.low <= value <= bound.high:
        return (
            f"{_shown(value)} is outside the plausible range {_shown(bound.low)} to {_shown(bound.high)} "
            f"{bound.unit} ({bound.why}); see docs/profile.md"
        )
    if as_written and name in MONEY_FIELDS and 0 < value < 1000 and not float(value).is_integer():
        dutch = f"{value * 1000:,.0f}".replace(",", ".")
        return (
            f"{value:g} is not a plausible amount in euros; if you meant Dutch thousands ({dutch}), "
            f'write {_shown(round(value * 1000))}, or "{dutch}" in quotes with locale: nl'
        )
    return None


def _shown(value: float) -> str:
    """A bound or value in plain digits (10000, 1e+12 for huge ones)."""
    if abs(value) < 1e15 and float(value).is_integer():
        return f"{int(value)}"
    return f"{value:g}"
