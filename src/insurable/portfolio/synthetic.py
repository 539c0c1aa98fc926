"""Reproducible fictional books: a broker's clients as organisation profiles (through the real loss
model), and a large synthetic book straight into arrays (for the benchmark). Pure and seeded."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from insurable.lossmodel.severity import Spliced
from insurable.portfolio.book import Book
from insurable.portfolio.catalog import SystemicFile

__all__ = ["VENDOR_SHARES", "fictional_clients", "synthetic_book"]

#: Share of clients per answer, per vendor category (our assumption for a Dutch SME book).
VENDOR_SHARES: dict[str, dict[str, float]] = {
    "cloud": {"microsoft_azure": 0.45, "aws": 0.2, "google_cloud": 0.08, "other_cloud": 0.07, "own_servers": 0.2},
    "vpn": {
        "fortinet": 0.22,
        "cisco_asa": 0.12,
        "sonicwall": 0.08,
        "palo_alto": 0.06,
        "ivanti_pulse": 0.04,
        "citrix": 0.04,
        "other_vpn": 0.04,
        "": 0.4,
    },
    "edr": {"microsoft_defender": 0.5, "crowdstrike": 0.12, "sentinelone": 0.1, "sophos": 0.13, "": 0.15},
    "email": {"microsoft_365": 0.75, "google_workspace": 0.13, "own_mail_server": 0.08, "other_email": 0.04},
}
QUESTIONS = {
    "cloud": "q.vendor.cloud_provider",
    "msp": "q.vendor.msp",
    "vpn": "q.vendor.remote_access",
    "edr": "q.vendor.edr",
    "email": "q.vendor.email",
}
NACE = ("62.01", "62.02", "69.10", "69.20", "71.11", "46.90", "47.91", "56.10", "86.23", "41.20", "25.62", "73.11")
LIMITS = (250_000, 500_000, 1_000_000, 2_000_000)
DEDUCTIBLES = (2_500, 5_000, 10_000, 25_000)


def _pick(rng: np.random.Generator, shares: dict[str, float], n: int) -> list[str]:
    keys = list(shares)
    p = np.array([shares[k] for k in keys])
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def _msps(rng: np.random.Generator, n: int) -> list[str]:
    """70 % of clients have an MSP; MSP sizes are Zipf-like (a few MSPs serve many clients)."""
    n_msp = max(3, n // 25)
    weights = 1.0 / np.arange(1, n_msp + 1) ** 1.1
    has = rng.random(n) < 0.7
    which = rng.choice(n_msp, size=n, p=weights / weights.sum())
    return [f"MSP {w + 1:03d} B.V." if h else "" for h, w in zip(has, which, strict=True)]


def fictional_clients(n: int, seed: int = 500) -> list[dict[str, Any]]:
    """``n`` fictional Dutch SME clients of a broker as organisation documents (the YAML an
    organisation file holds), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    turnover = np.clip(np.exp(rng.normal(math.log(4e6), 1.1, n)), 2e5, 2e8)
    employees = np.clip(np.round(turnover / rng.uniform(8e4, 2.5e5, n)), 1, 2000)
    vendors = {c: _pick(rng, s, n) for c, s in VENDOR_SHARES.items()} | {"msp": _msps(rng, n)}
    limit = rng.choice(LIMITS, size=n, p=(0.2, 0.35, 0.35, 0.1))
    deductible = rng.choice(DEDUCTIBLES, size=n)
    nace = rng.choice(len(NACE), size=n)
    docs = []
    for i in range(n):
        answers = {QUESTIONS[c]: vendors[c][i] for c in QUESTIONS if vendors[c][i]}
        docs.append(
            {
                "name": f"Client {i + 1:04d} B.V.",
                "country": "NL",
                "nace_code": NACE[nace[i]],
                "employees": int(employees[i]),
                "annual_turnover_eur": round(float(turnover[i]), -3),
                "requested_limit_eur": int(limit[i]),
                "requested_deductible_eur": int(deductible[i]),
                "answers": answers,
            }
        )
    return docs


def synthetic_book(n: int, systemic: SystemicFile, seed: int = 17) -> Book:
    """A large synthetic book straight into arrays (no profiles): the benchmark's 10^5 insureds.
    Frequencies and severities follow the loss model's order of magnitude for Dutch SMEs
    (docs/portfolio.md); terms are the catalogue's default wording (BI waiting period 8 h replacing
    the deductible, indemnity 180 days; contingent BI 12 h, sublimit EUR 250k)."""
    rng = np.random.default_rng(seed)
    turnover = np.clip(np.exp(rng.normal(math.log(4e6), 1.1, n)), 2e5, 2e8)
    freq = np.clip(0.02 + 0.01 * np.log10(turnover / 1e6), 0.005, 0.2) * rng.uniform(0.5, 1.5, n)
    sigma = np.full(n, 1.7)
    # the own event's severity as the loss model's perils have it: a Pareto tail above the body's 90th
    # percentile (shape 0.5, perils.yaml); ``tail`` is its unit-scale form, mu matches the mean
    tail = Spliced.from_quantile(0.0, 1.7, 0.9, 0.5)
    mean = 60_000 * (turnover / 4e6) ** 0.5
    rate = turnover * 0.4 / 8760
    vendors = {c: _pick(rng, s, n) for c, s in VENDOR_SHARES.items()} | {"msp": _msps(rng, n)}
    limit = rng.choice(LIMITS, size=n, p=(0.2, 0.35, 0.35, 0.1)).astype(np.float64)
    two = np.ones((2, n))
    columns: dict[str, tuple[str | None, ...]] = {}
    for cat in systemic.categories:
        column = vendors.get(cat.id, [""] * n)
        columns[cat.id] = tuple(None if v in ("", *cat.not_shared) else v.casefold() for v in column)
    return Book(
        ids=tuple(f"S{i:06d}" for i in range(n)),
        names=tuple(f"Synthetic {i:06d}" for i in range(n)),
        freq=freq,
        mu=np.log(mean) - math.log(tail.mean()),
        sigma=sigma,
        tail_z=np.full(n, tail.z_t),
        tail_xi=np.full(n, tail.xi),
        comp_mu=np.log(25_000 * (turnover / 4e6) ** 0.4),
        comp_sigma=np.full(n, 2.0),
        comp_tail_z=np.full(n, tail.z_t),  # the ransomware peril's: above its 90th percentile, shape 0.8
        comp_tail_xi=np.full(n, 0.8),
        down_mu=np.full(n, math.log(96.0)),
        down_sigma=np.full(n, 1.1),
        rate=rate,
        deductible=rng.choice(DEDUCTIBLES, size=n).astype(np.float64),
        occurrence_limit=limit,
        aggregate_limit=limit.copy(),
        other_share=np.ones(n),
        wait=np.vstack([np.full(n, 8.0), np.full(n, 12.0)]),
        indemnity=np.full((2, n), 180 * 24.0),
        bi_share=two.copy(),
        sublimit=np.vstack([np.full(n, math.inf), np.full(n, 250_000.0)]),
        bi_deductible=np.zeros((2, n)),
        vendors=columns,
    )
