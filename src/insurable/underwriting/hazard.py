"""The one hazard classification: which guideline hazard class an organisation falls in, and why.

Both the rating (:mod:`insurable.underwriting.engine`) and the loss model read the class from here,
so the two can never disagree. The class is the most hazardous one any classification rule of the
guideline assigns (rules read answers and profile fields such as NACE code and activities); with no
rule firing it is the guideline's default class.
"""

from __future__ import annotations

from insurable.catalog.guideline import ClassRule, GuidelineFile, HazardClass
from insurable.catalog.header import Source
from insurable.catalog.loader import Catalog
from insurable.conditions import evaluate, holds
from insurable.profile import Organisation
from insurable.underwriting.answers import EffectiveAnswers, effective_answers, profile_accessor
from insurable.underwriting.memo import per_object
from insurable.underwriting.model import FactOut, RuleOutcome, SourceRef


def source_refs(ids: tuple[str, ...], register: dict[str, Source]) -> tuple[SourceRef, ...]:
    """The register entries for ``ids`` (unknown ids are skipped; the catalogue check reports them)."""
    refs = []
    for sid in ids:
        src = register.get(sid)
        if src is not None:
            refs.append(SourceRef(id=src.id, title=src.title, url=src.url, tag=src.tag))
    return tuple(refs)


def _class_sources(rule: ClassRule, register: dict[str, Source]) -> tuple[SourceRef, ...]:
    return per_object(rule, "sources", lambda: source_refs(rule.sources, register))


def classify_hazard(
    org: Organisation,
    catalog: Catalog,
    guideline: GuidelineFile | None = None,
    answers: EffectiveAnswers | None = None,
) -> tuple[HazardClass, tuple[RuleOutcome, ...]]:
    """The hazard class of ``org`` under ``guideline`` (default: the catalogue's) and the rules that set it.

    The outcomes are sorted most hazardous class first; the first one decided the class.
    """
    g = guideline or catalog.guideline
    register = per_object(catalog, "sources", catalog.sources)
    values = (answers or effective_answers(org, catalog.questionnaire)).values
    read = profile_accessor(org)
    hazard = g.hazard_class(g.default_hazard_class)
    fired: list[tuple[int, RuleOutcome]] = []
    for cls in g.classification:
        if not holds(cls.when, values, read):
            continue
        outcome = evaluate(cls.when, values, read)
        candidate = g.hazard_class(cls.hazard_class)
        fired.append(
            (
                candidate.rank,
                RuleOutcome(
                    rule_id=cls.id,
                    effect="hazard_class",
                    text=cls.reason,
                    facts=tuple(
                        FactOut(kind="answer" if f.kind == "answer" else "profile", id=f.id, value=f.value)
                        for f in outcome.facts
                    ),
                    sources=_class_sources(cls, register),
                ),
            )
        )
        if candidate.rank > hazard.rank:
            hazard = candidate
    fired.sort(key=lambda pair: -pair[0])
    return hazard, tuple(outcome for _, outcome in fired)
