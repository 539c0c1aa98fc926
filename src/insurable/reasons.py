"""The reasons the engine gives for bad input, translated for people (CLI and web alike).

The domain core writes every input problem in English (``Problem(path, reason)``): the API, log files
and golden cases rely on that text. An adapter that speaks Dutch matches the reason against
:data:`TEMPLATES` (each an English message with ``%(name)s`` placeholders, exactly as the engine or
Pydantic writes it) and shows the gettext translation from ``locale/<lang>/LC_MESSAGES/insurable.mo``
with the same parameters. A parameter that is itself a known message (a YAML parser's complaint,
a unit) is translated too; the rest (the value the user wrote, ids, numbers) is shown as written.

This is the one table of translated engine reasons: the CLI renders problems with it and the web's
``engine_messages`` reads it (docs/profile.md, "Errors"). ``tests/cli/test_cli_errors.py`` checks that the
common Pydantic error types and the reader's own reasons are covered, and that the catalogue is fresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from insurable.text import Lang

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "insurable"


def _(message: str) -> str:
    """Mark a string for extraction (``make translations``); it is translated where it is shown."""
    return message


#: Engine and Pydantic reasons, most specific first (a reason is matched against each in order).
#: Placeholders stand for what the user wrote or what the catalogue names; they stay as written.
TEMPLATES: tuple[str, ...] = (
    # insurable.errors: Pydantic's "missing" and "extra_forbidden", and the count of problems not shown
    _("required field is missing"),
    _("unknown field"),
    _("... and %(count)s more problem(s) not shown; fix these first"),
    # insurable.catalog.yamlio: reading the file
    _("file not found"),
    _("is a directory, expected a YAML file"),
    _("cannot read: %(why)s"),
    _("file is larger than %(kb)s kB, the most this tool reads"),
    _("broken UTF-16 text; save the file as UTF-8 (in most editors: Save as..., encoding UTF-8)"),
    _("this looks like %(what)s, not YAML text; save the file as UTF-8 (in most editors: Save as..., encoding UTF-8)"),
    _(
        "byte %(byte)s is not UTF-8 (perhaps Windows-1252 or Latin-1); save the file as UTF-8 "
        "(in most editors: Save as..., encoding UTF-8)"
    ),
    _("malformed YAML: nested too deeply"),
    _("malformed YAML (column %(column)s): %(problem)s"),
    _("malformed YAML: %(problem)s"),
    _(
        "%(text)s is ambiguous: YAML reads it as %(reading)s; write true or false for yes/no, or "
        '"%(quoted)s" in quotes for the text (country: "NO" is Norway)'
    ),
    _("%(text)s is not a date that exists; write a real date as YYYY-MM-DD"),
    _("duplicate key %(key)s"),
    # PyYAML's complaints, shown inside "malformed YAML: ..." (the parser's own English)
    _("mapping values are not allowed here"),
    _("mapping values are not allowed in this context"),
    _("could not find expected ':'"),
    _("found character %(char)s that cannot start any token"),
    _("found undefined alias %(alias)s"),
    _("found unexpected end of stream"),
    _("found unexpected ':'"),
    _("expected <block end>, but found %(token)s"),
    _("expected ',' or ']', but got %(token)s"),
    _("expected ',' or '}', but got %(token)s"),
    _("could not determine a constructor for the tag %(tag)s"),
    # insurable.amounts and insurable.profile: amounts and bounds
    _(
        "%(text)s is not an amount in locale %(locale)s; write digits only (7200000) or an amount in quotes such as "
        '"7.200.000", "7,2 mln" or "€ 8.000.000,00"'
    ),
    _(
        '%(text)s is not an amount; write digits only (7200000) or an amount in quotes such as "7.200.000", '
        '"7,2 mln" or "€ 8.000.000,00"'
    ),
    _("%(text)s: unknown unit %(unit)s; use k, mln (million) or mrd (billion)"),
    _("%(text)s is ambiguous: it reads as %(readings)s; write digits only, or set locale: nl or locale: en"),
    _("%(text)s is too large"),
    _("%(value)s is not a known locale; use nl or en"),
    _("%(value)s is not a finite number"),
    _("%(value)s is outside the plausible range %(low)s to %(high)s %(unit)s (%(why)s); see docs/profile.md"),
    _(
        "%(value)s is not a plausible amount in euros; if you meant Dutch thousands (%(dutch)s), write %(whole)s, "
        'or "%(quoted)s" in quotes with locale: nl'
    ),
    _(
        "%(raw)s reads as %(number)s; if you meant Dutch thousands, write %(digits)s (digits only) or "
        '"%(quoted)s" in quotes with locale: nl; otherwise write %(otherwise)s'
    ),
    _("expected a number, not true/false"),
    _(
        "the deductible (%(deductible)s) is above the requested limit (%(limit)s); a deductible is paid before "
        "the limit, so it must not exceed it"
    ),
    _("expected a mapping of profile fields"),
    _("expected a NACE or SBI code such as 62.01 or 6201"),
    _("%(value)s: a NACE code starts with a two-digit division, e.g. 62.01"),
    _("%(value)s is not a NACE or SBI code (2-5 digits, e.g. 62.01, 6201 or 10711)"),
    _("%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. NL, BE, DE)"),
    _("%(value)s is not an EU Member State code (e.g. NL, BE, DE)"),
    _("%(values)s: not an EU Member State code (e.g. NL, BE, DE)"),
    _("a Member State is listed more than once"),
    _("activities are listed more than once"),
    _("unknown activity %(id)s; see docs/profile.md"),
    _("not a domain name: %(values)s"),
    _("not an IP address or CIDR range: %(values)s"),
    _("a partner enterprise holds between 0.25 and 0.5 (25-50 %%)"),
    # insurable.suppliers: the supplier register (YAML, CSV, XLSX)
    _("expected a mapping with client and suppliers"),
    _("the period ends before it starts"),
    _("limit must be positive for %(ids)s"),
    _("before issued"),
    _("required for %(kind)s"),
    _("duplicate id(s) %(ids)s"),
    _("duplicate id %(id)s"),
    _("unknown column; expected %(columns)s"),
    _("required column is missing"),
    _("not UTF-8 text (byte %(byte)s)"),
    _("not readable as CSV (%(why)s)"),
    _("not an XLSX workbook (%(why)s)"),
    _("expected a .csv or .xlsx file"),
    # insurable.catalog.questionnaire: answers
    _("unknown question id"),
    _("expected true or false%(also)s"),
    _("expected one of %(options)s"),
    _("expected a list drawn from %(options)s"),
    _("unknown option(s) %(unknown)s; expected from %(options)s"),
    _("an option is listed more than once"),
    _("'none' cannot be combined with other options; give none alone, or only the others"),
    _("expected a number"),
    _("%(value)s is below the minimum %(low)s"),
    _("%(value)s is above the maximum %(high)s"),
    _("expected a date as YYYY-MM-DD"),
    _("expected text"),
    # the CLI's own checks of its options and files (insurable.cli)
    _("file exists; use --force to overwrite"),
    _("cannot write: %(why)s"),
    _("must be between 1,000 and 10,000,000"),
    _("must be between 1 and 100,000"),
    _("expected a date YYYY-MM-DD, got %(value)s"),
    _("expected a .csv or .xlsx file name"),
    _("works with --format text or markdown"),
    # insurable portfolio (cli/portfolio_cmd.py, portfolio/oed.py, portfolio/book.py, portfolio/sources.py)
    _("must be between 1 and 100,000,000"),
    _("must be a positive number of years"),
    _("must be a non-negative integer"),
    _("must be greater than 1"),
    _("must be a positive number"),
    _("not a number: %(text)s"),
    _("a tail shape needs %(column)s"),
    _("required OED column is missing"),
    _("a turnover (or BITIV) is required"),
    _("an OED location file needs its account file (--account)"),
    _("no account %(account)s in %(file)s"),
    _("a book needs at least one insured"),
    _("duplicate id %(id)s"),
    _("unknown vendor categories: %(names)s"),
    _("required (> 0) for the portfolio model"),
    _("unknown scenario ids: %(ids)s"),
    # Pydantic's messages for the common error types (pydantic_core, English)
    _("Input should be a valid string"),
    _("String should have at least %(n)s character"),
    _("String should have at least %(n)s characters"),
    _("String should have at most %(n)s character"),
    _("String should have at most %(n)s characters"),
    _("String should match pattern %(pattern)s"),
    _("Input should be a valid integer, unable to parse string as an integer"),
    _("Input should be a valid integer, got a number with a fractional part"),
    _("Input should be a valid integer"),
    _("Unable to parse input string as an integer, exceeded maximum size"),
    _("Input should be a valid number, unable to parse string as a number"),
    _("Input should be a valid number"),
    _("Input should be a finite number"),
    _("Input should be a valid boolean, unable to interpret input"),
    _("Input should be a valid boolean"),
    _("Input should be greater than or equal to %(n)s"),
    _("Input should be greater than %(n)s"),
    _("Input should be less than or equal to %(n)s"),
    _("Input should be less than %(n)s"),
    _("Input should be a valid dictionary or instance of %(model)s"),
    _("Input should be a valid dictionary"),
    _("Input should be a valid list"),
    _("Input should be a valid tuple"),
    _("Input should be a valid date in the format YYYY-MM-DD, %(why)s"),
    _("Input should be a valid date or datetime, %(why)s"),
    _("Input should be a valid date"),
    _("%(kind)s should have at least %(n)s item after validation, not %(actual)s"),
    _("%(kind)s should have at least %(n)s items after validation, not %(actual)s"),
    _("%(kind)s should have at most %(n)s item after validation, not %(actual)s"),
    _("%(kind)s should have at most %(n)s items after validation, not %(actual)s"),
    _("Input should be %(expected)s"),
)

#: Parts of a reason that are themselves translated when they fill a placeholder: the reader's words,
#: units and explanations of the profile bounds (insurable.amounts.PROFILE_BOUNDS), Pydantic's date errors.
PARTS: tuple[str, ...] = (
    _("UTF-16 without a byte-order mark"),
    _("binary data"),
    _("staff (AWU)"),
    _("records"),
    _("the largest employers have about 2.3 million staff"),
    _("no company turns over more than EUR 1 trillion"),
    _("the largest bank balance sheets are about EUR 5 trillion"),
    _("100 billion records is above the largest known data sets"),
    _("cyber policies are written from about EUR 10,000; the largest towers reach EUR 1 billion"),
    _("and never above the requested limit"),
    _("input is too short"),
    _("invalid character in year"),
    _("month value is outside expected range of 1-12"),
    _("day value is outside expected range"),
    _(" or unknown"),
    _(" or not_applicable"),
    _(" or unknown or not_applicable"),
    _(" or "),
)


@dataclass(frozen=True)
class Matched:
    """A reason recognised as one of :data:`TEMPLATES`: its msgid and the values of its placeholders."""

    msgid: str
    params: dict[str, str]


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = "", 0
    for found in re.finditer(r"%\((\w+)\)s|%%", template):
        out += re.escape(template[pos : found.start()])
        name = found.group(1)
        # Pydantic's literal and enum lists ("'a', 'b' or 'c'") start with a quote; requiring it keeps
        # "Input should be %(expected)s" from swallowing a message type that has no template yet.
        out += "%" if name is None else f"(?P<{name}>'.*?)" if name == "expected" else f"(?P<{name}>.*?)"
        pos = found.end()
    return re.compile("^" + out + re.escape(template[pos:]) + "$", re.DOTALL)


_PATTERNS = tuple((template, _pattern(template)) for template in TEMPLATES)


def match(reason: str) -> Matched | None:
    """The template ``reason`` was written from, with its parameters, or ``None`` for a free-form text."""
    for template, pattern in _PATTERNS:
        found = pattern.match(reason)
        if found:
            return Matched(template, found.groupdict())
    return None


@cache
def translations(lang: Lang) -> NullTranslations:
    """The compiled catalogue of ``lang`` for reasons and CLI messages."""
    return Translations.load(str(LOCALE_DIR), [lang], domain=DOMAIN)


def gettext(lang: Lang, message: str) -> str:
    return translations(lang).ugettext(message)


def translate(reason: str, lang: Lang) -> str:
    """``reason`` in ``lang``: the template's translation with the same parameters (those that are known
    parts translated too); a reason no template matches is returned as written."""
    if lang == "en":
        return reason
    found = match(reason)
    if found is None:
        return reason
    params = {name: _part(name, value, lang) for name, value in found.params.items()}
    text = gettext(lang, found.msgid)
    return text % params if params else text.replace("%%", "%")


def _part(name: str, value: str, lang: Lang) -> str:
    """A placeholder's value in ``lang``: a known part or a nested reason translated, the rest as written."""
    if value in _PART_SET:
        return gettext(lang, value)
    if name == "problem":  # PyYAML's complaint or our reader's own ("duplicate key 'x'")
        return translate(value, lang)
    if name == "expected":  # Pydantic lists literals as "'a', 'b' or 'c'"
        head, sep, tail = value.rpartition(" or ")
        return f"{head}{gettext(lang, ' or ')}{tail}" if sep else value
    return value


_PART_SET = frozenset(PARTS)
