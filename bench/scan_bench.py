"""Scanner benchmark against nmap, in the same run, on 127.0.0.1 only.

1. **Sweep**: a TCP connect sweep of all 65,535 loopback ports, ours (:func:`insurable.scanner.sweep.sweep`,
   epoll, no rate limit) against ``nmap -sT -p1-65535 -n -Pn 127.0.0.1``. Round-robin, median of
   ``--reps``. Both must find the same open ports (loopback self-connects aside).
2. **Service and TLS stage**: the loopback fixture services of the tests (TLS with valid, expired and
   self-signed certificates, RDP, SMB, SSH, FTP, a VPN portal, a silent port), ``--copies`` sets of
   them; ours (:func:`insurable.scanner.engine.probe_all` with the CLI defaults: 3 s timeout, 0.5 s
   banner wait) against ``nmap -sT -sV -n -Pn -p PORTS 127.0.0.1``.

Writes ``bench/results/scan.json``. The machine is shared: read the ratios, not the absolute times.

    .venv/bin/python bench/scan_bench.py [--reps 3] [--service-reps 1] [--copies 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scanner.fixtures import LOOPBACK, FixtureServers  # noqa: E402

from insurable.catalog import load_catalog  # noqa: E402
from insurable.catalog.exposure import ExposureFile  # noqa: E402
from insurable.scanner.consent import USER_AGENT, Target  # noqa: E402
from insurable.scanner.engine import ScanOptions, probe_all  # noqa: E402
from insurable.scanner.probes import ProbeOptions  # noqa: E402
from insurable.scanner.sweep import sweep  # noqa: E402


def nmap_open_ports(output: str) -> set[int]:
    return {int(m.group(1)) for m in re.finditer(r"^(\d+)/tcp\s+open", output, re.MULTILINE)}


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_sweep(reps: int) -> dict[str, object]:
    ours, theirs = [], []
    found_ours: set[int] = set()
    found_nmap: set[int] = set()
    sweep(LOOPBACK, range(1, 1025), rate=None)  # warm-up
    for _ in range(reps):
        t, result = timed(lambda: sweep(LOOPBACK, range(1, 65536), rate=None))
        ours.append(t)
        found_ours = set(result.open)
        t, proc = timed(
            lambda: subprocess.run(
                ["nmap", "-sT", "-p1-65535", "-n", "-Pn", LOOPBACK], capture_output=True, text=True, check=True
            )
        )
        theirs.append(t)
        found_nmap = nmap_open_ports(proc.stdout)
    return {
        "ours_s": ours,
        "nmap_s": theirs,
        "ours_median_s": statistics.median(ours),
        "nmap_median_s": statistics.median(theirs),
        "ratio_nmap_over_ours": statistics.median(theirs) / statistics.median(ours),
        "open_ports_ours": len(found_ours),
        "open_ports_nmap": len(found_nmap),
        "same_open_ports": found_ours == found_nmap,
        "only_ours": sorted(found_ours - found_nmap)[:20],
        "only_nmap": sorted(found_nmap - found_ours)[:20],
    }


def bench_services(reps: int, copies: int) -> dict[str, object]:
    exposure = load_catalog().get("exposure.yaml", ExposureFile)
    hints: dict[int, str] = {p.port: p.service for p in exposure.critical_ports}
    tmp = Path(tempfile.mkdtemp(prefix="scan-bench-"))
    fleets = []
    for i in range(copies):
        (tmp / f"set{i}").mkdir()
        fleets.append(FixtureServers(tmp / f"set{i}"))
    try:
        ports = sorted(p for f in fleets for p in f.fixtures.ports.values())
        target = Target(name=LOOPBACK, address=LOOPBACK)
        options = ScanOptions()
        probe = ProbeOptions(timeout=options.timeout, banner_wait=options.banner_wait, user_agent=USER_AGENT)

        def ours_once():  # type: ignore[no-untyped-def]
            return asyncio.run(probe_all([target], {LOOPBACK: tuple(ports)}, hints, probe, options, lambda *_a: None))

        ours, theirs, identified_nmap = [], [], 0
        services = ours_once()  # warm-up
        for _ in range(reps):
            t, services = timed(ours_once)
            ours.append(t)
            t, proc = timed(
                lambda: subprocess.run(
                    ["nmap", "-sT", "-sV", "-n", "-Pn", "-p", ",".join(map(str, ports)), LOOPBACK],
                    capture_output=True,
                    text=True,
                    check=True,
                )
            )
            theirs.append(t)
            identified_nmap = len(
                [line for line in proc.stdout.splitlines() if re.match(r"^\d+/tcp\s+open\s+(?!unknown)\S", line)]
            )
        identified = [s for s in services if s.kind != "unknown"]
        return {
            "ports": len(ports),
            "ours_s": ours,
            "nmap_s": theirs,
            "ours_median_s": statistics.median(ours),
            "nmap_median_s": statistics.median(theirs),
            "ratio_nmap_over_ours": statistics.median(theirs) / statistics.median(ours),
            "identified_ours": len(identified),
            "identified_nmap": identified_nmap,
            "tls_examined_ours": len([s for s in services if s.tls is not None]),
        }
    finally:
        for fleet in fleets:
            fleet.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--service-reps", type=int, default=1, help="nmap -sV takes minutes: few repetitions")
    parser.add_argument("--copies", type=int, default=2, help="sets of fixture services for the service stage")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    if shutil.which("nmap") is None:
        print("nmap is not installed (apt-get install -y nmap); nothing to compare against")
        return 1
    version = subprocess.run(["nmap", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    result: dict[str, object] = {
        "nmap": version,
        "python": platform.python_version(),
        "reps": args.reps,
        "service_reps": args.service_reps,
        "load_average_before": list(os.getloadavg()),
    }
    if not args.skip_sweep:
        result["sweep"] = bench_sweep(args.reps)
        print("sweep:", json.dumps(result["sweep"], indent=1))
    result["services"] = bench_services(args.service_reps, args.copies)
    print("services:", json.dumps(result["services"], indent=1))
    out = ROOT / "bench" / "results" / "scan.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
