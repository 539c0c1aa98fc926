"""Amounts as people write them and the plausibility bounds of the profile (issue 13, items 1, 2, 4, 5)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insurable.amounts import ANSWER_NUMBER_CEILING, PROFILE_BOUNDS, AmountError, check_bound, parse_amount
from insurable.catalog.questionnaire import check_answer
from insurable.errors import InputError
from insurable.profile import NUMBER_FIELDS, Organisation, parse_organisation


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("7.200.000", None, 7_200_000),
        ("7,2 mln", None, 7_200_000),
        ("€ 8.000.000,00", None, 8_000_000),
        ("7.2 million", None, 7_200_000),
        ("EUR 250k", None, 250_000),
        ("2,5 mrd", None, 2_500_000_000),
        ("7 200 000", None, 7_200_000),
        ("7200000", None, 7_200_000),
        ("7.200", "nl", 7200),
        ("7.200", "en", 7.2),
        ("1,500", "en", 1500),
        ("1.234,56", "nl", 1234.56),
        ("1e30", None, 1e30),
    ],
)
def test_amounts_as_people_write_them(text, locale, expected):
    assert parse_amount(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("7.200", "ambiguous: it reads as 7200 (nl), 7.2 (en)"),
        ("1,500", "ambiguous"),
        ("abc", "is not an amount"),
        ("12 zeppelins", "unknown unit"),
        ("", "is not an amount"),
    ],
)
def test_amounts_refused_with_what_to_write(text, says):
    with pytest.raises(AmountError, match=re.escape(says)):
        parse_amount(text)


def test_a_locale_settles_the_ambiguity_in_the_file_and_from_the_caller():
    org = parse_organisation({"locale": "nl", "annual_turnover_eur": "7.200", "requested_deductible_eur": "2.500"})
    assert org.annual_turnover_eur == 7200 and org.requested_deductible_eur == 2500
    org = parse_organisation({"annual_turnover_eur": "1,500"}, locale="en")
    assert org.annual_turnover_eur == 1500
    with pytest.raises(InputError, match="locale: 'xx' is not a known locale"):
        parse_organisation({"locale": "xx"})


def problems(data):
    with pytest.raises(InputError) as err:
        parse_organisation(data)
    return {p.path: p.reason for p in err.value.problems}


def test_item_1_absurd_limits_are_refused_before_any_computation():
    found = problems({"requested_limit_eur": 1e30})
    assert "outside the plausible range 10000 to 1000000000" in found["requested_limit_eur"]
    assert "requested_limit_eur" in problems({"requested_limit_eur": 1e308})
    assert "requested_limit_eur" in problems({"requested_limit_eur": 1e10})


def test_item_2_infinite_and_nan_are_refused():
    found = problems({"annual_turnover_eur": math.inf, "employees": math.nan, "balance_sheet_total_eur": -math.inf})
    assert set(found) == {"annual_turnover_eur", "employees", "balance_sheet_total_eur"}
    assert "not a finite number" in found["annual_turnover_eur"]


def test_item_4_dutch_thousands_as_floats_are_refused_with_what_to_write():
    found = problems({"annual_turnover_eur": 7.2, "requested_deductible_eur": 2.5})
    assert 'write 7200, or "7.200" in quotes with locale: nl' in found["annual_turnover_eur"]
    assert "write 2500" in found["requested_deductible_eur"]
    # built in code (not written by a person) the same value is only bounded, not second-guessed
    assert Organisation(annual_turnover_eur=7.2).annual_turnover_eur == 7.2


def test_item_5_nonsense_profiles_are_refused():
    found = problems({"requested_limit_eur": 1_000_000, "requested_deductible_eur": 5_000_000})
    assert "above the requested limit" in found["requested_deductible_eur"]
    assert "requested_limit_eur" in problems({"requested_limit_eur": 0.01})
    assert "plausible range 0 to 1000000000000" in problems({"annual_turnover_eur": 1e30})["annual_turnover_eur"]
    assert "true/false" in problems({"employees": True})["employees"]


def test_group_enterprises_are_bounded_too():
    found = problems(
        {
            "group": [
                {
                    "relation": "linked",
                    "share": 1,
                    "employees": 1e30,
                    "annual_turnover_eur": 1,
                    "balance_sheet_total_eur": 1,
                }
            ]
        }
    )
    assert "group[0].employees" in found


def test_item_5_answers_none_with_others_and_unbounded_numbers(catalog):
    questions = catalog.questionnaire.by_id()
    multi = next(q for q in questions.values() if q.type == "multi_choice" and "none" in q.option_ids())
    other = next(o for o in multi.option_ids() if o != "none")
    assert "cannot be combined" in (check_answer(multi, ["none", other]) or "")
    assert check_answer(multi, ["none"]) is None
    money = questions["q.hist.incident_cost_eur"]
    assert "above the maximum" in (check_answer(money, 1e30) or "")
    assert check_answer(money, math.inf) == "expected a number"


@given(st.sampled_from(NUMBER_FIELDS), st.floats(allow_nan=True, allow_infinity=True))
def test_bounds_hold_for_every_float(name, value):
    """Whatever float a person writes, the model either refuses it or holds a finite value in bounds."""
    try:
        org = parse_organisation({name: value})
    except InputError as err:
        assert all(p.path == name for p in err.problems)
        return
    kept = getattr(org, name)
    bound = PROFILE_BOUNDS[name]
    assert math.isfinite(kept) and bound.low <= kept <= bound.high


@given(st.sampled_from(sorted(PROFILE_BOUNDS)), st.floats(min_value=0, max_value=1e7))
def test_check_bound_agrees_with_the_table(name, value):
    bound = PROFILE_BOUNDS[name]
    assert (check_bound(name, value) is None) == (bound.low <= value <= bound.high)


def test_docs_list_the_bounds_as_the_code_has_them():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "profile.md").read_text(encoding="utf-8")

    def shown(value: float) -> str:
        return f"{int(value):,}"

    for name, bound in PROFILE_BOUNDS.items():
        row = f"| `{name}` | {shown(bound.low)} | {shown(bound.high)} | {bound.unit} | {bound.why} |"
        assert row in doc, row
    assert f"at most\n{shown(ANSWER_NUMBER_CEILING)}" in doc or f"at most {shown(ANSWER_NUMBER_CEILING)}" in doc
