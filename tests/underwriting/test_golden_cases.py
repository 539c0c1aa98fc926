"""Golden validation cases: every example organisation and every folder in tests/cases/ is assessed
and its decisions compared with the reviewed expectation. Regenerate with INSURABLE_REGEN=1 and
review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from insurable.assessment import assess
from insurable.profile import load_organisation

HERE = Path(__file__).resolve().parents[1]
CASES = HERE / "cases"
EXAMPLES = HERE.parent / "examples"


def _inputs() -> list[tuple[str, Path, Path]]:
    found = [(p.stem, p, CASES / f"{p.stem}.expected.json") for p in sorted(EXAMPLES.glob("*.yaml"))]
    found += [(d.name, d / "input.yaml", d / "expected.json") for d in sorted(CASES.iterdir()) if d.is_dir()]
    return found


def decisions(result: Any) -> dict[str, Any]:
    """The parts of an assessment a reviewer signs off: decisions, figures and the plan's ranking."""
    return {
        "verdict": result.verdict,
        "hazard_class": result.hazard_class,
        "premium": None if result.premium is None else result.premium.model_dump(),
        "deductible_eur": result.deductible_eur,
        "max_limit_eur": result.max_limit_eur,
        "limit_offered_eur": result.limit_offered_eur,
        "tower_insurers": result.tower_insurers,
        "declines": [r.rule_id for r in result.declines],
        "referrals": [r.rule_id for r in result.referrals],
        "exclusions": [r.rule_id for r in result.exclusions],
        "sublimits": {r.rule_id: r.amount_eur for r in result.sublimits},
        "subjectivities": {r.rule_id: r.days for r in result.subjectivities},
        "deductible_rules": [r.rule_id for r in result.deductible_rules],
        "capacity_rules": [r.rule_id for r in result.capacity_rules],
        "modifiers": [r.rule_id for r in result.modifiers],
        "nis2": None if result.nis2 is None else {k: result.nis2.get(k) for k in ("classification", "size_category")},
        "missing_required": [m.question_id for m in result.missing if m.required],
        "policy_terms": {r.rule_id: [r.coverage, r.hours, r.days, r.factor, r.amount_eur] for r in result.policy_terms},
        "path": [
            {
                "control": step.control_id,
                "verdict_after": step.verdict_after,
                "premium_after_eur": step.premium_after_eur,
                "deductible_after_eur": step.deductible_after_eur,
                "limit_after_eur": step.limit_after_eur,
                "lifted": [r.rule_id for r in step.lifted],
            }
            for step in result.path
        ],
        "blockers": {b.outcome.rule_id: b.kind for b in result.blockers},
        "plan": [
            {
                "control": item.control_id,
                "verdict_after": item.verdict_after,
                "premium_delta_eur": item.premium_delta_eur,
                "deductible_after_eur": item.deductible_after_eur,
                "limit_after_eur": item.limit_after_eur,
            }
            for item in result.plan
        ],
    }


@pytest.mark.parametrize(("name", "source", "expected"), _inputs(), ids=[n for n, _, _ in _inputs()])
def test_case(name, source, expected, catalog):
    got = decisions(assess(load_organisation(source), catalog, loss_trials=None))
    if os.environ.get("INSURABLE_REGEN"):
        expected.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected.exists(), f"no expectation for {name}; run with INSURABLE_REGEN=1 and review it"
    assert got == json.loads(expected.read_text(encoding="utf-8"))
