"""Run a kernel over trial-years in seed-addressed blocks, on a thread pool, into one year-loss table.

Reproducibility: every draw is addressed by the seed's key and the trial-year's index in the run,
then by event type and event number (:mod:`insurable.lossmodel.streams`, common random numbers).
The trial-years are cut into blocks of ``block_years`` (default :data:`BLOCK_YEARS`), grouped into
work chunks and run on any number of threads; every block writes its own slice of the outputs. The
same seed therefore gives identical numbers whatever the block size, chunk grouping, thread count or
process, a run of N trial-years equals the first N years of any longer run, and two runs of
different models under the same seed share their draws year by year (a control lowers the loss in
every trial-year, not only on average).

Memory: the outputs are ``trials x (8 ground-up + 4 per peril + 8 per term set)`` bytes; each block
in flight adds a ``block_years x perils`` count buffer (fast kernel) or its event arrays (reference).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from insurable.lossmodel import kernel_fast, kernel_reference
from insurable.lossmodel.arrays import F64, PerilArrays, TermArrays, prepare
from insurable.lossmodel.streams import Stream, run_key

BLOCK_YEARS = 32_768
Kernel = Literal["auto", "numba", "numpy"]


@dataclass(frozen=True)
class YearLossTable:
    """Per trial-year losses: ground-up total, ground-up by peril (float32), insured per term set.

    Sparse (``rows`` set): only the years with a ground-up loss are kept, ``rows`` are their
    indices (ascending) and every other of the ``total`` years is zero in every column."""

    ground_up: F64  # (N,) or (M,) sparse
    by_peril: np.ndarray  # (N, P) float32; with one peril (dense) a float64 view of ground_up
    insured: F64  # (K, N) or (K, M)
    kernel: str
    block_years: int
    seed: int
    rows: np.ndarray | None = None
    total: int | None = None

    @property
    def trials(self) -> int:
        return int(self.total if self.total is not None else self.ground_up.shape[0])

    @property
    def sparse(self) -> bool:
        return self.rows is not None


#: ``auto`` runs the NumPy kernel up to this many trial-years: it starts at once, while numba costs
#: about a second to import and load from its cache (a cold ``insurable assess`` must take < 1 s).
AUTO_NUMPY_TRIALS = 250_000


def resolve_kernel(kernel: Kernel = "auto", trials: int | None = None) -> str:
    """``auto`` picks numba when installed, except for small runs (:data:`AUTO_NUMPY_TRIALS`), unless
    ``INSURABLE_KERNEL`` says otherwise. Both kernels give the same numbers to rounding."""
    wanted = os.environ.get("INSURABLE_KERNEL", kernel) if kernel == "auto" else kernel
    if wanted == "numba" and not kernel_fast.AVAILABLE:
        return "numpy"
    if wanted in ("numba", "numpy"):
        return wanted
    if trials is not None and trials <= AUTO_NUMPY_TRIALS:
        return "numpy"
    return "numba" if kernel_fast.AVAILABLE else "numpy"


def block_streams(seed: int, n_blocks: int, block_years: int) -> list[Stream]:
    """The stream of each block: the run's key and the block's first trial-year."""
    key = run_key(seed)
    return [Stream(key, b * block_years) for b in range(n_blocks)]


def block_generators(seed: int, n_blocks: int) -> list[np.random.Generator]:
    """One PCG64 generator per block, keyed by block index (the FAIR product model, fair.py)."""
    return [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(n_blocks)]


def simulate(
    perils: PerilArrays,
    terms: TermArrays,
    *,
    trials: int,
    seed: int,
    kernel: Kernel = "auto",
    threads: int | None = None,
    blocks_per_chunk: int = 4,
    block_years: int = BLOCK_YEARS,
    progress: Callable[[int, int], None] | None = None,
    sparse: bool = False,
) -> YearLossTable:
    """Simulate ``trials`` years of the perils under every term set. ``progress(done, total)`` is
    called with trial-years done after each work chunk (from worker threads). ``sparse`` keeps only
    the years with a loss (block by block, in reused buffers): memory and time then grow with the
    claim years, not with all years (an organisation has a claim in about 2 % of them)."""
    if sparse:
        return _simulate_sparse(
            perils,
            terms,
            trials=trials,
            seed=seed,
            kernel=kernel,
            threads=threads,
            blocks_per_chunk=blocks_per_chunk,
            block_years=block_years,
            progress=progress,
        )
    if trials <= 0:
        raise ValueError("trials must be positive")
    name = resolve_kernel(kernel, trials)
    run: Callable[..., Any] = kernel_fast.run_block if name == "numba" else kernel_reference.run_block
    n_blocks = -(-trials // block_years)
    blocks = block_streams(seed, n_blocks, block_years)
    ground_up = np.empty(trials, dtype=np.float64)
    # With one peril, its losses are the ground-up losses: each chunk writes them to a scratch buffer
    # and the table returns a view of ground_up (saves 4 bytes per trial-year and the page faults).
    single = perils.n_perils == 1
    by_peril = np.empty((0 if single else trials, perils.n_perils), dtype=np.float32)
    insured = np.empty((terms.n_sets, trials), dtype=np.float64)
    prepared = prepare(perils)

    def do_chunk(first: int) -> None:
        scratch = np.empty((block_years if single else 0, perils.n_perils), dtype=np.float32)
        for b in range(first, min(first + blocks_per_chunk, n_blocks)):
            lo, hi = b * block_years, min((b + 1) * block_years, trials)
            run(
                blocks[b],
                hi - lo,
                perils,
                terms,
                ground_up[lo:hi],
                scratch[: hi - lo] if single else by_peril[lo:hi],
                insured[:, lo:hi],
                prepared=prepared,
            )
        if progress is not None:
            progress(min((first + blocks_per_chunk) * block_years, trials), trials)

    starts = range(0, n_blocks, max(1, blocks_per_chunk))
    workers = threads if threads is not None else min(os.cpu_count() or 1, len(starts))
    if workers <= 1 or len(starts) == 1:
        for first in starts:
            do_chunk(first)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(do_chunk, starts))
    table = ground_up.reshape(-1, 1) if single else by_peril
    return YearLossTable(ground_up, table, insured, name, block_years, seed)


def _simulate_sparse(  # noqa: PLR0913
    perils: PerilArrays,
    terms: TermArrays,
    *,
    trials: int,
    seed: int,
    kernel: Kernel,
    threads: int | None,
    blocks_per_chunk: int,
    block_years: int,
    progress: Callable[[int, int], None] | None,
) -> YearLossTable:
    """The same blocks and streams as :func:`simulate`, keeping only the years with a loss."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    name = resolve_kernel(kernel, trials)
    run: Callable[..., Any] = kernel_fast.run_block if name == "numba" else kernel_reference.run_block
    n_blocks = -(-trials // block_years)
    blocks = block_streams(seed, n_blocks, block_years)
    prepared = prepare(perils)
    n_p, n_k = perils.n_perils, terms.n_sets
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None] = [None] * n_blocks

    def do_chunk(first: int) -> None:
        gu = np.empty(block_years, dtype=np.float64)
        byp = np.empty((block_years, n_p), dtype=np.float32)
        ins = np.empty((n_k, block_years), dtype=np.float64)
        rows = np.empty(block_years, dtype=np.int64)
        for b in range(first, min(first + blocks_per_chunk, n_blocks)):
            lo, hi = b * block_years, min((b + 1) * block_years, trials)
            h = hi - lo
            if name == "numba":
                # The fast kernel writes the years with a loss only, to the first rows.
                m = kernel_fast.run_block(
                    blocks[b], h, perils, terms, gu[:h], byp[:h], ins[:, :h], prepared=prepared, out_rows=rows
                )
                kept[b] = (rows[:m] + lo, gu[:m].copy(), byp[:m].copy(), ins[:, :m].copy())
                continue
            run(blocks[b], h, perils, terms, gu[:h], byp[:h], ins[:, :h], prepared=prepared)
            nz = np.flatnonzero(gu[:h] > 0)
            kept[b] = (nz + lo, gu[nz], byp[nz], ins[:, nz])
        if progress is not None:
            progress(min((first + blocks_per_chunk) * block_years, trials), trials)

    starts = range(0, n_blocks, max(1, blocks_per_chunk))
    workers = threads if threads is not None else min(os.cpu_count() or 1, len(starts))
    if workers <= 1 or len(starts) == 1:
        for first in starts:
            do_chunk(first)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(do_chunk, starts))
    parts = [k for k in kept if k is not None]
    return YearLossTable(
        ground_up=np.concatenate([k[1] for k in parts]),
        by_peril=np.concatenate([k[2] for k in parts]),
        insured=np.concatenate([k[3] for k in parts], axis=1),
        kernel=name,
        block_years=block_years,
        seed=seed,
        rows=np.concatenate([k[0] for k in parts]),
        total=trials,
    )
