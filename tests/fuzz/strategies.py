"""Hypothesis strategies for organisation files: the example organisation with fields and answers
replaced by wild values (any float, huge integers, amounts as text in any locale, YAML 1.1 words,
impossible dates, wrong types) and unknown keys added."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

from insurable.catalog import load_catalog
from insurable.profile import Organisation
from tests.fuzz.harness import example_text

EXAMPLE: dict[str, Any] = yaml.safe_load(example_text())
PROFILE_FIELDS = sorted(set(Organisation.model_fields) - {"answers"})
QUESTION_IDS = sorted(load_catalog().questionnaire.by_id())

digits = st.integers(min_value=0, max_value=10**13).map(str)
amount_text = st.one_of(
    st.builds(
        lambda n, sep, dec, scale, euro: f"{euro}{n:,}".replace(",", sep) + dec + scale,
        st.integers(min_value=0, max_value=10**12),
        st.sampled_from([",", ".", " ", "'"]),
        st.sampled_from(["", ",00", ".00", ",5", ".5"]),
        st.sampled_from(["", " mln", " k", " million", " mrd", " zeppelins"]),
        st.sampled_from(["", "€ ", "EUR ", "€"]),
    ),
    digits,
    st.from_regex(r"\A[0-9.,]{1,12}\Z"),
)
wild = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    amount_text,
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(["none", "health", "msp", "x"]), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates().map(str),
)
#: Raw YAML scalars that YAML itself would misread.
raw_scalars = st.sampled_from(["NO", "Yes", "on", "off", "2025-02-30", "7.200", "2.500", ".inf", ".nan", "1e30", "~"])


@st.composite
def organisation_files(draw: st.DrawFn) -> str:
    """The text of an organisation file, most of it plausible, some of it wild."""
    data: dict[str, Any] = {k: v for k, v in EXAMPLE.items() if k != "answers"}
    answers = dict(EXAMPLE.get("answers") or {})
    for name in draw(st.lists(st.sampled_from(PROFILE_FIELDS), max_size=4, unique=True)):
        data[name] = draw(wild)
    for qid in draw(st.lists(st.sampled_from(QUESTION_IDS), max_size=4, unique=True)):
        answers[qid] = draw(wild)
    for key in draw(st.lists(st.text(min_size=1, max_size=8), max_size=3)):
        data.setdefault(key, draw(wild))
    data["answers"] = answers
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    raw = draw(st.lists(st.tuples(st.sampled_from(PROFILE_FIELDS), raw_scalars), max_size=2))
    lines = [line for line in text.splitlines() if not any(line.startswith(f"{name}:") for name, _ in raw)]
    return "\n".join([*(f"{name}: {value}" for name, value in raw), *lines]) + "\n"
