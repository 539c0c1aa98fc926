"""Portfolio kernel variants side by side, in one process (issue 17's speed work).

    .venv/bin/python bench/kernel_ab.py [--years 2000] [--rounds 3] [--scenario ID] [--rev REV] [FILE ...]

Each FILE is a copy of ``src/insurable/portfolio/kernel.py`` with a change (``--rev REV`` adds the
kernel of a git revision, e.g. ``HEAD``); the working tree's kernel always runs first and is the
reference. All of them run on the same compiled synthetic book (10^5 insureds, every systemic
scenario, or ``--scenario`` alone), one thread, 400-year blocks, in turns (reference, variant,
reference, variant, ...) after a warm-up round, so the machine's drift from minute to minute hits
every variant alike. Printed per variant: CPU seconds per 10^5 years (least and median) and the
median of its ratio to the reference, round by round, and the net AAL (the same draws give the
same AAL; a change of the random stream changes it a little).

On this 2-core machine the process's CPU time is stable to about 1 % this way; two processes side
by side on the two cores, or one after the other, drift by 10-15 % (docs/performance.md,
"Portfolio"). Nothing here is a test or a result: the bench's own figures come from
``portfolio_bench.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from insurable.catalog.loader import load_catalog  # noqa: E402 - after the path
from insurable.portfolio import engine  # noqa: E402
from insurable.portfolio import kernel as current  # noqa: E402
from insurable.portfolio.catalog import SystemicFile  # noqa: E402
from insurable.portfolio.synthetic import synthetic_book  # noqa: E402


def load_variant(path: Path, name: str) -> Any:
    """The compiled kernel of the module at ``path`` (registered under ``name`` so numba's cache
    can find it again)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.kernel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--years", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--insureds", type=int, default=100_000)
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--rev", default=None, help="also a git revision's kernel")
    args = parser.parse_args()
    files = list(args.files)
    tmp = tempfile.TemporaryDirectory()
    if args.rev:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{args.rev}:src/insurable/portfolio/kernel.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        path = Path(tmp.name) / "kernel_rev.py"
        path.write_text(text)
        files.append(path)
    systemic = load_catalog().get("systemic.yaml", SystemicFile)
    chosen = (args.scenario,) if args.scenario else None
    compiled = engine.compile_run(synthetic_book(args.insureds, systemic), systemic, chosen)
    names = ["working tree", *(str(f) for f in files)]
    kernels = [current.kernel(), *(load_variant(f, f"kernel_ab_{k}") for k, f in enumerate(files))]
    times: list[list[float]] = [[] for _ in kernels]
    aal = [0.0 for _ in kernels]
    original = engine.kernel
    try:
        for r in range(args.rounds + 1):  # round 0 warms up (JIT cache, first-touch memory)
            for k, compiled_kernel in enumerate(kernels):
                engine.kernel = lambda compiled_kernel=compiled_kernel: compiled_kernel  # type: ignore[misc]
                t0 = time.process_time()
                result = engine.run_portfolio(compiled, years=args.years, threads=1, block_years=400)
                cpu = time.process_time() - t0
                if r:
                    times[k].append(cpu * 1e5 / args.years)
                aal[k] = float(result.net.mean())
    finally:
        engine.kernel = original  # type: ignore[misc]
    for k, name in enumerate(names):
        ratio = statistics.median(a / b for a, b in zip(times[k], times[0], strict=True))
        print(
            f"{name[-40:]:40s} CPU-s per 1e5 years: least {min(times[k]):6.2f} median "
            f"{statistics.median(times[k]):6.2f}; ratio {ratio:.3f}; net AAL {aal[k]:,.0f}"
        )


if __name__ == "__main__":
    main()
