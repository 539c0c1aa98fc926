"""Shared paths and builders for the offer tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OFFERS = ROOT / "examples" / "offers"
MSP = ROOT / "examples" / "dutch-msp.yaml"
HOSPITAL = ROOT / "examples" / "hospital.yaml"
EXAMPLE_OFFERS = sorted(OFFERS.glob("*.yaml"))

ALL_COVERAGES = (
    "cov.incident_response",
    "cov.data_restoration",
    "cov.business_interruption",
    "cov.contingent_bi",
    "cov.extortion",
    "cov.financial_fraud",
    "cov.liability",
    "cov.regulatory",
)


def offer_data(**changes: Any) -> dict[str, Any]:
    """A minimal valid offer covering everything, with ``changes`` on top."""
    data: dict[str, Any] = {
        "id": "test-offer",
        "insurer": "Test Verzekeringen N.V.",
        "product": "Test Cyber",
        "limit_eur": 1_000_000,
        "deductible_eur": 10_000,
        "coverages": [{"coverage": c} for c in ALL_COVERAGES],
        "premium": {"net_eur": 5000},
    }
    data.update(changes)
    return data
