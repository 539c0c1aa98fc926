"""Service benchmark: requests/s and p50/p99 latency of saving an answer and of submitting an assessment.

Seeds a fresh database with ``insurable demo``, starts ``insurable serve`` as its own process on a
free loopback port, and drives it from this (separate) load process: ``--clients`` keep-alive
connections on one asyncio loop, speaking HTTP/1.1 through h11 (a thread per client costs the
shared cores more than the server's own work). Each phase stops after a bounded number of requests
or seconds, whichever comes first, and reports, besides requests/s and latency, the server's CPU
time per request (its process and its assessment workers, from psutil): the figure that holds when
other jobs share the machine, whose load average is printed with it.

    .venv/bin/python bench/service_bench.py                    # SQLite in a temporary directory
    .venv/bin/python bench/service_bench.py --database-url postgresql+psycopg://...   # PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import h11
import httpx2 as httpx
import psutil

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


def server_cpu(server: psutil.Process) -> tuple[float, float]:
    """CPU seconds (user + system) of the server process alone, and with its children (the
    assessment workers)."""
    own = total = 0.0
    for proc in [server, *server.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
        if proc.pid == server.pid:
            own = times.user + times.system
    return own, total


async def _client(
    base: str, auth: str, method: str, paths: list[tuple[str, object]], jobs: list[int], stop_at: float
) -> tuple[list[float], list[int]]:
    """One keep-alive connection sending requests until ``jobs`` runs dry or time is up."""
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    connection = h11.Connection(h11.CLIENT)
    latencies: list[float] = []
    errors: list[int] = []
    try:
        while jobs and time.monotonic() < stop_at:
            path, body = paths[jobs.pop() % len(paths)]
            payload = b"" if body is None else json.dumps(body).encode()
            headers = [("Host", url.netloc), ("Authorization", f"Bearer {auth}"), ("Content-Length", str(len(payload)))]
            if body is not None:
                headers.append(("Content-Type", "application/json"))
            started = time.perf_counter()
            writer.write(connection.send(h11.Request(method=method, target=path, headers=headers)))
            writer.write(connection.send(h11.Data(data=payload)) + connection.send(h11.EndOfMessage()))
            status = 0
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    connection.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise ConnectionError("the server closed the connection")
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
            connection.start_next_cycle()
    finally:
        writer.close()
    return latencies, errors


def phase(
    name: str,
    base: str,
    auth: str,
    method: str,
    paths: list[tuple[str, object]],
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
    server: psutil.Process,
) -> dict[str, object]:
    jobs = list(range(max_requests - 1, -1, -1))

    async def run() -> list[tuple[list[float], list[int]]]:
        stop_at = time.monotonic() + max_seconds
        return await asyncio.gather(*(_client(base, auth, method, paths, jobs, stop_at) for _ in range(clients)))

    load_before = os.getloadavg()[0]
    cpu_before = server_cpu(server)
    began = time.perf_counter()
    done = asyncio.run(run())
    wall = time.perf_counter() - began
    cpu_after = server_cpu(server)
    own, cpu = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    latencies = sorted(t for lat, _ in done for t in lat)
    errors = [e for _, err in done for e in err]
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "phase": name,
        "requests": len(latencies),
        "errors": len(errors),
        "clients": clients,
        "seconds": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "server_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 2),
        "server_process_cpu_ms_per_request": round(own * 1000 / max(len(latencies), 1), 2),
        "load_average": round(max(load_before, os.getloadavg()[0]), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--answers", type=int, default=3000, help="max answer saves")
    parser.add_argument("--submits", type=int, default=200, help="max submissions")
    parser.add_argument("--seconds", type=float, default=30, help="time limit per phase")
    parser.add_argument("--saves-only", action="store_true", help="skip the submit phase (and its warm-up)")
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
            process = psutil.Process(server.pid)
            phase("warm-up", base, secret, "PUT", saves, clients=2, max_requests=50, max_seconds=30, server=process)
            if not args.saves_only:
                phase(
                    "warm-up", base, secret, "POST", submit, clients=4, max_requests=8, max_seconds=120, server=process
                )
            results = [
                phase(
                    "save answer (PUT)",
                    base,
                    secret,
                    "PUT",
                    saves,
                    clients=args.clients,
                    max_requests=args.answers,
                    max_seconds=args.seconds,
                    server=process,
                ),
            ]
            if not args.saves_only:
                results.append(
                    phase(
                        "submit assessment (POST)",
                        base,
                        secret,
                        "POST",
                        submit,
                        clients=min(args.clients, 4),
                        max_requests=args.submits,
                        max_seconds=args.seconds,
                        server=process,
                    )
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file, WAL)"
    print(
        f"insurable service benchmark: {database}, {platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} CPUs, server and load on loopback in separate processes"
    )
    print(
        "| phase | requests | errors | clients | req/s | p50 ms | p99 ms | server CPU ms/request"
        " (server process alone) | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['phase']} | {r['requests']} | {r['errors']} | {r['clients']} | {r['requests_per_s']} |"
            f" {r['p50_ms']} | {r['p99_ms']} | {r['server_cpu_ms_per_request']}"
            f" ({r['server_process_cpu_ms_per_request']}) | {r['load_average']} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"database": database, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
