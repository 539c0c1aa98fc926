"""Re-reading only the changed answers gives exactly the full reading (the fix-path's candidate passes)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurable.catalog import load_catalog
from insurable.profile import Organisation
from insurable.underwriting.answers import effective_answers, effective_answers_after, with_control_in_place
from insurable.underwriting.engine import _changed_questions
from tests.underwriting.strategies import answer_for, organisations

CATALOG = load_catalog()
QN = CATALOG.questionnaire
SPECIAL = ("unknown", "not_applicable", None)


@st.composite
def edits(draw: st.DrawFn) -> dict[str, Any]:
    """A few answers changed, blanked, set to "don't know"/"not applicable", or retired questions set."""
    questions = [*QN.questions, *QN.retired]
    out: dict[str, Any] = {}
    for q in draw(st.lists(st.sampled_from(questions), max_size=6, unique_by=lambda q: q.id)):
        out[q.id] = draw(st.one_of(answer_for(q), st.sampled_from(SPECIAL)))
    return out


def _apply(org: Organisation, change: dict[str, Any]) -> Organisation:
    answers = {k: v for k, v in {**org.answers, **change}.items() if v is not None}
    return org.with_answers(answers)


def _check(before: Organisation, after: Organisation) -> None:
    previous = effective_answers(before, QN)
    full = effective_answers(after, QN)
    fast, changed = effective_answers_after(after, QN, previous, before.answers)
    assert fast == full
    assert changed == _changed_questions(previous, full)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG), change=edits())
def test_incremental_reading_equals_the_full_reading(org, change):
    _check(org, _apply(org, change))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG), control=st.sampled_from([c.id for c in CATALOG.controls.controls]))
def test_a_control_put_in_place_reads_the_same_either_way(org, control):
    _check(org, org.with_answers(with_control_in_place(org.answers, QN, control)))


def test_skip_logic_follows_a_changed_gate():
    """A question whose show_if reads a changed answer is re-read (visible or hidden), in order."""
    gated = [q for q in QN.questions if q.show_if is not None and q.show_if.question_ids()]
    assert gated, "the questionnaire has skip logic"
    q = gated[0]
    gate = sorted(q.show_if.question_ids())[0]
    base = Organisation.model_validate(
        {
            "name": "Gate B.V.",
            "country": "NL",
            "nace_code": "62.02",
            "employees": 10,
            "annual_turnover_eur": 1_000_000,
            "balance_sheet_total_eur": 500_000,
            "records_held": 1_000,
            "requested_limit_eur": 1_000_000,
            "requested_deductible_eur": 5_000,
            "answers": {},
        }
    )
    gate_q = next(x for x in QN.questions if x.id == gate)
    for value in (True, False, "unknown", "not_applicable") if gate_q.type == "bool" else ("unknown",):
        _check(base, _apply(base, {gate: value}))
        _check(_apply(base, {gate: value}), base)
