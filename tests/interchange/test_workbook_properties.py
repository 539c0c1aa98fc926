"""Property: any valid set of answers survives export to a workbook and import unchanged (numbers to the
15 significant digits an .xlsx cell keeps)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurable.catalog.loader import load_catalog
from insurable.catalog.questionnaire import Question, check_answer
from insurable.interchange.questionnaire_xlsx import export_workbook, read_workbook
from insurable.profile import Organisation

CATALOG = load_catalog()
QUESTIONS = CATALOG.questionnaire.questions


def _answer(q: Question) -> st.SearchStrategy[Any]:
    if q.type == "bool":
        return st.sampled_from([True, False, *q.accepts])
    if q.type == "choice":
        return st.sampled_from(q.option_ids())
    if q.type == "multi_choice":
        others = [o for o in q.option_ids() if o != "none"]
        return st.lists(st.sampled_from(others), min_size=1, unique=True) | st.just(["none"])
    if q.type in ("number", "money", "percentage"):
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else (100 if q.type == "percentage" else 1e9)
        # An .xlsx number keeps 15 significant digits (as Excel does): that is the format's precision.
        floats = st.floats(low, high, allow_nan=False, allow_infinity=False).map(lambda x: float(f"{x:.15g}"))
        return st.integers(int(low), int(high)) | floats.filter(lambda x: low <= x <= high)
    if q.type == "date":
        return st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
    text = st.text(st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\u2028\u2029"), min_size=1)
    return text.map(str.strip).filter(bool)


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(QUESTIONS), max_size=25, unique_by=lambda q: q.id))
    out = {q.id: draw(_answer(q)) for q in chosen}
    return {qid: v for qid, v in out.items() if check_answer(CATALOG.questionnaire.by_id()[qid], v) is None}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_answers=answers(), lang=st.sampled_from(["nl", "en"]))
def test_answers_round_trip(tmp_path: Path, given_answers: dict[str, Any], lang: str) -> None:
    org = Organisation(name="Proef B.V.", country="NL", employees=12, answers=given_answers)
    path = tmp_path / "p.xlsx"
    path.write_bytes(export_workbook(org, CATALOG, lang))  # type: ignore[arg-type]
    data = read_workbook(path, CATALOG)
    assert data["answers"] == given_answers
    assert Organisation.model_validate(data) == org
