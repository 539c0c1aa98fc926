"""The broker's book (issue 12, item 9): per organisation the latest verdict, the indicative premium,
the renewal date and the open conditions (subjectivities) with their due dates.

A subjectivity says "within N days"; it falls due N days after the cover starts, which is the
renewal date when the questionnaire has one, else the day of the assessment (the earliest a
policy could start). Read from the stored snapshot and answers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from insurable.underwriting import Assessment

RENEWAL = "q.insurance.renewal_date"


def book_row(latest: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``premium``, ``renewal``, ``conditions`` (text, due date) and ``next_due`` for one organisation."""
    renewal = _date(answers.get(RENEWAL))
    out: dict[str, Any] = {"premium": None, "renewal": renewal, "conditions": [], "next_due": None}
    if latest is None:
        return out
    try:
        a = Assessment.model_validate(latest.result)
    except ValidationError:
        return out
    out["premium"] = a.premium.point_eur if a.premium else None
    start = renewal or latest.submitted_at.date()
    for r in a.subjectivities:
        due = start + dt.timedelta(days=r.days) if r.days is not None else None
        out["conditions"].append((r.text, due))
    dues = [due for _text, due in out["conditions"] if due is not None]
    out["next_due"] = min(dues) if dues else None
    return out


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None
