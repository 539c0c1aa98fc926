"""Loss-model benchmark: our kernels against riskquant and pyfair, and against the RNG ceiling.

Run it through ``bench/run.py`` (``make bench``), which sets up the peers and calls::

    PYTHONPATH=src:bench/_peers/riskquant bench/_peers/venv/bin/python bench/lossmodel_bench.py

Everything runs in one process on one machine: each implementation is warmed up once, then all are
timed round-robin and the median of ``--reps`` runs is reported, so the ratios come from the same
conditions. Per-core figures use one thread. Peers missing from the environment are skipped.

Models (the same parameters for every implementation; see docs/performance.md):

- compound (riskquant SimpleLoss semantics): n ~ Poisson(0.5) losses a year, each lognormal with
  [50k, 2M] as its 5-95 % interval; the annual loss is their sum;
- product (pyfair semantics): LEF ~ PERT(0.1, 0.5, 2.0), LM ~ PERT(50k, 200k, 2M), risk = LEF x LM;
- compound with terms: the compound model with a 25k deductible and a 1M limit per occurrence and a
  2M annual aggregate, in trial-years per second per core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LAM, LOW, HIGH = 0.5, 50_000.0, 2_000_000.0
Z95 = 1.6448536269514722
MU = (math.log(LOW) + math.log(HIGH)) / 2
SIGMA = (math.log(HIGH) - math.log(LOW)) / (2 * Z95)


def _ours():
    from insurable.lossmodel.arrays import POISSON, PerilArrays, simple_terms
    from insurable.lossmodel.engine import simulate

    perils = PerilArrays(
        ids=("p",),
        coverage_ids=("c",),
        kind=np.array([POISSON]),
        mean=np.array([LAM]),
        nb_n=np.zeros(1),
        nb_p=np.zeros(1),
        mu=np.array([MU]),
        sigma=np.array([SIGMA]),
        split=np.ones((1, 1)),
    )
    return perils, simple_terms, simulate


def compound_implementations() -> dict[str, Callable[[int], float]]:
    perils, simple_terms, simulate = _ours()
    gross = simple_terms(1)
    impls: dict[str, Callable[[int], float]] = {
        "insurable numba (1 thread)": lambda n: float(
            simulate(perils, gross, trials=n, seed=1, kernel="numba", threads=1).ground_up.mean()
        ),
        "insurable numpy reference (1 thread)": lambda n: float(
            simulate(perils, gross, trials=n, seed=1, kernel="numpy", threads=1).ground_up.mean()
        ),
    }
    try:
        from riskquant.simpleloss import SimpleLoss

        model = SimpleLoss("bench", "bench", LAM, LOW, HIGH)
        impls["riskquant SimpleLoss.simulate_years"] = lambda n: float(np.mean(model.simulate_years(n)))
    except ImportError as exc:
        print(f"# riskquant skipped: {exc}", file=sys.stderr)
    return impls


def product_implementations() -> dict[str, Callable[[int], float]]:
    from insurable.lossmodel.fair import Pert, simulate_product

    lef, lm = Pert(0.1, 0.5, 2.0), Pert(50_000, 200_000, 2_000_000)
    impls: dict[str, Callable[[int], float]] = {
        "insurable fair.simulate_product (1 thread)": lambda n: float(
            simulate_product(lef, lm, trials=n, seed=1, threads=1).mean()
        ),
    }
    try:
        import logging
        import warnings

        logging.disable(logging.WARNING)
        warnings.simplefilter("ignore")
        from pyfair import FairModel

        def pyfair_run(n: int) -> float:
            model = FairModel(name="bench", n_simulations=n)
            model.input_data("Loss Event Frequency", low=0.1, mode=0.5, high=2.0)
            model.input_data("Loss Magnitude", low=50_000, mode=200_000, high=2_000_000)
            model.calculate_all()
            return float(model.export_results()["Risk"].mean())

        impls["pyfair FairModel.calculate_all"] = pyfair_run
    except ImportError as exc:
        print(f"# pyfair skipped: {exc}", file=sys.stderr)
    return impls


def terms_implementations() -> dict[str, Callable[[int], float]]:
    perils, simple_terms, simulate = _ours()
    terms = simple_terms(1, deductible=25_000, limit=1_000_000, aggregate_limit=2_000_000)
    return {
        "insurable numba, terms (1 thread)": lambda n: float(
            simulate(perils, terms, trials=n, seed=1, kernel="numba", threads=1).insured.mean()
        ),
        "insurable numba, terms (all threads)": lambda n: float(
            simulate(perils, terms, trials=n, seed=1, kernel="numba").insured.mean()
        ),
        "insurable numpy reference, terms (1 thread)": lambda n: float(
            simulate(perils, terms, trials=n, seed=1, kernel="numpy", threads=1).insured.mean()
        ),
    }


def organisation_implementations() -> dict[str, Callable[[int], float]]:
    """The whole organisation report: every event type (with second parts and the common shock), the
    offered terms, deductible and limit options, quantiles, limit needed, tower, premium."""
    from insurable.assessment import assess
    from insurable.catalog.loader import load_catalog
    from insurable.intake import read_organisation
    from insurable.lossmodel.section import simulate_assessment

    catalog = load_catalog()
    org = read_organisation(ROOT / "examples" / "saas-provider.yaml", catalog, (), True)
    assessment = assess(org, catalog, loss_trials=None, with_plan=False)
    return {
        "insurable organisation report (1 thread)": lambda n: (
            simulate_assessment(org, catalog, assessment, trials=n, seed=1, threads=1).mean_annual_loss
        ),
        "insurable organisation report (all threads)": lambda n: (
            simulate_assessment(org, catalog, assessment, trials=n, seed=1).mean_annual_loss
        ),
    }


def round_robin(impls: dict[str, Callable[[int], float]], n: int, reps: int) -> dict[str, dict[str, float]]:
    for fn in impls.values():
        fn(min(n, 10_000))  # warm up: JIT compile, imports, first-touch memory
        fn(n)
    times: dict[str, list[float]] = {name: [] for name in impls}
    cpu: dict[str, list[float]] = {name: [] for name in impls}
    means: dict[str, float] = {}
    for _ in range(reps):
        for name, fn in impls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            means[name] = fn(n)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {
        name: {
            "median_s": statistics.median(ts),
            "per_s": n / statistics.median(ts),
            "cpu_s": statistics.median(cpu[name]),
            "per_cpu_s": n / statistics.median(cpu[name]),
            "mean": means[name],
        }
        for name, ts in times.items()
    }


def rng_ceiling(n: int, reps: int) -> dict[str, float]:
    g = np.random.Generator(np.random.PCG64(1))
    ops: dict[str, Callable[[], object]] = {
        "PCG64 random()": lambda: g.random(n),
        "PCG64 standard_normal": lambda: g.standard_normal(n),
        "PCG64 lognormal": lambda: g.lognormal(MU, SIGMA, n),
        "PCG64 poisson(0.5)": lambda: g.poisson(LAM, n),
    }
    out = {}
    for name, op in ops.items():
        op()
        ts = []
        for _ in range(reps):
            start = time.perf_counter()
            op()
            ts.append(time.perf_counter() - start)
        out[name] = n / statistics.median(ts)
    return out


MEMORY_SNIPPET = """
import resource, sys
from insurable.lossmodel import parse_scenario, simulate_scenario
scen = parse_scenario({"trials": 10_000_000, "seed": 1, "perils": [
    {"id": "a", "frequency": {"mean": 0.5}, "severity": {"median": 316_000, "sigma": 1.12}},
    {"id": "b", "frequency": {"mean": 0.2}, "severity": {"median": 50_000, "sigma": 1.5}}],
    "terms": {"deductible": 25_000, "limit": 1_000_000, "aggregate_limit": 2_000_000}})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
simulate_scenario(scen, trials=10_000, kernel="numba")
warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = simulate_scenario(scen, kernel="numba")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(warm, after, report.mean_annual_loss)
"""


def memory_10m() -> dict[str, float]:
    """Peak RSS of a 10^7 trial-year scenario (2 perils, terms), in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SNIPPET], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    warm, after = int(out[0]) / 1024, int(out[1]) / 1024
    return {"rss_after_warmup_mb": warm, "peak_rss_mb": after, "added_by_10m_trials_mb": after - warm}


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str] = {"python": platform.python_version(), "numpy": np.__version__}
    for mod in ("numba", "scipy", "pandas", "pyfair"):
        with contextlib.suppress(ImportError, AttributeError):
            versions[mod] = __import__(mod).__version__
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), "versions": versions}


def _ratio(results: dict[str, dict[str, float]], slow: str, fast: str) -> float | None:
    if slow in results and fast in results:
        return results[slow]["median_s"] / results[fast]["median_s"]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="trial-years for the peer comparisons")
    parser.add_argument("--terms-n", type=int, default=10_000_000, help="trial-years for the terms model")
    parser.add_argument("--org-n", type=int, default=4_000_000, help="trial-years for the organisation report")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()

    result: dict[str, object] = {"machine": machine(), "n": args.n, "terms_n": args.terms_n, "reps": args.reps}
    print(f"# machine: {result['machine']}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    result["load_average_at_start"] = load
    print(f"# load average at start: {load}")
    ceiling = rng_ceiling(10_000_000, args.reps)
    result["rng_ceiling_per_s"] = ceiling
    print("\n## RNG ceiling (NumPy, one core)")
    for name, rate in ceiling.items():
        print(f"{name:<40} {rate / 1e6:8.1f} M/s")

    sections = {
        "compound": (compound_implementations(), args.n),
        "product": (product_implementations(), args.n),
        "terms": (terms_implementations(), args.terms_n),
        "organisation_1m": (organisation_implementations(), 1_000_000),
        "organisation": (organisation_implementations(), args.org_n),
    }
    for section, (impls, n) in sections.items():
        res = round_robin(impls, n, args.reps)
        result[section] = res
        print(f"\n## {section} model, {n:,} trial-years, median of {args.reps}")
        for name, r in res.items():
            print(
                f"{name:<46} {r['median_s']:8.3f} s {r['per_s'] / 1e6:8.2f} M/s wall "
                f"{r['per_cpu_s'] / 1e6:8.2f} M/s per CPU-second  mean {r['mean']:,.0f}"
            )

    ratios = {
        "riskquant / insurable numba (compound)": _ratio(
            result["compound"], "riskquant SimpleLoss.simulate_years", "insurable numba (1 thread)"
        ),
        "pyfair / insurable (product)": _ratio(
            result["product"], "pyfair FairModel.calculate_all", "insurable fair.simulate_product (1 thread)"
        ),
        "numpy reference / numba (compound)": _ratio(
            result["compound"], "insurable numpy reference (1 thread)", "insurable numba (1 thread)"
        ),
    }
    terms = result["terms"]["insurable numba, terms (1 thread)"]
    terms_rate = terms["per_s"]
    ratios["terms model per core (wall), M trial-years/s"] = terms_rate / 1e6
    ratios["terms model per CPU-second, M trial-years/s"] = terms["per_cpu_s"] / 1e6
    ratios["terms model / PCG64 poisson ceiling"] = terms_rate / ceiling["PCG64 poisson(0.5)"]
    for section in ("organisation_1m", "organisation"):
        org = result[section]["insurable organisation report (1 thread)"]
        label = "10^6" if section == "organisation_1m" else f"{args.org_n:,}"
        ratios[f"organisation report per core (wall), {label}, M/s"] = org["per_s"] / 1e6
        ratios[f"organisation report per CPU-second, {label}, M/s"] = org["per_cpu_s"] / 1e6
    result["ratios"] = ratios
    print("\n## ratios (targets: riskquant >= 25x, pyfair > 1x, terms >= 20 M/s per core, organisation >= 10 M/s)")
    for name, value in ratios.items():
        print(f"{name:<46} {'-' if value is None else f'{value:8.2f}'}")
    if not args.no_memory:
        mem = memory_10m()
        result["memory_10m"] = mem
        print(
            f"\n## memory, 10^7 trial-years scenario: peak RSS {mem['peak_rss_mb']:.0f} MB "
            f"({mem['added_by_10m_trials_mb']:.0f} MB above the warmed-up interpreter)"
        )
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n# bench process peak RSS {usage:.0f} MB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
