"""A stored snapshot with absurd numbers still renders (issue 13, item 3).

Snapshots are immutable: one submitted before the input bounds existed (``employees: 1e308``, an
infinite figure) must not make its results page, HTML or PDF report answer 500 for every viewer.
The web's number formatting is total; these tests doctor a real snapshot in the database.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from insurable.store.models import Assessment
from insurable.web.i18n import Formatter
from tests.web.conftest import PROFILE, MakeAccount, csrf_of, login, new_org


def absurd(value: Any, huge: float) -> Any:
    """Every float in a JSON tree replaced by ``huge`` (ints and flags kept, so the result still parses)."""
    if isinstance(value, dict):
        return {k: absurd(v, huge) for k, v in value.items()}
    if isinstance(value, list):
        return [absurd(v, huge) for v in value]
    if isinstance(value, float):
        return huge
    return value


@pytest.mark.parametrize("huge", [1e308, math.inf])
def test_results_html_and_pdf_render_a_snapshot_with_absurd_numbers(
    web_app: FastAPI, web_engine: Engine, make_account: MakeAccount, huge: float
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    overview = client.get(f"/orgs/{org}")
    done = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    base = done.headers["location"]
    with Session(web_engine) as session:
        row = session.scalars(select(Assessment)).one()
        row.input = {**row.input, "employees": huge, "annual_turnover_eur": huge}
        row.result = absurd(row.result, huge)
        session.commit()
    results = client.get(base)
    assert results.status_code == 200, results.text[-2000:]
    assert "Oordeel" in results.text
    assert client.get(f"{base}/report.html").status_code == 200
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


numbers = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)


@given(numbers, st.sampled_from(["nl", "en"]))
def test_number_formatting_is_total(value: Any, lang: str) -> None:
    fmt = Formatter(lang)  # type: ignore[arg-type]
    for shown in (fmt.money(value), fmt.money(value, cents=True), fmt.money_short(value), fmt.number(value, 2)):
        assert isinstance(shown, str) and shown
    assert isinstance(fmt.percent(value), str)


def test_ordinary_numbers_keep_their_locale_format() -> None:
    assert Formatter("nl").money(1234567) == "€\u00a01.234.567"
    assert Formatter("en").number(1234567.891, 2) == "1,234,567.89"
    assert Formatter("nl").number(1e308) == "1.0e+308" and Formatter("nl").money(math.inf) == "–"
