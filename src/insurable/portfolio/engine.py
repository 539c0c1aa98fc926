"""Run a book over blocks of years: locally (one process, threads) or on a Dask cluster.

Block ``b`` always draws from ``Generator(PCG64(SeedSequence(seed, spawn_key=(b,))))`` (what
``SeedSequence(seed).spawn(n)[b]`` gives), and the blocks' results are reduced in block order, so the
result is bit-identical whatever runs the blocks: one thread, many threads, or Dask workers.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from insurable.errors import InputError, Problem
from insurable.portfolio.book import BI_COVERAGES, Book
from insurable.portfolio.catalog import Scenario, SystemicFile
from insurable.portfolio.kernel import COMPROMISE, OUTAGE, kernel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

BLOCK_YEARS = 400
#: Insureds per band: the kernel walks every event over one band of the book at a time, so the
#: band's terms (about 350 bytes an insured) and hits stay in a core's 1 MB L2 cache
BAND = 2048
DEFAULT_YEARS = 100_000
DEFAULT_SEED = 20261201
SCHEDULER_ENV = "INSURABLE_DASK_SCHEDULER"

__all__ = ["BLOCK_YEARS", "DEFAULT_SEED", "DEFAULT_YEARS", "Compiled", "RunResult", "compile_run", "run_portfolio"]


@dataclass(frozen=True)
class Instance:
    """One independent event process: a scenario (and a vendor of its category)."""

    scenario: str
    category: str | None
    vendor: str | None
    rate: float
    members: I64


@dataclass(frozen=True)
class Compiled:
    """Everything a block needs, as flat arrays (shipped once per Dask worker)."""

    book_arrays: tuple[Any, ...]
    scenario_ids: tuple[str, ...]
    instances: tuple[Instance, ...]
    inst_rate: F64
    inst_scen: I64
    inst_ptr: I64
    inst_members: I64
    groups: tuple[I64, I64, I64, F64, F64]  # inst_gptr, grp_lo, grp_hi, grp_logt, grp_rate
    scen_arrays: tuple[Any, ...]
    n_insureds: int
    #: kernel position -> the insured's index in the book (the kernel's order: :func:`kernel_order`)
    order: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: per walk unit (an instance, then each threshold group) and band: its first member position
    unit_off: I64 = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int64))
    #: per walk unit: its first band with members and one past its last
    unit_bands: I64 = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))


def compile_run(book: Book, systemic: SystemicFile, scenarios: tuple[str, ...] | None = None) -> Compiled:
    """The book's kernel arrays and one instance per (scenario, vendor) with exposed insureds."""
    chosen = systemic.scenarios
    if scenarios is not None:
        known = {s.id for s in systemic.scenarios}
        unknown = [s for s in scenarios if s not in known]
        if unknown:
            raise InputError([Problem("scenarios", f"unknown scenario ids: {', '.join(unknown)}")])
        chosen = tuple(s for s in systemic.scenarios if s.id in scenarios)
    if book.size >= 2**31:  # the kernel's hit buffers hold insured indices as int32
        raise InputError([Problem("book", f"at most 2**31 - 1 insureds in one run, not {book.size}")])
    if len(chosen) > 500:  # the kernel packs a hit's year and scenario into one float
        raise InputError([Problem("scenarios", f"at most 500 systemic scenarios in one run, not {len(chosen)}")])
    order = kernel_order(book)
    book = permuted(book, order)  # from here on an insured is its kernel position
    instances: list[Instance] = []
    for s in chosen:
        if s.category is None:
            instances.append(Instance(s.id, None, None, s.frequency, np.arange(book.size, dtype=np.int64)))
            continue
        for vendor, members in book.vendor_members(s.category).items():
            instances.append(Instance(s.id, s.category, vendor, s.vendor_frequency.get(vendor, s.frequency), members))
    ids = tuple(s.id for s in chosen)
    inst_scen = np.array([ids.index(i.scenario) for i in instances], dtype=np.int64)
    sizes = np.array([i.members.size for i in instances], dtype=np.int64)
    inst_ptr = np.zeros(len(instances) + 1, dtype=np.int64)
    np.cumsum(sizes, out=inst_ptr[1:])
    members = np.concatenate([i.members for i in instances]) if instances else np.zeros(0, dtype=np.int64)
    groups = _threshold_groups(book, chosen, instances, inst_ptr, members)
    scen = (
        np.array([OUTAGE if s.loss == "outage" else COMPROMISE for s in chosen], dtype=np.int64),
        np.array([BI_COVERAGES.index(s.coverage) for s in chosen], dtype=np.int64),
        np.array([s.hit_share.alpha for s in chosen], dtype=np.float64),
        np.array([s.hit_share.beta for s in chosen], dtype=np.float64),
        np.array([math.log(s.duration.median_hours) if s.duration else 0.0 for s in chosen]),
        np.array([s.duration.sigma if s.duration else 0.0 for s in chosen]),
        np.array([s.duration.insured_sigma if s.duration else 0.0 for s in chosen]),
        np.array([s.severity_factor for s in chosen], dtype=np.float64),
    )
    b = book
    arrays = (
        np.ascontiguousarray(
            np.stack(
                [b.freq, b.mu, b.sigma, b.deductible, b.occurrence_limit, b.aggregate_limit, *_own_tail(b)], axis=1
            ),
            dtype=np.float64,
        ),
        np.ascontiguousarray(
            np.stack(
                [
                    np.stack(
                        [
                            b.rate,
                            b.deductible,
                            b.occurrence_limit,
                            b.other_share,
                            b.wait[k],
                            b.indemnity[k],
                            b.bi_share[k],
                            b.bi_deductible[k],
                        ],
                        axis=1,
                    )
                    for k in range(2)
                ]
            ),
            dtype=np.float64,
        ),
        np.ascontiguousarray(
            np.stack(
                [b.comp_mu, b.comp_sigma, b.down_mu, b.down_sigma, *_tail(b.comp_mu, b.comp_sigma, b.comp_tail_z)],
                axis=1,
            ),
            dtype=np.float64,
        ),
        np.ascontiguousarray(np.where(np.isfinite(b.comp_tail_z), b.comp_tail_xi, 0.0), dtype=np.float64),
        np.ascontiguousarray(
            np.stack([b.aggregate_limit, b.sublimit[0], b.sublimit[1], np.zeros(b.size)], axis=1), dtype=np.float64
        ),
    )
    n_bands = max((book.size + BAND - 1) // BAND, 1)
    unit_off = _unit_offsets(inst_ptr, members, groups, n_bands)
    return Compiled(
        book_arrays=tuple(cache_aligned(a) for a in arrays),
        scenario_ids=ids,
        instances=tuple(replace(i, members=np.sort(order[i.members])) for i in instances),  # the book's indices
        inst_rate=np.array([i.rate for i in instances], dtype=np.float64),
        inst_scen=inst_scen,
        inst_ptr=inst_ptr,
        inst_members=members,
        groups=groups,
        scen_arrays=scen,
        n_insureds=book.size,
        order=order,
        unit_off=unit_off,
        unit_bands=_unit_bands(unit_off),
    )


def kernel_order(book: Book) -> I64:
    """The order the kernel keeps the insureds in: by their vendors, the category with the most
    vendors first (an MSP's clients become neighbours, so a small instance's walk stays within one
    or two bands), then by index. ``order[k]`` is the book index of kernel position ``k``."""
    keys: list[I64] = []
    columns = sorted(book.vendors.items(), key=lambda kv: (-len({v for v in kv[1] if v}), kv[0]))
    for _category, column in columns:
        codes = {v: j for j, v in enumerate(sorted({v for v in column if v}))}
        keys.append(np.array([codes[v] if v else len(codes) for v in column], dtype=np.int64))
    keys.append(np.arange(book.size, dtype=np.int64))
    # np.lexsort sorts by the last key first: the most fragmented category is the primary key
    return np.lexsort([keys[-1], *reversed(keys[:-1])]).astype(np.int64) if book.size else keys[-1]


def permuted(book: Book, order: I64) -> Book:
    """The book with its insureds in ``order`` (every per-insured array, id, name and vendor)."""
    changes: dict[str, Any] = {}
    for f in fields(book):
        value = getattr(book, f.name)
        if isinstance(value, np.ndarray):
            changes[f.name] = np.ascontiguousarray(value[..., order])
        elif isinstance(value, tuple):
            changes[f.name] = tuple(value[i] for i in order.tolist())
        elif isinstance(value, Mapping):
            changes[f.name] = {k: tuple(col[i] for i in order.tolist()) for k, col in value.items()}
    return replace(book, **changes)


def _unit_bands(off: I64) -> I64:
    """Per unit, the first band with members and one past the last (0, 0 for a unit without any)."""
    has = off[:, 1:] > off[:, :-1]
    n_bands = has.shape[1]
    any_ = has.any(axis=1)
    lo = np.where(any_, has.argmax(axis=1), 0)
    hi = np.where(any_, n_bands - has[:, ::-1].argmax(axis=1), 0)
    return np.ascontiguousarray(np.stack([lo, hi], axis=1), dtype=np.int64)


def _unit_offsets(inst_ptr: I64, members: I64, groups: tuple[I64, I64, I64, F64, F64], n_bands: int) -> I64:
    """Per walk unit (each instance; then each threshold group of the grouped ones) and band b,
    the position in ``members`` of the unit's first member at or after the band's first insured
    (a unit's members are ascending): its members in band b are ``off[u, b]`` to ``off[u, b + 1]``.
    A grouped instance's own row is empty (its groups are walked)."""
    gptr, glo, ghi = groups[0], groups[1], groups[2]
    n_inst = inst_ptr.size - 1
    edges = np.arange(n_bands + 1, dtype=np.int64) * BAND
    edges[-1] = np.iinfo(np.int64).max
    ranges = [(int(inst_ptr[m]), int(inst_ptr[m + 1])) for m in range(n_inst)]
    ranges += list(zip(glo.tolist(), ghi.tolist(), strict=True))
    off = np.zeros((len(ranges), n_bands + 1), dtype=np.int64)
    for u, (lo, hi) in enumerate(ranges):
        if u < n_inst and gptr[u + 1] > gptr[u]:
            off[u, :] = lo
            continue
        off[u] = lo + np.searchsorted(members[lo:hi], edges)
    return off


def _tail(mu: F64, sigma: F64, z_t: F64) -> tuple[F64, F64, F64, F64]:
    """A spliced severity's kernel columns (``kernel._gpd``): splice point z_t (inf: none),
    threshold, beta and P(Z > z_t), as :class:`insurable.lossmodel.severity.Spliced` defines them."""
    has = np.isfinite(z_t)
    z = np.where(has, z_t, 0.0)
    threshold = np.where(has, np.exp(mu + sigma * z), 0.0)
    q = np.array([0.5 * math.erfc(v / math.sqrt(2.0)) for v in z.tolist()])
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    beta = np.where(has, q * threshold * sigma / pdf, 0.0)
    return z_t, threshold, beta, np.where(has, q, 1.0)


def _own_tail(b: Book) -> tuple[F64, ...]:
    """The own events' tail columns: :func:`_tail`, xi, and a zero pad (a row of 12 doubles)."""
    return *_tail(b.mu, b.sigma, b.tail_z), np.where(np.isfinite(b.tail_z), b.tail_xi, 0.0), np.zeros(b.size)


#: An outage instance is thinned by threshold groups (kernel.py) while it has at most this many
#: groups, or one per this many members: each group costs two erfc per event.
MAX_GROUPS = 16
MEMBERS_PER_GROUP = 32


def payable_hours(book: Book, k: int) -> F64:
    """Per insured, the outage hours above which coverage ``k`` (index into ``BI_COVERAGES``) pays
    anything: the waiting period, plus deductible / (loss per hour x share) where the deductible
    applies on top of it; inf where it never pays. Slightly below the exact value (1e-12), so a
    rounding edge only costs a draw, never drops a paying hit."""
    rs = book.rate * book.bi_share[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(book.bi_deductible[k] >= 1.0, book.deductible / rs, 0.0)
    extra = np.where(np.isnan(extra), 0.0, extra)
    hours = book.wait[k] + extra
    never = (rs <= 0) | (book.occurrence_limit <= 0) | (book.aggregate_limit <= 0)
    never |= book.indemnity[k] - book.wait[k] <= extra
    return np.where(never, math.inf, hours * (1.0 - 1e-12))


def _threshold_groups(
    book: Book,
    chosen: tuple[Scenario, ...],
    instances: list[Instance],
    inst_ptr: I64,
    members: I64,
) -> tuple[I64, I64, I64, F64, F64]:
    """Sort each outage instance's members by payable hours (in place in ``members``) and group
    equal thresholds: per instance its group range, per group its member range, ln(hours) and
    summed loss per hour. Instances with too many distinct thresholds get no groups (the kernel
    walks every hit)."""
    with np.errstate(divide="ignore"):  # ln 0 = -inf: no waiting period, every hit pays
        thresholds = {
            s.id: np.log(payable_hours(book, BI_COVERAGES.index(s.coverage))) for s in chosen if s.loss == "outage"
        }
    gptr = np.zeros(len(instances) + 1, dtype=np.int64)
    lo: list[int] = []
    hi: list[int] = []
    logt: list[float] = []
    rate: list[float] = []
    for m, inst in enumerate(instances):
        gptr[m + 1] = gptr[m]
        if inst.scenario not in thresholds:
            continue
        a, b = int(inst_ptr[m]), int(inst_ptr[m + 1])
        t = thresholds[inst.scenario][members[a:b]]
        order = np.argsort(t, kind="stable")
        t = t[order]
        starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]]) if t.size else np.zeros(0, dtype=np.int64)
        if starts.size > max(MAX_GROUPS, (b - a) // MEMBERS_PER_GROUP):
            continue
        members[a:b] = members[a:b][order]
        ends = np.r_[starts[1:], t.size]
        rates = book.rate[members[a:b]]
        for u, v in zip(starts.tolist(), ends.tolist(), strict=True):
            lo.append(a + u)
            hi.append(a + v)
            logt.append(float(t[u]))
            rate.append(float(rates[u:v].sum()))
        gptr[m + 1] = gptr[m] + starts.size
    return (
        gptr,
        np.array(lo, dtype=np.int64),
        np.array(hi, dtype=np.int64),
        np.array(logt, dtype=np.float64),
        np.array(rate, dtype=np.float64),
    )


@dataclass(frozen=True)
class BlockResult:
    index: int
    gross: F64
    net: F64
    by_source: F64
    max_occurrence: F64
    insured_sum: F64
    insured_tail: F64
    ev_year: I64
    ev_inst: I64
    ev_net: F64
    ev_hits: I64


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The block's own stream: ``SeedSequence(seed).spawn(n)[block]`` without spawning n."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def cache_aligned(a: NDArray[Any]) -> NDArray[Any]:
    """A C-contiguous copy of ``a`` starting on a 64-byte cache line (numpy aligns to 16 only), so
    an insured's 64-byte terms row is one cache line, not two: the kernel's gather of a hit's terms
    is its costliest memory access."""
    raw = np.empty(a.nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    out: NDArray[Any] = raw[start : start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def block_state(rng: np.random.Generator) -> NDArray[np.uint64]:
    """The kernel's own xoshiro256** state for the per-hit and per-event draws: four words from the
    block's generator (so still a function of (seed, block) only), never all zero."""
    st = rng.bit_generator.random_raw(4).astype(np.uint64)
    if not st.any():
        st[0] = 1
    return st


def run_block(
    compiled: Compiled, seed: int, block: int, first_year: int, n_years: int, tail_years: I64 | None = None
) -> BlockResult:
    """Simulate one block of years. ``tail_years`` (global year indices) asks for each insured's
    loss summed over those years (the Euler allocation's second pass)."""
    mask = np.zeros(0, dtype=np.bool_)
    if tail_years is not None:
        mask = np.zeros(n_years, dtype=np.bool_)
        local = tail_years[(tail_years >= first_year) & (tail_years < first_year + n_years)] - first_year
        mask[local] = True
    ws = getattr(_WORKSPACE, "buffers", None)
    if ws is None:
        ws = (
            np.zeros(4096, dtype=np.int32),  # a band's paying hits: the insured within the band
            np.zeros((4096, 3)),  # ... and its row
            np.zeros((4096, 3)),  # the rows sorted by insured
        )
    rng = block_generator(seed, block)
    gptr, _lo, _hi, logt, grate = compiled.groups
    gross, net, by_source, occ, ins_sum, ins_tail, *events, ws = kernel()(
        rng,
        block_state(rng),
        n_years,
        *compiled.book_arrays,
        compiled.inst_rate,
        compiled.inst_scen,
        compiled.inst_members,
        gptr,
        logt,
        grate,
        *compiled.scen_arrays,
        mask,
        compiled.unit_off,
        compiled.unit_bands,
        BAND,
        *ws,
    )
    _WORKSPACE.buffers = ws  # every cell the kernel reads is written first: results never depend on it
    # per insured: back from the kernel's order to the book's
    insured_sum = np.empty_like(ins_sum)
    insured_sum[compiled.order] = ins_sum
    insured_tail = ins_tail
    if ins_tail.size:
        insured_tail = np.empty_like(ins_tail)
        insured_tail[compiled.order] = ins_tail
    out = (gross, net, by_source, occ, insured_sum, insured_tail, *events)
    return BlockResult(block, *out)


#: Per thread, the kernel's hit buffers, kept between blocks (grown to the largest block seen).
_WORKSPACE = threading.local()


def blocks(years: int, block_years: int) -> list[tuple[int, int, int]]:
    """(block id, first year, years) for every block."""
    return [(b, lo, min(block_years, years - lo)) for b, lo in enumerate(range(0, years, block_years))]


@dataclass
class RunResult:
    """The reduced outputs of a run (O(years + insureds + events), the per-block scratch is gone)."""

    years: int
    seed: int
    block_years: int
    scenario_ids: tuple[str, ...]
    instances: tuple[Instance, ...]
    gross: F64
    net: F64
    by_source: F64  # (years, 1 + scenarios): own events, then each scenario
    max_occurrence: F64
    insured_sum: F64
    #: per instance (scenario, vendor): events, claims (insureds paid), summed and largest event net
    #: loss; O(instances), never O(events), so memory does not grow with the years
    events: dict[str, Any] = field(default_factory=dict)
    scheduler: str = "local"
    workers: int = 1


Progress = Callable[[int, int], None]


def _local(
    compiled: Compiled, seed: int, plan: list[tuple[int, int, int]], threads: int, tail: I64 | None
) -> Iterator[BlockResult]:
    if threads <= 1:
        for b, lo, n in plan:
            yield run_block(compiled, seed, b, lo, n, tail)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        # a bounded window of blocks in flight: memory stays O(threads x block)
        pending = []
        it = iter(plan)
        for b, lo, n in it:
            pending.append(pool.submit(run_block, compiled, seed, b, lo, n, tail))
            if len(pending) >= 2 * threads:
                yield pending.pop(0).result()
        for f in pending:
            yield f.result()


def _dask(
    compiled: Compiled, seed: int, plan: list[tuple[int, int, int]], scheduler: Any, tail: I64 | None
) -> Iterator[BlockResult]:
    from insurable.portfolio.dist import dask_blocks

    yield from dask_blocks(compiled, seed, plan, scheduler, tail)


def _iterate(
    compiled: Compiled,
    seed: int,
    plan: list[tuple[int, int, int]],
    scheduler: Any,
    threads: int,
    tail: I64 | None,
) -> Iterator[BlockResult]:
    if scheduler is None:
        return _local(compiled, seed, plan, threads, tail)
    return _dask(compiled, seed, plan, scheduler, tail)


def run_portfolio(  # noqa: PLR0913
    compiled: Compiled,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    block_years: int = BLOCK_YEARS,
    threads: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
    on_block: Callable[[BlockResult], None] | None = None,
) -> RunResult:
    """Simulate ``years`` years of the book. ``scheduler``: None runs locally on ``threads``
    threads; a Dask ``Client`` or a scheduler address (``tcp://host:8786``) runs the same blocks
    on that cluster. ``on_block`` sees every block in block order (the Parquet writer streams
    from it). Raises :class:`InputError` for bad numbers."""
    problems = []
    if years <= 0:
        problems.append(Problem("years", "must be a positive number of years"))
    if block_years <= 0:
        problems.append(Problem("block_years", "must be a positive number of years"))
    if problems:
        raise InputError(problems)
    plan = blocks(years, block_years)
    n_threads = threads if threads is not None else min(os.cpu_count() or 1, len(plan))
    n_src = len(compiled.scenario_ids) + 1
    gross, net, mx = np.empty(years), np.empty(years), np.empty(years)
    by_source = np.empty((years, n_src))
    insured_sum = np.zeros(compiled.n_insureds)
    n_inst = len(compiled.instances)
    ev: dict[str, Any] = {
        "count": np.zeros(n_inst, dtype=np.int64),
        "claims": np.zeros(n_inst, dtype=np.int64),
        "net": np.zeros(n_inst),
        "max": np.zeros(n_inst),
    }
    waiting: dict[int, BlockResult] = {}
    next_block = 0
    done = 0

    def take(r: BlockResult) -> None:
        lo = plan[r.index][1]
        hi = lo + plan[r.index][2]
        gross[lo:hi], net[lo:hi], mx[lo:hi], by_source[lo:hi] = r.gross, r.net, r.max_occurrence, r.by_source
        insured_sum[:] += r.insured_sum
        if r.ev_inst.size:
            ev["count"] += np.bincount(r.ev_inst, minlength=n_inst)
            ev["claims"] += np.bincount(r.ev_inst, weights=r.ev_hits, minlength=n_inst).astype(np.int64)
            ev["net"] += np.bincount(r.ev_inst, weights=r.ev_net, minlength=n_inst)
            np.maximum.at(ev["max"], r.ev_inst, r.ev_net)
        if on_block is not None:
            on_block(r)

    for r in _iterate(compiled, seed, plan, scheduler, n_threads, None):
        waiting[r.index] = r
        while next_block in waiting:  # reduce in block order: the sums are bit-identical anywhere
            take(waiting.pop(next_block))
            next_block += 1
        done += plan[r.index][2]
        if progress is not None:
            progress(done, years)
    return RunResult(
        years=years,
        seed=seed,
        block_years=block_years,
        scenario_ids=compiled.scenario_ids,
        instances=compiled.instances,
        gross=gross,
        net=net,
        by_source=by_source,
        max_occurrence=mx,
        insured_sum=insured_sum,
        events=ev,
        scheduler="local" if scheduler is None else "dask",
        workers=n_threads if scheduler is None else 0,
    )


def tail_contributions(
    compiled: Compiled,
    result: RunResult,
    tail_years: I64,
    *,
    threads: int | None = None,
    scheduler: Any = None,
) -> F64:
    """Each insured's loss summed over ``tail_years``: the second pass of the Euler allocation.
    It reruns only the blocks that hold a tail year, from the same streams (so the same years)."""
    plan = blocks(result.years, result.block_years)
    wanted = set((tail_years // result.block_years).tolist())
    sub = [p for p in plan if p[0] in wanted]
    n_threads = threads if threads is not None else min(os.cpu_count() or 1, max(len(sub), 1))
    out = {r.index: r.insured_tail for r in _iterate(compiled, result.seed, sub, scheduler, n_threads, tail_years)}
    total = np.zeros(compiled.n_insureds)
    for b in sorted(out):
        total += out[b]
    return total
