"""Old against new loss-model kernels in one run: the speed cost of common random numbers.

Two worker processes, one importing ``insurable`` from a baseline revision (extracted with ``git
archive``, default ``main``), one from this working tree, time the same models round-robin, so both
see the same machine load; wall and CPU seconds are both reported (the machine may be shared)::

    .venv/bin/python bench/crn_bench.py --baseline main --reps 5

Models (one thread, the numba kernel, as bench/lossmodel_bench.py): the compound model with terms
(Poisson(0.5) losses, lognormal, 25k deductible, 1M limit, 2M aggregate; target >= 20 M
trial-years/s per core) and the organisation report of examples/saas-provider.yaml (target >= 10
M/s per core).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _worker() -> None:
    import numpy as np

    from insurable.assessment import assess
    from insurable.catalog.loader import load_catalog
    from insurable.intake import read_organisation
    from insurable.lossmodel.arrays import POISSON, PerilArrays, simple_terms
    from insurable.lossmodel.engine import simulate
    from insurable.lossmodel.section import simulate_assessment

    z95 = 1.6448536269514722
    mu = (math.log(50_000.0) + math.log(2_000_000.0)) / 2
    sigma = (math.log(2_000_000.0) - math.log(50_000.0)) / (2 * z95)
    perils = PerilArrays(
        ids=("p",),
        coverage_ids=("c",),
        kind=np.array([POISSON]),
        mean=np.array([0.5]),
        nb_n=np.zeros(1),
        nb_p=np.zeros(1),
        mu=np.array([mu]),
        sigma=np.array([sigma]),
        split=np.ones((1, 1)),
    )
    terms = simple_terms(1, deductible=25_000, limit=1_000_000, aggregate_limit=2_000_000)
    catalog = load_catalog()
    org = read_organisation(ROOT / "examples" / "saas-provider.yaml", catalog, (), True)
    assessment = assess(org, catalog, loss_trials=None, with_plan=False)

    def run(model: str, n: int) -> float:
        if model == "terms":
            return float(simulate(perils, terms, trials=n, seed=1, kernel="numba", threads=1).insured.mean())
        report = simulate_assessment(org, catalog, assessment, trials=n, seed=1, threads=1, kernel="numba")
        return float(report.mean_annual_loss)

    for line in sys.stdin:
        model, n = line.split()
        start, start_cpu = time.perf_counter(), time.process_time()
        mean = run(model, int(n))
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(json.dumps({"wall": wall, "cpu": cpu, "mean": mean}), flush=True)


def _start(src: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{src}:{ROOT}"}
    return subprocess.Popen(
        [sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )


def _ask(proc: subprocess.Popen[str], model: str, n: int) -> dict[str, float]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"{model} {n}\n")
    proc.stdin.flush()
    out: dict[str, float] = json.loads(proc.stdout.readline())
    return out


def main() -> None:
    if "--worker" in sys.argv:
        _worker()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare against")
    parser.add_argument("--terms-n", type=int, default=10_000_000)
    parser.add_argument("--org-n", type=int, default=2_000_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        procs = {"old": _start(Path(tmp) / "src"), "new": _start(ROOT / "src")}
        sizes = {"terms": args.terms_n, "organisation": args.org_n}
        for proc in procs.values():  # warm up: numba compile or cache load, first-touch memory
            for model, n in sizes.items():
                _ask(proc, model, min(n, 200_000))
        runs: dict[str, dict[str, list[dict[str, float]]]] = {m: {k: [] for k in procs} for m in sizes}
        for _ in range(args.reps):
            for model, n in sizes.items():
                for name, proc in procs.items():
                    runs[model][name].append(_ask(proc, model, n))
        for proc in procs.values():
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()
    result: dict[str, object] = {"baseline": args.baseline, "reps": args.reps, "load": os.getloadavg()}
    print(f"# baseline {args.baseline}, median of {args.reps}, load average {os.getloadavg()}")
    for model, n in sizes.items():
        for name in procs:
            rs = runs[model][name]
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            row = {"n": n, "wall_s": wall, "cpu_s": cpu, "per_s": n / wall, "per_cpu_s": n / cpu}
            row["mean"] = rs[-1]["mean"]
            result[f"{model}/{name}"] = row
            print(
                f"{model:<13} {name:<4} {n:>11,} trial-years {wall:7.3f} s wall {cpu:7.3f} CPU-s  "
                f"{n / wall / 1e6:7.2f} M/s wall {n / cpu / 1e6:7.2f} M/s per CPU-second  mean {row['mean']:,.0f}"
            )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
