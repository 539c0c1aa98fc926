"""Service benchmark: requests/s and p50/p99 latency of saving an answer and of submitting an assessment.

Seeds a fresh database with ``insurable demo``, starts ``insurable serve`` as its own process on a
free loopback port, and drives it from this (separate) load process with a pool of client threads.
Each phase stops after a bounded number of requests or seconds, whichever comes first.

    .venv/bin/python bench/service_bench.py                    # SQLite in a temporary directory
    .venv/bin/python bench/service_bench.py --database-url postgresql+psycopg://...   # PostgreSQL
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OWNER = "dutch-msp@demo.example"
PASSWORD = "insurable-demo"
BOOLEAN_QUESTIONS = [
    "q.mfa.remote_access",
    "q.mfa.email",
    "q.mfa.privileged",
    "q.endpoint.edr",
    "q.backup.offline_copy",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited; see its output above")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up within 60 s")


def token(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        login = client.post("/api/v1/auth/login", json={"email": OWNER, "password": PASSWORD})
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        created = client.post("/api/v1/me/tokens", json={"name": "bench"}, headers=csrf)
        created.raise_for_status()
        return str(created.json()["token"])


def phase(
    name: str,
    base: str,
    auth: str,
    method: str,
    paths: list[tuple[str, object]],
    *,
    threads: int,
    max_requests: int,
    max_seconds: float,
) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(max_requests))
    stop_at = time.monotonic() + max_seconds

    def worker() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {auth}"}, timeout=120) as client:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                path, body = paths[i % len(paths)]
                started = time.perf_counter()
                response = client.request(method, path, json=body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code >= 400:
                        errors.append(response.status_code)

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "phase": name,
        "requests": len(latencies),
        "errors": len(errors),
        "threads": threads,
        "seconds": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--answers", type=int, default=3000, help="max answer saves")
    parser.add_argument("--submits", type=int, default=200, help="max submissions")
    parser.add_argument("--seconds", type=float, default=30, help="time limit per phase")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "INSURABLE_DATABASE_URL": url}
        subprocess.run(
            [BIN / "insurable", "demo", "--examples", str(ROOT / "examples"), "--no-assess"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [BIN / "insurable", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            secret = token(base)
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}) as client:
                org = client.get("/api/v1/organisations").json()[0]["id"]
            saves = [
                (f"/api/v1/organisations/{org}/answers/{q}", {"value": bool(i % 2)})
                for i, q in enumerate(BOOLEAN_QUESTIONS * 2)
            ]
            submit = [(f"/api/v1/organisations/{org}/assessments", None)]
            # Warm-up, untimed: the assessment workers load the catalogue and compile the loss model's
            # kernels once at start; a served instance is measured warm.
            phase("warm-up", base, secret, "POST", submit, threads=4, max_requests=8, max_seconds=120)
            results = [
                phase(
                    "save answer (PUT)",
                    base,
                    secret,
                    "PUT",
                    saves,
                    threads=args.threads,
                    max_requests=args.answers,
                    max_seconds=args.seconds,
                ),
                phase(
                    "submit assessment (POST)",
                    base,
                    secret,
                    "POST",
                    submit,
                    threads=min(args.threads, 4),
                    max_requests=args.submits,
                    max_seconds=args.seconds,
                ),
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file, WAL)"
    print(
        f"insurable service benchmark: {database}, {platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} CPUs, server and load on loopback in separate processes"
    )
    print("| phase | requests | errors | client threads | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['phase']} | {r['requests']} | {r['errors']} | {r['threads']} | {r['requests_per_s']} |"
            f" {r['p50_ms']} | {r['p99_ms']} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"database": database, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
