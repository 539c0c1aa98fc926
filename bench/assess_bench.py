"""Benchmark ``insurable assess``: the cold start of the CLI and the fix-path warm. Not a test.

Two rows, each against a named baseline and as an absolute time against the target of issue 10:

- **cold start**: ``insurable assess EXAMPLE`` (text, the default loss trials and fix-path) in a fresh
  process, median of ``--reps`` runs; baseline: the bare interpreter (``python -c pass``) and
  ``insurable --help``. Target: under 1 s.
- **fix-path warm**: :func:`insurable.assessment.assess` with the fix-path and the one-control-alone
  plan, the loss model off (``loss_trials=None``) and on (its default trials per step), after one
  warm-up run in the same process; baseline: one engine pass
  (:func:`insurable.underwriting.engine.assess`). Target: under 100 ms.
- **CPU per assessment**, per example in ``examples/``: the whole :func:`insurable.assessment.assess`
  as a submission runs it (loss model, fix-path with the loss per step, plan), warm, the median of
  ``--reps`` runs of **CPU time** (``time.process_time``: what a worker process spends, and the
  figure that holds on a shared machine). Issue 13's submit target needs it well under 100 ms.

    .venv/bin/python bench/assess_bench.py [--reps 5] [--example examples/dutch-msp.yaml]
    .venv/bin/python bench/assess_bench.py --cpu-only     # the per-example CPU rows alone

Writes ``bench/results/assess.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _wall(cmd: list[str], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _warm(fn: object, reps: int) -> float:
    assert callable(fn)
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cpu(fn: object, reps: int) -> float:
    """Median CPU seconds of ``fn()`` (this process), after one warm-up run."""
    assert callable(fn)
    fn()
    times = []
    for _ in range(reps):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def cpu_per_example(reps: int) -> dict[str, float]:
    """CPU seconds of one whole assessment of each example (warm)."""
    from insurable.assessment import assess
    from insurable.catalog import load_catalog
    from insurable.profile import load_organisation

    catalog = load_catalog()
    rows = {}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        org = load_organisation(path)
        rows[path.stem] = _cpu(lambda org=org: assess(org, catalog), reps)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--example", type=Path, default=ROOT / "examples" / "dutch-msp.yaml")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "assess.json")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU per assessment of each example")
    args = parser.parse_args()
    cpu = cpu_per_example(args.reps)
    print(f"# {platform.platform()}, Python {platform.python_version()}; CPU ms per assessment (warm, median)")
    for name, seconds in cpu.items():
        print(f"CPU per assessment: {name:22s} {seconds * 1000:7.1f} ms")
    if args.cpu_only:
        return
    exe = str(Path(sys.executable).parent / "insurable")
    rows: dict[str, float] = {}
    rows["python -c pass"] = _wall([sys.executable, "-c", "pass"], args.reps)
    rows["insurable --help"] = _wall([exe, "--help"], args.reps)
    rows["insurable assess (cold)"] = _wall([exe, "assess", str(args.example)], args.reps)

    from insurable.assessment import assess
    from insurable.catalog import load_catalog
    from insurable.profile import load_organisation
    from insurable.underwriting import engine

    catalog = load_catalog()
    org = load_organisation(args.example)
    rows["engine pass (warm)"] = _warm(lambda: engine.assess(org, catalog), args.reps * 4)
    rows["fix-path, no loss model (warm)"] = _warm(lambda: assess(org, catalog, loss_trials=None), args.reps)
    rows["fix-path + loss per step (warm)"] = _warm(
        lambda: assess(org, catalog),
        args.reps,
    )
    result = assess(org, catalog, loss_trials=None)
    cold = rows["insurable assess (cold)"]
    path = rows["fix-path, no loss model (warm)"]
    print(f"# {platform.platform()}, Python {platform.python_version()}, example {args.example.name}")
    print(f"# path: {len(result.path)} steps, {len(result.plan)} controls alone")
    for name, seconds in rows.items():
        print(f"{name:36s} {seconds * 1000:9.1f} ms")
    print(f"cold start / python -c pass         {cold / rows['python -c pass']:9.1f} x   (target: under 1 s)")
    print(f"cold start / insurable --help       {cold / rows['insurable --help']:9.1f} x")
    print(f"fix-path / one engine pass          {path / rows['engine pass (warm)']:9.1f} x   (target: under 100 ms)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "example": args.example.name,
                "reps": args.reps,
                "seconds": rows,
                "cpu_seconds_per_assessment": cpu,
                "targets_seconds": {"insurable assess (cold)": 1.0, "fix-path, no loss model (warm)": 0.1},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
