"""Portfolio benchmark (issue 17): scale, the financial-terms step against OasisLMF's fmpy, and the
Dask overhead, in one run.

    .venv/bin/python bench/portfolio_bench.py [--insureds 100000] [--years 100000] [--fmpy DIR]

1. **Scale**: a synthetic book of ``--insureds`` (``insurable.portfolio.synthetic.synthetic_book``)
   x ``--years`` with every systemic scenario of ``systemic.yaml``, in a fresh process (so its
   peak RSS is the run's own), all cores (threads), JIT cache warm. Wall seconds and max RSS.
2. **Financial-terms step per core**: the arithmetic our kernel applies per occurrence
   (deductible, occurrence limit) and per insured-year (aggregate limit), isolated in a numba loop
   over a ground-up stream sorted by insured (as fmpy reads an item-sorted GUL stream), one thread,
   in loss values per second. The peer: ``fmpy -a2`` (OasisLMF) on its dummy model with one coverage
   per location and one policy layer, run by ``/work/oasis_bench/run.sh`` in a separate venv (the
   peer is not a project dependency); its rate is (samples in the GUL stream) / (full-run wall -
   100-event-run wall), the start-up taken out.
3. **Dask overhead**: the same blocks locally (threads) and on a LocalCluster with two workers,
   threads (processes=False) and processes; the result is checked bit-identical.

Results go to ``bench/results/portfolio.json``. Timings on a shared machine are noisy: the JSON
records the load average at the start.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "portfolio.json"


def _systemic():  # type: ignore[no-untyped-def]
    from insurable.catalog.loader import load_catalog
    from insurable.portfolio.catalog import SystemicFile

    return load_catalog().get("systemic.yaml", SystemicFile)


def _use_kernel_v1(book) -> None:  # type: ignore[no-untyped-def]
    """Route the engine's blocks through the previous kernel (``portfolio_kernel_v1.py``, the
    kernel of main before issue 17's speed work) with its flat per-field arrays, so old and new
    are measured by the same bench, on the same book and machine."""
    sys.path.insert(0, str(ROOT / "bench"))
    import portfolio_kernel_v1

    from insurable.portfolio import engine

    b = book
    old = tuple(
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (
            *(b.freq, b.mu, b.sigma, b.comp_mu, b.comp_sigma, b.down_mu, b.down_sigma, b.rate),
            *(b.deductible, b.occurrence_limit, b.aggregate_limit, b.other_share),
            *(b.wait, b.indemnity, b.bi_share, b.sublimit, b.bi_deductible),
        )
    )
    k1 = portfolio_kernel_v1.kernel()

    def run_block(compiled, seed, block, _first_year, n_years, _tail_years=None):  # type: ignore[no-untyped-def]
        c = compiled
        out = k1(
            engine.block_generator(seed, block),
            n_years,
            *old,
            c.inst_rate,
            c.inst_scen,
            c.inst_ptr,
            c.inst_members,
            *c.scen_arrays,
            np.zeros(0, dtype=np.bool_),
        )
        return engine.BlockResult(block, *out)

    engine.run_block = run_block


def _peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM, the high-water mark of its own address space.
    (``ru_maxrss`` also counts the parent's memory at the fork before exec: the bench's parent had
    just held the terms step's 30-million-value arrays, and the child reported 860 MB it never used.)"""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale_child(n: int, years: int, block: int, which: str = "new") -> None:
    """Run in a fresh process: print wall, CPU seconds, events and max RSS as JSON."""
    from insurable.portfolio import engine
    from insurable.portfolio.engine import compile_run, run_portfolio
    from insurable.portfolio.synthetic import synthetic_book

    systemic = _systemic()
    t0 = time.perf_counter()
    book = synthetic_book(n, systemic)
    compiled = compile_run(book, systemic)
    build = time.perf_counter() - t0
    if which == "v1":
        _use_kernel_v1(book)
    run_block = engine.run_block
    t0 = time.perf_counter()
    run_block(compiled, 1, 0, 0, 10)  # loads the numba cache (compiles on a cold machine)
    jit = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_portfolio(compiled, years=years, block_years=block)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    hits = int(result.events["claims"].sum())  # per-instance totals: insureds paid
    own = float(book.freq.sum() * years)
    out = {
        "kernel": which,
        "insureds": n,
        "years": years,
        "block_years": block,
        "threads": result.workers,
        "build_s": build,
        "jit_load_s": jit,
        "wall_s": wall,
        "cpu_s": cpu,
        "load_avg_end": os.getloadavg(),
        "systemic_claims": hits,
        "own_events_expected": own,
        "ns_per_event_cpu": cpu / (hits + own) * 1e9,
        "max_rss_mb": _peak_rss_mb(),
        "aal_net": float(result.net.mean()),
    }
    print(json.dumps(out))


def scale(n: int, years: int, block: int, which: str = "new") -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, __file__, "--child-scale", str(n), str(years), str(block), "--kernel", which]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, timeout=3600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fm_kernel():  # type: ignore[no-untyped-def]
    import numba

    @numba.njit(nogil=True, cache=False)
    def fm(ptr, year, loss, ded, occ, agg, n_years):  # type: ignore[no-untyped-def]
        tot = np.zeros(n_years)
        flag = np.zeros(n_years, dtype=np.bool_)
        touched = np.zeros(n_years, dtype=np.int64)
        out = np.zeros(n_years)
        for i in range(ptr.shape[0] - 1):
            n_t = 0
            for t in range(ptr[i], ptr[i + 1]):
                y = year[t]
                net = min(max(loss[t] - ded[i], 0.0), occ[i])
                if net > 0.0:
                    tot[y] += net
                    if not flag[y]:
                        flag[y] = True
                        touched[n_t] = y
                        n_t += 1
            for t in range(n_t):
                y = touched[t]
                out[y] += min(tot[y], agg[i])
                tot[y] = 0.0
                flag[y] = False
        return out

    return fm


def terms_rate(values: int = 30_000_000, insureds: int = 3_000, n_years: int = 10_000) -> dict[str, float]:
    """Loss values through the terms step per CPU-second, one thread (the median of 5; CPU time,
    because the shared machine's wall clock includes waiting for a core)."""
    rng = np.random.default_rng(1)
    ins = np.sort(rng.integers(0, insureds, values))
    ptr = np.searchsorted(ins, np.arange(insureds + 1)).astype(np.int64)
    year = rng.integers(0, n_years, values)
    loss = rng.lognormal(10, 1.5, values)
    ded = np.full(insureds, 10_000.0)
    occ = np.full(insureds, 1_000_000.0)
    agg = np.full(insureds, 2_000_000.0)
    fm = _fm_kernel()
    fm(ptr, year[:1000], loss[:1000], ded, occ, agg, n_years)
    times = []
    for _ in range(5):
        t0 = time.process_time()
        fm(ptr, year, loss, ded, occ, agg, n_years)
        times.append(time.process_time() - t0)
    cpu = sorted(times)[2]
    return {"values": values, "cpu_s": cpu, "values_per_s": values / cpu}


def fmpy_rate(directory: Path) -> dict[str, float] | None:
    """fmpy's marginal rate per CPU-second from /work/oasis_bench (see run2.sh): samples / (user
    CPU of the full run - user CPU of a 100-event run), the start-up taken out."""
    full, small = directory / "fmpy_full.txt", directory / "fmpy_small.txt"
    gul = directory / "m1" / "work" / "gul.bin"
    if not (full.exists() and small.exists() and gul.exists()):
        return None

    def walls(path: Path) -> list[float]:
        return [float(m.group(1)) for m in re.finditer(r"(?:full|small) [0-9.]+ s ([0-9.]+) user", path.read_text())]

    f, s = walls(full), walls(small)
    if not f or not s:
        return None
    raw = np.fromfile(gul, dtype=np.int32)[2:]  # header: stream type, sample count
    pairs = raw[: raw.shape[0] // 2 * 2].reshape(-1, 2)
    terminators = int(np.count_nonzero((pairs[:, 0] == 0) & (pairs[:, 1] == 0)))
    samples = int(np.count_nonzero(pairs[:, 0] > 0)) - terminators  # less one header row per record
    marginal = sorted(f)[len(f) // 2] - sorted(s)[len(s) // 2]
    return {
        "records": terminators,
        "samples": samples,
        "full_user_cpu_s": sorted(f)[len(f) // 2],
        "startup_user_cpu_s": sorted(s)[len(s) // 2],
        "values_per_s": samples / marginal if marginal > 0 else math.nan,
    }


def dask_overhead(n: int = 10_000, years: int = 20_000, block: int = 500) -> dict[str, object]:
    import distributed

    from insurable.portfolio.engine import compile_run, run_portfolio
    from insurable.portfolio.synthetic import synthetic_book

    systemic = _systemic()
    compiled = compile_run(synthetic_book(n, systemic), systemic)
    run_portfolio(compiled, years=block, block_years=block)
    out: dict[str, object] = {"insureds": n, "years": years, "block_years": block}
    t0 = time.perf_counter()
    local = run_portfolio(compiled, years=years, block_years=block, threads=2)
    out["local_threads_s"] = time.perf_counter() - t0
    for label, processes in (("dask_threads", False), ("dask_processes", True)):
        t0 = time.perf_counter()
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = distributed.Client(cluster)
        start = time.perf_counter() - t0
        client.run(lambda: __import__("insurable.portfolio.kernel", fromlist=["kernel"]).kernel())  # warm workers
        t0 = time.perf_counter()
        remote = run_portfolio(compiled, years=years, block_years=block, scheduler=client)
        out[f"{label}_s"] = time.perf_counter() - t0
        out[f"{label}_cluster_start_s"] = start
        out[f"{label}_bit_identical"] = bool(np.array_equal(local.net, remote.net))
        client.close()
        cluster.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--insureds", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=100_000)
    parser.add_argument("--block-years", type=int, default=400)  # engine.BLOCK_YEARS
    parser.add_argument("--fmpy", type=Path, default=Path("/work/oasis_bench"))
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--compare-years", type=int, default=10_000, help="years of the old-vs-new kernel ratio")
    parser.add_argument("--skip-peers", action="store_true", help="only the scale and old-vs-new runs")
    parser.add_argument("--kernel", choices=("new", "v1"), default="new")
    parser.add_argument("--child-scale", nargs=3, type=int)
    args = parser.parse_args()
    if args.child_scale:
        scale_child(*args.child_scale, which=args.kernel)
        return
    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
    }
    if not args.skip_peers:
        terms = terms_rate()
        peer = fmpy_rate(args.fmpy)
        results["terms_step"] = {"ours": terms, "fmpy": peer}
        if peer is not None:
            results["terms_step"]["ratio_per_core"] = terms["values_per_s"] / peer["values_per_s"]  # type: ignore[index]
        print(json.dumps(results["terms_step"], indent=1), flush=True)
        results["dask"] = dask_overhead()
        print(json.dumps(results["dask"], indent=1), flush=True)
    if args.compare_years > 0:
        # old and new kernel on the same book, interleaved (v1, new, v1, new), fresh processes
        runs = [scale(args.insureds, args.compare_years, args.block_years, w) for w in ("v1", "new", "v1", "new")]
        cpu = {w: sorted(float(r["cpu_s"]) for r in runs if r["kernel"] == w) for w in ("v1", "new")}  # type: ignore[arg-type]
        results["old_vs_new"] = {
            "runs": runs,
            "cpu_s_v1": cpu["v1"],
            "cpu_s_new": cpu["new"],
            "ratio_cpu": (sum(cpu["v1"]) / sum(cpu["new"])),
        }
        print(json.dumps({k: v for k, v in results["old_vs_new"].items() if k != "runs"}, indent=1), flush=True)
    if not args.skip_scale:
        results["scale"] = scale(args.insureds, args.years, args.block_years)
        print(json.dumps(results["scale"], indent=1), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results["date"] = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    RESULTS.write_text(json.dumps(previous | results, indent=1) + "\n", encoding="utf-8")  # keeps parts not rerun


if __name__ == "__main__":
    main()
