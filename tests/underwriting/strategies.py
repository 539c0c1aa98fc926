"""Hypothesis strategies: valid organisations and answers drawn from the catalogue itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from insurable.catalog import Catalog
from insurable.catalog.questionnaire import Question
from insurable.profile import Organisation


def answer_for(q: Question) -> st.SearchStrategy[Any]:
    if q.type == "bool":
        return st.booleans()
    if q.type == "choice":
        return st.sampled_from(q.option_ids())
    if q.type == "multi_choice":
        return st.lists(st.sampled_from(q.option_ids()), unique=True, max_size=len(q.options))
    if q.type == "percentage":
        return st.integers(min_value=0, max_value=100)
    if q.type == "money":
        return st.integers(min_value=0, max_value=5_000_000)
    if q.type == "number":
        low = int(q.min) if q.min is not None else 0
        high = int(q.max) if q.max is not None else 10_000
        return st.integers(min_value=low, max_value=high)
    if q.type == "date":
        return st.dates(dt.date(2020, 1, 1), dt.date(2026, 11, 1)).map(dt.date.isoformat)
    return st.text(max_size=20)


@st.composite
def answers(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in catalog.questionnaire.questions:
        if draw(st.integers(0, 9)) < 8:  # most questions answered, some left blank
            out[q.id] = draw(answer_for(q))
    return out


@st.composite
def organisations(draw: st.DrawFn, catalog: Catalog) -> Organisation:
    activities = [a.id for a in catalog.vocabulary.activities]
    return Organisation(
        name="Hypothesis B.V.",
        country="NL",
        nace_code="62.02",
        activities=tuple(draw(st.lists(st.sampled_from(activities), unique=True, max_size=3))),
        employees=draw(st.integers(1, 5000)),
        annual_turnover_eur=draw(st.integers(100_000, 400_000_000)),
        balance_sheet_total_eur=draw(st.integers(0, 400_000_000)),
        records_held=draw(st.integers(0, 5_000_000)),
        requested_limit_eur=draw(st.sampled_from([250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000])),
        requested_deductible_eur=draw(st.sampled_from([0, 2_500, 10_000, 25_000, 100_000, 250_000])),
        answers=draw(answers(catalog)),
    )
