"""Run the benchmarks (``make bench``). Not a test: prints timings and ratios, writes bench/results/.

Peers live outside the repository in ``bench/_peers/`` (gitignored; peer code is never committed):

- ``bench/_peers/venv``: a separate virtual environment with pyfair (PyPI) and numba, pydantic and
  pyyaml for our package (our code is put on PYTHONPATH from ``src``);
- ``bench/_peers/riskquant``: the source of Netflix-Skunkworks/riskquant (not on PyPI).

Both are created when missing (network needed once). ``--no-setup`` skips that and runs with what is
there; missing peers are skipped and reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "bench" / "_peers"
PEER_VENV = PEERS / "venv"
RISKQUANT = PEERS / "riskquant"
RISKQUANT_URL = "https://github.com/Netflix-Skunkworks/riskquant"
PEER_PACKAGES = ["pyfair", "numba", "pydantic", "pyyaml", "typer", "rich", "scipy", "matplotlib"]


def peer_python() -> Path:
    return PEER_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def setup() -> None:
    if not peer_python().exists():
        print(f"# creating {PEER_VENV} with {', '.join(PEER_PACKAGES)}")
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(peer_python()), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    if not RISKQUANT.exists() and shutil.which("git"):
        print(f"# fetching riskquant from {RISKQUANT_URL}")
        subprocess.run(["git", "clone", "-q", "--depth", "1", RISKQUANT_URL, str(RISKQUANT)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the insurable benchmarks.")
    parser.add_argument("--no-setup", action="store_true", help="do not create the peers' environment")
    args, rest = parser.parse_known_args()
    if not args.no_setup:
        try:
            setup()
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"# peer setup failed ({exc}); running without the missing peers")
    python = peer_python() if peer_python().exists() else Path(sys.executable)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(RISKQUANT)])}
    results = ROOT / "bench" / "results"
    cmd = [str(python), str(ROOT / "bench" / "lossmodel_bench.py"), "--json", str(results / "lossmodel.json"), *rest]
    sys.exit(subprocess.run(cmd, env=env, check=False).returncode)


if __name__ == "__main__":
    main()
