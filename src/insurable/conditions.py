"""Structured rule conditions: ``all`` / ``any`` / ``not`` over answer and profile predicates.

Conditions are data, never ``eval``. Evaluating one returns the result *and* the facts that decided
it, so every outcome can name the answers behind it, and the what-if plan can tell which answers a
rule depends on.

YAML forms::

    {all: [C, ...]}   {any: [C, ...]}   {not: C}   {always: true}
    {q: q.mfa.remote_access, eq: false}           # answer predicate
    {profile: annual_turnover_eur, gt: 5000000}   # profile predicate
    {profile: activities, contains: msp}
    {finding: exp.rdp_exposed, eq: true}          # observed evidence (an outside-in scan)

Operators: ``eq``, ``ne``, ``in``, ``gt``, ``gte``, ``lt``, ``lte``, ``contains`` (multi-choice
answers and list-valued profile fields) and ``answered`` (true/false). A comparison on an
unanswered question is false, except ``ne`` and ``answered: false``, which are true.

A ``finding`` predicate reads observed evidence (check id -> observed value, see
:mod:`insurable.evidence`) the way ``q`` reads an answer: a check that did not run is unanswered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen

Scalar = bool | int | float | str

_OPERATORS = ("eq", "ne", "in_", "gt", "gte", "lt", "lte", "contains", "answered")


class Condition(Frozen):
    """One node of a condition tree (see the module docstring for the YAML forms)."""

    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    always: bool | None = None
    q: str | None = Field(default=None, description="question id")
    profile: str | None = Field(default=None, description="profile field name")
    finding: str | None = Field(default=None, description="exposure check id (observed evidence)")
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    contains: str | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [
            name
            for name in ("all", "any", "not_", "always", "q", "profile", "finding")
            if getattr(self, name) is not None
        ]
        if len(forms) != 1:
            raise ValueError("a condition needs exactly one of all, any, not, always, q, profile or finding")
        ops = [op for op in _OPERATORS if getattr(self, op) is not None]
        if forms[0] in ("q", "profile", "finding"):
            if len(ops) != 1:
                raise ValueError(f"a {forms[0]} predicate needs exactly one operator of {_op_names()}")
        elif ops:
            raise ValueError(f"operator {ops[0].rstrip('_')} is only allowed beside q, profile or finding")
        if forms[0] in ("all", "any") and not getattr(self, forms[0]):
            raise ValueError(f"{forms[0]} needs at least one condition")
        return self

    def walk(self) -> Iterator[Condition]:
        """Yield this node and every node below it."""
        yield self
        for child in (*(self.all or ()), *(self.any or ()), *((self.not_,) if self.not_ else ())):
            yield from child.walk()

    def question_ids(self) -> set[str]:
        """Every question id this condition reads."""
        return {node.q for node in self.walk() if node.q is not None}

    def profile_fields(self) -> set[str]:
        """Every profile field this condition reads."""
        return {node.profile for node in self.walk() if node.profile is not None}

    def finding_ids(self) -> set[str]:
        """Every exposure check id this condition reads."""
        return {node.finding for node in self.walk() if node.finding is not None}


def _op_names() -> str:
    return ", ".join(op.rstrip("_") for op in _OPERATORS)


@dataclass(frozen=True)
class Fact:
    """A value a condition read: an answer (``kind='answer'``), a profile field or a finding."""

    kind: str
    id: str
    value: Any


@dataclass(frozen=True)
class Outcome:
    """The result of evaluating a condition and the facts that decided it."""

    value: bool
    facts: tuple[Fact, ...]


MISSING: Any = object()


def evaluate(
    cond: Condition,
    answers: Mapping[str, Any],
    profile: Callable[[str], Any],
    findings: Mapping[str, Any] | None = None,
) -> Outcome:
    """Evaluate ``cond`` against answers, a profile accessor and (optionally) observed findings.

    Return the result and the facts that decided it.
    """
    if cond.all is not None:
        results = [evaluate(c, answers, profile, findings) for c in cond.all]
        failing = [r for r in results if not r.value]
        if failing:
            return Outcome(False, _facts(failing))
        return Outcome(True, _facts(results))
    if cond.any is not None:
        results = [evaluate(c, answers, profile, findings) for c in cond.any]
        passing = [r for r in results if r.value]
        if passing:
            return Outcome(True, _facts(passing))
        return Outcome(False, _facts(results))
    if cond.not_ is not None:
        inner = evaluate(cond.not_, answers, profile, findings)
        return Outcome(not inner.value, inner.facts)
    if cond.always is not None:
        return Outcome(cond.always, ())
    if cond.q is not None:
        value = answers.get(cond.q, MISSING)
        fact = Fact("answer", cond.q, None if value is MISSING else value)
        return Outcome(_compare(cond, value), (fact,))
    if cond.finding is not None:
        observed = (findings or {}).get(cond.finding, MISSING)
        fact = Fact("finding", cond.finding, None if observed is MISSING else observed)
        return Outcome(_compare(cond, observed), (fact,))
    assert cond.profile is not None
    value = profile(cond.profile)
    return Outcome(_compare(cond, MISSING if value is None else value), (Fact("profile", cond.profile, value),))


def _facts(results: list[Outcome]) -> tuple[Fact, ...]:
    seen: dict[tuple[str, str], Fact] = {}
    for result in results:
        for fact in result.facts:
            seen.setdefault((fact.kind, fact.id), fact)
    return tuple(seen.values())


def _compare(cond: Condition, value: Any) -> bool:
    if cond.answered is not None:
        return (value is not MISSING) == cond.answered
    if value is MISSING:
        return cond.ne is not None
    if cond.eq is not None:
        return bool(_same(value, cond.eq))
    if cond.ne is not None:
        return not _same(value, cond.ne)
    if cond.in_ is not None:
        return any(_same(value, option) for option in cond.in_)
    if cond.contains is not None:
        return isinstance(value, list | tuple | set | frozenset) and cond.contains in value
    number = _number(value)
    if number is None:
        return False
    if cond.gt is not None:
        return number > cond.gt
    if cond.gte is not None:
        return number >= cond.gte
    if cond.lt is not None:
        return number < cond.lt
    assert cond.lte is not None
    return number <= cond.lte


def _same(value: Any, expected: Scalar) -> bool:
    # bool is an int in Python: keep true/1 and false/0 apart.
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    return bool(value == expected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def holds(
    cond: Condition,
    answers: Mapping[str, Any],
    profile: Callable[[str], Any],
    findings: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``cond`` holds, without collecting facts: the same truth as :func:`evaluate`, cheaper.

    The underwriting engine asks this of every rule on every pass (the fix-path makes hundreds) and
    calls :func:`evaluate` only for the rules that fire, whose facts it reports. Forms this function
    does not know are handed to :func:`evaluate`.
    """
    if cond.all is not None:
        return all(holds(c, answers, profile, findings) for c in cond.all)
    if cond.any is not None:
        return any(holds(c, answers, profile, findings) for c in cond.any)
    if cond.not_ is not None:
        return not holds(cond.not_, answers, profile, findings)
    if cond.always is not None:
        return cond.always
    if cond.q is not None:
        return _compare(cond, answers.get(cond.q, MISSING))
    if cond.profile is not None:
        value = profile(cond.profile)
        return _compare(cond, MISSING if value is None else value)
    return evaluate(cond, answers, profile, findings).value
