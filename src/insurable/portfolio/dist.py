"""The Dask adapter: the same pure, seed-addressed blocks as tasks on a Dask distributed cluster.

The compiled book is scattered once to every worker (broadcast), not shipped with every task; each
task runs one block and returns its small result; the engine reduces them in block order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from insurable.errors import InputError, Problem

if TYPE_CHECKING:
    from insurable.portfolio.engine import BlockResult, Compiled

__all__ = ["connect", "dask_blocks"]


def connect(scheduler: Any) -> tuple[Any, bool]:
    """A Dask ``Client`` for an address (``tcp://host:8786``), or the client given; and whether we
    opened it (and so close it)."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency of the dev and dask extras
        raise InputError([Problem("scheduler", "Dask is not installed: pip install 'insurable[dask]'")]) from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout="5s"), True  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise InputError([Problem("scheduler", f"cannot reach the Dask scheduler {scheduler}: {exc}")]) from exc


def dask_blocks(
    compiled: Compiled, seed: int, plan: list[tuple[int, int, int]], scheduler: Any, tail: Any
) -> Iterator[BlockResult]:
    """Run every block of ``plan`` on the cluster; yield the results as they complete."""
    from distributed import as_completed

    from insurable.portfolio.engine import run_block

    client, opened = connect(scheduler)
    try:
        shared = client.scatter(compiled, broadcast=True)
        futures = [
            client.submit(run_block, shared, seed, b, lo, n, tail, pure=False)  # fresh keys: a rerun never reuses
            for b, lo, n in plan
        ]
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()
            future.release()
    finally:
        if opened:
            client.close()
