"""Quantified cyber loss: Monte Carlo per peril, policy terms per coverage, retained vs insured loss.

Public API (docs/lossmodel.md):

- :func:`simulate_organisation` - an organisation profile against the catalogue perils;
- :func:`simulate_scenario` / :func:`load_scenario` - an analyst's FAIR-style scenario file;
- :class:`LossReport` (frozen, JSON-serialisable; ``summary()`` for embedding) and :func:`lec_svg`.

The kernels (:mod:`.kernel_reference`, the NumPy oracle, and :mod:`.kernel_fast`, numba) and the
engine (:func:`.engine.simulate`) are pure and seeded.
"""

from insurable.lossmodel.chart import lec_svg
from insurable.lossmodel.engine import BLOCK_YEARS, YearLossTable, simulate
from insurable.lossmodel.organisation import DEFAULT_SEED, DEFAULT_TRIALS, simulate_organisation
from insurable.lossmodel.report import LossReport, LossSummary
from insurable.lossmodel.scenario import Scenario, load_scenario, parse_scenario, simulate_scenario

__all__ = [
    "BLOCK_YEARS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "LossReport",
    "LossSummary",
    "Scenario",
    "YearLossTable",
    "lec_svg",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "simulate_organisation",
    "simulate_scenario",
]
