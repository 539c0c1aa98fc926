"""Technical and factor premium agree within the documented band for every example
(docs/lossmodel.md, "Two premiums that agree"), and the reasons table names the factors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from insurable.assessment import assess
from insurable.cli.simulate_cmd import AGREEMENT_BAND
from insurable.intake import read_organisation
from insurable.lossmodel.premium import explain_gap
from insurable.lossmodel.section import simulate_assessment

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def factor_price(assessment) -> float:
    """The factor premium, or for a declined risk the price the rating tables would give."""
    if assessment.premium is not None:
        return float(assessment.premium.point_eur)
    steps = {s.name: s.value for s in assessment.rating}
    raw = math.prod(
        steps[k] for k in ("base", "hazard_factor", "control_modifiers", "limit_factor", "deductible_factor")
    )
    return max(raw, steps["minimum_premium"])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_technical_and_factor_premium_agree_within_the_band(catalog, path):
    org = read_organisation(path, catalog, (), True)
    assessment = assess(org, catalog, loss_trials=None, with_plan=False)
    report = simulate_assessment(org, catalog, assessment, trials=200_000)
    technical = report.requested_limit_premium()
    assert technical is not None
    ratio = technical / factor_price(assessment)
    lo, hi = AGREEMENT_BAND
    assert lo <= ratio <= hi, f"{path.stem}: technical / factor = {ratio:.2f}"
    reasons = explain_gap(org, catalog, assessment, report, trials=50_000, seed=1)
    assert {r["factor"] for r in reasons} >= {"hazard_class", "controls_and_exposures", "limit"}
    assert all(r["model"] > 0 and r["rating"] > 0 for r in reasons)
