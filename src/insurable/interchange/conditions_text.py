"""A condition (skip logic) in words, for people who read a spreadsheet and not the YAML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from insurable.catalog.questionnaire import Question
from insurable.conditions import Condition
from insurable.text import Lang

_WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "all": " and ",
        "any": " or ",
        "not": "not ",
        "always": "always",
        "never": "never",
        "eq": "is",
        "ne": "is not",
        "in": "is one of",
        "gt": ">",
        "gte": ">=",
        "lt": "<",
        "lte": "<=",
        "contains": "includes",
        "answered": "is answered",
        "unanswered": "is not answered",
        "true": "yes",
        "false": "no",
    },
    "nl": {
        "all": " en ",
        "any": " of ",
        "not": "niet ",
        "always": "altijd",
        "never": "nooit",
        "eq": "is",
        "ne": "is niet",
        "in": "is een van",
        "gt": ">",
        "gte": ">=",
        "lt": "<",
        "lte": "<=",
        "contains": "bevat",
        "answered": "is beantwoord",
        "unanswered": "is niet beantwoord",
        "true": "ja",
        "false": "nee",
    },
}


def describe(cond: Condition, questions: Mapping[str, Question], lang: Lang) -> str:
    """``cond`` in words: the question ids and their text, the operator and the value."""
    words = _WORDS[lang]
    if cond.all is not None:
        return "(" + words["all"].join(describe(c, questions, lang) for c in cond.all) + ")"
    if cond.any is not None:
        return "(" + words["any"].join(describe(c, questions, lang) for c in cond.any) + ")"
    if cond.not_ is not None:
        return words["not"] + describe(cond.not_, questions, lang)
    if cond.always is not None:
        return words["always"] if cond.always else words["never"]
    if cond.q is not None:
        question = questions.get(cond.q)
        subject = f"{cond.q} ({question.text.get(lang)})" if question else cond.q
    else:
        subject = f"profile {cond.profile}"
    if cond.answered is not None:
        return f"{subject} {words['answered' if cond.answered else 'unanswered']}"
    for op in ("eq", "ne", "in_", "gt", "gte", "lt", "lte", "contains"):
        value = getattr(cond, op)
        if value is not None:
            return f"{subject} {words[op.rstrip('_')]} {_value(value, words)}"
    return subject  # pragma: no cover - the model requires an operator


def _value(value: Any, words: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return words["true" if value else "false"]
    if isinstance(value, tuple | list):
        return ", ".join(_value(v, words) for v in value)
    return str(value)
