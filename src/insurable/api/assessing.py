"""Assessments in worker processes, so that submissions use every core and never starve requests.

The assessment is pure Python and CPU-bound (the fix-path re-runs the engine per candidate control).
In the server process it would hold the GIL for its whole run: four clients submitting at once
would queue behind each other and every answer save would wait too. A small pool of worker
processes (``INSURABLE_ASSESS_WORKERS``, started with ``spawn``, each loading the packaged
catalogue once) runs them in parallel; the request thread just waits, holding no lock and no
database transaction. ``0`` workers assesses in the server process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from insurable.catalog.loader import Catalog, load_catalog

_catalog: Catalog | None = None


def assess_here(org: Any, catalog: Catalog, evidence: Any = None) -> Any:
    """The domain assessment, in this process; ``evidence``: a stored scan's findings as facts."""
    from insurable.assessment import assess  # the domain core; imported when first needed

    return assess(org, catalog, evidence=evidence or None)


#: A small fictional organisation, assessed once when a worker starts: the first real submission
#: then finds the engine imported and its numeric kernels compiled (seconds, otherwise).
_WARM_UP = {
    "name": "Warm-up BV",
    "country": "NL",
    "nace_code": "62.02",
    "activities": [],
    "employees": 40,
    "annual_turnover_eur": 6_000_000,
    "balance_sheet_total_eur": 3_000_000,
    "records_held": 20_000,
    "requested_limit_eur": 1_000_000,
    "requested_deductible_eur": 5_000,
}


def _warm() -> None:
    global _catalog
    if _catalog is None:
        _catalog = load_catalog()
        from insurable.profile import parse_organisation

        with contextlib.suppress(Exception):  # a failed warm-up must not stop the worker; requests report it
            assess_here(parse_organisation(_WARM_UP), _catalog)


def _assess_in_worker(org: Any, evidence: Any = None) -> dict[str, Any]:
    _warm()
    assert _catalog is not None
    outcome = assess_here(org, _catalog, evidence)
    result: dict[str, Any] = outcome if isinstance(outcome, dict) else outcome.model_dump(mode="json")
    return result


class AssessorPool:
    """Callable like an assessor; runs the packaged catalogue's assessment in worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm)
            return self._pool

    def start(self) -> None:
        """Start the workers now (in the background), so the first submission does not wait."""
        self._executor().submit(_warm)

    def __call__(self, org: Any, catalog: Catalog, evidence: Any = None) -> dict[str, Any]:  # noqa: ARG002
        return self._executor().submit(_assess_in_worker, org, evidence).result()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
