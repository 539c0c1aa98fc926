"""Interface language: negotiation (cookie, then Accept-Language, then Dutch), gettext catalogues
and Babel formatting of numbers, money and dates.

Interface strings are marked with ``_()`` / ``{% trans %}`` and translated through the compiled
catalogues in ``locale/<lang>/LC_MESSAGES/messages.mo`` (committed, so a fresh checkout and an
installed wheel need no build step; ``tests/web/test_web_translations.py`` fails when they are stale).
Catalogue text (questions, help, controls) is bilingual in the data files and never goes through gettext.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from starlette.requests import Request

from insurable.text import LANGS, Lang

LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "insurable_lang"
DEFAULT_LANG: Lang = "nl"
#: The Babel locale used for formatting in each interface language.
LOCALES: dict[Lang, str] = {"nl": "nl_NL", "en": "en_GB"}
TIMEZONE = "Europe/Amsterdam"


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown (see :func:`translations`)."""
    return message


def pick_lang(request: Request) -> Lang:
    """The cookie if it names a known language, else the best Accept-Language match, else Dutch."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    header = request.headers.get("accept-language", "")
    preferred = []
    for part in header.split(","):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            preferred.append((q, tag.replace("-", "_")))
    preferred.sort(key=lambda item: -item[0])
    found = negotiate_locale([tag for _q, tag in preferred], list(LANGS))
    return found if found in LANGS else DEFAULT_LANG


@cache
def translations(lang: Lang) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English msgids need no translation, but a catalogue exists)."""
    found = Translations.load(str(LOCALE_DIR), [lang], domain="messages")
    from insurable.reasons import translations as reason_translations

    shared = reason_translations(lang)  # the engine's reasons, shared with the CLI (insurable.reasons)
    if isinstance(found, Translations) and isinstance(shared, Translations):
        found.merge(shared)
    return found


def gettext(lang: Lang, message: str) -> str:
    return translations(lang).ugettext(message)


#: Beyond this magnitude numbers are shown in scientific notation; Babel's patterns fail on 1e308.
HUGE = 1e15

F = TypeVar("F", bound=Callable[..., str])


def total(method: F) -> F:
    """Make a number formatter total: it never raises, whatever a stored snapshot holds.

    Snapshots are immutable, so a number stored before the input bounds existed (``employees:
    1e308``, ``inf``) must still render: not finite -> "–", huge -> ``1.0e+308``, anything Babel
    cannot format -> the plain value (issue 13, item 3).
    """

    @wraps(method)
    def guarded(self: Formatter, value: Any, *args: Any, **kwargs: Any) -> str:
        if value is None or isinstance(value, bool):
            return "–" if value is None else str(value)
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return str(value) or "–"
        if not math.isfinite(number):
            return "–"
        if abs(number) >= HUGE:
            return f"{'€ ' if method.__name__.startswith('money') else ''}{number:.1e}"
        try:
            return str(method(self, value, *args, **kwargs))
        except (ArithmeticError, ValueError, TypeError):
            return str(value)

    return guarded  # type: ignore[return-value]


class Formatter:
    """Locale-aware formatting, handed to templates as ``fmt``; number formatting is total."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.locale = Locale.parse(LOCALES[lang])

    @total
    def money(self, value: float | None, cents: bool = False) -> str:
        """EUR in the locale's pattern: ``€ 1.234`` (nl) or ``€1,234`` (en); ``cents`` keeps 2 decimals."""
        if value is None:
            return "–"
        if cents:
            return format_currency(value, "EUR", locale=self.locale)
        pattern = self.locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(round(value), "EUR", format=pattern, locale=self.locale, currency_digits=False)

    @total
    def money_short(self, value: float | None) -> str:
        """EUR for chart axes: in full below a million (``€ 50.000``), compact above (``€ 1,2 mln.`` in
        Dutch, ``€1.2M`` in English). CLDR's Dutch thousands ("€ 50K") beside "€ 5 mln." read as two
        languages on one axis (issue 12, item 7)."""
        if value is None:
            return "–"
        if abs(float(value)) < 1_000_000:
            return self.money(value)
        return str(format_compact_currency(value, "EUR", locale=self.locale, fraction_digits=1))

    @total
    def number(self, value: float | None, decimals: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    @total
    def percent(self, value: float | None, decimals: int = 0) -> str:
        """``value`` is a fraction (0.25 -> 25 %)."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return format_percent(value, format=pattern, locale=self.locale)

    def date(self, value: dt.date | str | None) -> str:
        if value is None or value == "":
            return "–"
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return value
        else:
            day = value
        return str(format_date(day, "long", locale=self.locale))

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return "–"
        return format_datetime(value, "medium", tzinfo=_zone(), locale=self.locale)

    def text(self, value: Any) -> str:
        """A bilingual catalogue text (``Text`` or ``{"nl": ..., "en": ...}``) in this language."""
        if isinstance(value, dict):
            return str(value.get(self.lang) or value.get("en") or "")
        getter = getattr(value, "get", None)
        if getter is not None and hasattr(value, "nl"):
            return str(getter(self.lang))
        return "" if value is None else str(value)


@cache
def _zone() -> Any:
    from babel.dates import get_timezone

    return get_timezone(TIMEZONE)


class Msg:
    """An interface message to translate where it is shown: msgid plus named parameters."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: Lang) -> str:
        text = gettext(lang, self.msgid)
        return text % self.params if self.params else text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.params) == (other.msgid, other.params)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, {self.params!r})"
