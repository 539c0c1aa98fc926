"""The questionnaire and profile as HTML forms: which questions show (the engine's own skip logic),
how a posted string becomes a typed answer, and how far along an organisation is.

Form values are plain strings, so the same code serves a no-JavaScript form post and an htmx
autosave. Each changed answer is stored through :func:`insurable.store.repo.save_answer`, one at a
time, with an audit line, exactly as the API's ``PUT /answers/{question_id}`` does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from insurable.amounts import PROFILE_BOUNDS, AmountError, check_bound, looks_like_thousands, parse_amount
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question, Topic, check_answer
from insurable.profile import ASSESSMENT_FIELDS, Organisation, stored_organisation
from insurable.store import repo
from insurable.text import Lang
from insurable.underwriting.answers import effective_answers
from insurable.web.i18n import LOCALES, Formatter, Msg, _
from insurable.web.session import WebOrg

#: Marker: the form says nothing about this question (an untouched radio group).
KEEP: Any = object()


@dataclass
class Field:
    question: Question
    value: Any = None
    error: Msg | None = None

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def dom_id(self) -> str:
        return "f-" + self.question.id.replace(".", "-")

    def form_value(self, lang: Lang = "en") -> str:
        """The stored value as it goes into a text or date input (numbers: :func:`plain_number`)."""
        v = self.value
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        return plain_number(v, lang)

    def text(self, fmt: Formatter) -> str:
        """The answer as a sentence-part for a read-only view ("Yes", an option's text, "€ 25.000")."""
        from insurable.web.diff import _shown
        from insurable.web.i18n import gettext

        if self.value is None:
            return gettext(fmt.lang, _("not answered"))
        return _shown(self.question, self.value, fmt)

    def echo(self, fmt: Formatter) -> str:
        """The stored number as the interface writes it ("€ 10.000"), shown beside the input."""
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            return ""
        if self.question.type == "money":
            return fmt.money(v)
        if self.question.type == "percentage":
            return fmt.number(v, 0 if float(v).is_integer() else 1) + " %"
        return fmt.number(v, 0 if float(v).is_integer() else 2)

    def chosen(self, option_id: str) -> bool:
        v = self.value
        if isinstance(v, list | tuple):
            return option_id in v
        return bool(v == option_id)


def plain_number(value: Any, lang: Lang) -> str:
    """A stored number as it goes back into an input: no grouping, the decimal separator of
    ``lang`` ("2,5" in Dutch), so posting the form again reads the same value. Other values as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    text = repr(value) if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang == "nl" else text


def countries(lang: Lang) -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with their names in ``lang`` (Babel/CLDR), the Netherlands first."""
    from babel import Locale

    names = Locale.parse(LOCALES[lang]).territories
    found = sorted(
        ((code, name) for code, name in names.items() if len(code) == 2 and code.isalpha() and code.isupper()),
        key=lambda item: item[1],
    )
    return [item for item in found if item[0] == "NL"] + [item for item in found if item[0] != "NL"]


@dataclass
class TopicProgress:
    topic: Topic
    answered: int
    total: int


@dataclass
class Progress:
    topics: list[TopicProgress] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(t.answered for t in self.topics)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.topics)

    @property
    def fraction(self) -> float:
        return self.answered / self.total if self.total else 0.0


def profile_model(profile: Mapping[str, Any]) -> Organisation:
    """The stored profile as far as it validates (one saved before the input bounds still reads)."""
    return stored_organisation(dict(profile))


def visible_ids(catalog: Catalog, profile: Mapping[str, Any], answers: Mapping[str, Any]) -> frozenset[str]:
    """Questions shown under the engine's skip logic (in questionnaire order, cascading)."""
    org = profile_model(profile).with_answers(dict(answers))
    return effective_answers(org, catalog.questionnaire).visible


def progress(catalog: Catalog, profile: Mapping[str, Any], answers: Mapping[str, Any]) -> Progress:
    shown = visible_ids(catalog, profile, answers)
    result = Progress()
    for topic in catalog.questionnaire.topics:
        ids = [q.id for q in catalog.questionnaire.questions if q.topic == topic.id and q.id in shown]
        result.topics.append(TopicProgress(topic, sum(1 for i in ids if answers.get(i) is not None), len(ids)))
    return result


def topic_fields(
    catalog: Catalog, topic_id: str, profile: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[Field]:
    shown = visible_ids(catalog, profile, answers)
    return [
        Field(q, answers.get(q.id)) for q in catalog.questionnaire.questions if q.topic == topic_id and q.id in shown
    ]


def _number(raw: str, lang: Lang | None = None) -> float | int | None:
    """A number as a person writes it in ``lang`` ("10.000" or "2,5" in Dutch; "10,000" or "2.5" in
    English, "25k", "€ 1,2 mln"), read with Babel; ``None`` when it is not one (issue 12, item 2).

    Without a language the string must read the same in Dutch and English, so "1.500" (thousands or
    decimals depending on who typed it) is refused rather than guessed (issue 13, item 4).
    """
    try:
        value = parse_amount(raw, LOCALES[lang] if lang else None)
    except AmountError:
        return None
    if not math.isfinite(value):
        return None
    return value


def parse_answer(question: Question, raw: Sequence[str], lang: Lang | None = None) -> tuple[Any, Msg | None]:
    """Turn posted strings into an answer: ``(value, None)``, ``(None, None)`` to clear it,
    ``(KEEP, None)`` when the form says nothing, or ``(KEEP, reason)`` when it is invalid."""
    values = [v for v in raw if "\x00" not in v]
    if question.type == "multi_choice":
        chosen = [v for v in values if v]
        if not chosen:
            return None, None
        value: Any = list(dict.fromkeys(chosen))
    else:
        if not values:
            return KEEP, None
        text = values[-1].strip()
        if text == "":
            return None, None
        if question.type == "bool":
            if text not in ("true", "false"):
                return KEEP, Msg(_("Choose yes or no."))
            value = text == "true"
        elif question.type in ("number", "money", "percentage"):
            value = _number(text, lang)
            if value is None and lang is None and looks_like_thousands(text.replace(",", ".")):
                digits = text.replace(".", "").replace(",", "")
                return KEEP, Msg(_("Write the number without thousands separators, for example %(n)s."), n=digits)
            if value is None:
                return KEEP, Msg(_("Enter a number such as %(example)s."), example=_NUMBER_EXAMPLES[lang or "en"])
        elif question.type == "date":
            try:
                value = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                return KEEP, Msg(_("Enter a date as YYYY-MM-DD."))
        else:
            value = text[:2000]
    reason = check_answer(question, value)
    if reason:
        if question.type in ("number", "money", "percentage"):
            low = question.min if question.min is not None else 0.0 if question.type != "number" else None
            high = question.max if question.max is not None else 100.0 if question.type == "percentage" else None
            if low is not None and value < low:
                return KEEP, Msg(_("The lowest allowed value is %(n)s."), n=f"{low:g}")
            if high is not None and value > high:
                return KEEP, Msg(_("The highest allowed value is %(n)s."), n=f"{high:g}")
        return KEEP, Msg(_("This answer is not one of the allowed choices."))
    return value, None


#: Example numbers in each language, for the error message.
_NUMBER_EXAMPLES: dict[Lang, str] = {"nl": "25.000 of 2,5", "en": "25,000 or 2.5"}


def save_topic(
    ctx: WebOrg, catalog: Catalog, shown: Sequence[str], form: Mapping[str, Sequence[str]], lang: Lang | None = None
) -> dict[str, Msg]:
    """Save every answer on the posted page that changed; return errors by question id (untranslated)."""
    questions = catalog.questionnaire.by_id()
    stored = {a.question_id: a.value for a in repo.answers(ctx.session, ctx.org)}
    errors: dict[str, Msg] = {}
    changed = False
    for qid in shown:
        question = questions.get(qid)
        if question is None:
            continue
        value, error = parse_answer(question, form.get(qid, ()), lang)
        if error:
            errors[qid] = error
            continue
        if value is KEEP or _same(stored.get(qid), value):
            continue
        if value is None:
            repo.delete_answer(ctx.session, ctx.org, qid)
            repo.audit(ctx.session, ctx.user, "answer.clear", org_id=ctx.org.id, target=qid, via="web")
        else:
            repo.save_answer(ctx.session, ctx.org, qid, value, ctx.user)
            repo.audit(
                ctx.session, ctx.user, "answer.save", org_id=ctx.org.id, target=qid, detail={"value": value}, via="web"
            )
        changed = True
    if changed:
        repo.touch(ctx.org)
    ctx.session.commit()
    return errors


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    return bool(old == new)


# --- the profile -----------------------------------------------------------------------------------

#: Profile fields on the web form, in order, with their input kind.
PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "text"),
    ("country", "text"),
    ("nace_code", "text"),
    ("activities", "activities"),
    ("employees", "number"),
    ("annual_turnover_eur", "money"),
    ("balance_sheet_total_eur", "money"),
    ("records_held", "number"),
    ("requested_limit_eur", "money"),
    ("requested_deductible_eur", "money"),
)


def parse_profile(
    current: Mapping[str, Any], form: Mapping[str, Sequence[str]], lang: Lang = "nl"
) -> tuple[dict[str, Any], dict[str, Msg]]:
    """The profile with each posted field applied where it is valid; errors by field (untranslated).

    Fields are checked one by one against the profile model, so one bad field keeps its old value
    without losing the others. Numbers are amounts as people write them in the user's language
    ("7.200.000" or "7,2 mln" in Dutch, "7,200,000" or "7.2 million" in English) and must lie in
    the bounds of docs/profile.md; the deductible may not exceed the requested limit.
    """
    updated: dict[str, Any] = dict(current)
    errors: dict[str, Msg] = {}
    for name, kind in PROFILE_FIELDS:
        raw = [v for v in form.get(name, ()) if "\x00" not in v]
        value: Any
        if kind == "activities":
            if "activities_shown" not in form:
                continue
            value = list(dict.fromkeys(v for v in raw if v))
        else:
            if not raw:
                continue
            text = raw[-1].strip()
            if text == "":
                updated.pop(name, None)
                continue
            if kind in ("number", "money"):
                value, error = profile_number(name, text, lang)
                if error is not None:
                    errors[name] = error
                    continue
            elif name == "country":
                value = text.upper()
            else:
                value = text[:200]
        try:
            checked = Organisation.model_validate({name: value})
        except ValidationError:
            errors[name] = Msg(_PROFILE_ERRORS.get(name, _("This value is not valid.")))
            continue
        # stored as the model reads it: the SBI code "6201" from a KvK extract becomes NACE "62.01"
        updated[name] = getattr(checked, name) if name == "nace_code" else value
    _deductible_within_limit(current, updated, errors)
    return updated, errors


#: An example amount in each language, for the error message.
_AMOUNT_EXAMPLES: dict[Lang, str] = {
    "nl": "7.200.000, 7,2 mln of € 8.000.000,00",
    "en": "7,200,000, 7.2 million or €8,000,000.00",
}


def profile_number(name: str, text: str, lang: Lang) -> tuple[float | int | None, Msg | None]:
    """A profile number typed by a person in ``lang``: the value, or why it is refused (untranslated)."""
    try:
        value = parse_amount(text, LOCALES[lang])
    except AmountError:
        return None, Msg(_("Enter an amount such as %(example)s."), example=_AMOUNT_EXAMPLES[lang])
    if name == "records_held" and isinstance(value, float):
        if not value.is_integer():
            return None, Msg(_("Enter a whole number, 0 or more."))
        value = int(value)
    if check_bound(name, value, as_written=True) is None:
        return value, None
    fmt = Formatter(lang)
    bound = PROFILE_BOUNDS[name]
    if not bound.low <= value <= bound.high:
        return None, Msg(
            _("Enter a value from %(low)s to %(high)s (see the explanation of the profile)."),
            low=fmt.number(bound.low),
            high=fmt.number(bound.high),
        )
    return None, Msg(_("Did you mean thousands? Enter the whole amount, such as %(n)s."), n=fmt.number(value * 1000))


def _deductible_within_limit(current: Mapping[str, Any], updated: dict[str, Any], errors: dict[str, Msg]) -> None:
    """Keep the old deductible when the new profile would have it above the requested limit."""
    limit, deductible = updated.get("requested_limit_eur"), updated.get("requested_deductible_eur")
    if not isinstance(limit, int | float) or not isinstance(deductible, int | float) or deductible <= limit:
        return
    errors["requested_deductible_eur"] = Msg(_("The deductible cannot be above the requested limit."))
    old = current.get("requested_deductible_eur")
    if isinstance(old, int | float) and old <= limit:
        updated["requested_deductible_eur"] = old
    else:
        updated.pop("requested_deductible_eur", None)


_PROFILE_ERRORS = {
    "country": _("Use a two-letter country code, such as NL or BE."),
    "nace_code": _("Use a NACE code such as 62.02, or the SBI code on your KvK extract, such as 6202 or 10711."),
    "records_held": _("Enter a whole number, 0 or more."),
    "requested_limit_eur": _("Enter an amount above 0."),
}


def missing_profile(profile: Mapping[str, Any]) -> list[str]:
    return [name for name in ASSESSMENT_FIELDS if profile.get(name) is None]
