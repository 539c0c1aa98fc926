"""One scan: consent -> DNS and e-mail checks -> port sweep -> service, TLS and HTTP probes -> findings.

The sweep runs in a worker thread (epoll, see :mod:`insurable.scanner.sweep`); the probes run on
asyncio with bounded concurrency overall and per host. ``progress`` is called as work completes so
the CLI can draw a Rich progress bar; the engine itself prints nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from insurable.catalog.exposure import ExposureFile
from insurable.evidence import Finding, ScanResult
from insurable.profile import Organisation
from insurable.scanner.consent import USER_AGENT, Target, authorise
from insurable.scanner.dnscheck import DNS_CHECKS, Lookup, domain_findings
from insurable.scanner.findings import SERVICE_AND_TLS_CHECKS, service_findings, site_findings
from insurable.scanner.kev import Kev, load_kev
from insurable.scanner.probes import ProbeOptions, Service, probe_service
from insurable.scanner.sweep import sweep

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    ports: tuple[int, ...] | None = None
    """Ports to sweep; None: the insurers' critical-port list from ``exposure.yaml``."""
    attest_user: str | None = None
    allow_private: bool = False
    only: tuple[str, ...] = ()
    nameserver: str | None = None
    well_known: tuple[tuple[int, bool], ...] = ((443, True), (80, False))
    concurrency: int = 100
    per_host: int = 20
    rate: float | None = 500.0
    timeout: float = 3.0
    banner_wait: float = 0.5
    ca_file: str | None = None
    today: dt.date | None = None
    sweep_concurrency: int = 1000
    kev: Kev | None = None


def run_scan(
    org: Organisation, exposure: ExposureFile, options: ScanOptions, progress: Progress | None = None
) -> ScanResult:
    """Scan ``org``'s declared, proven targets; raise InputError (exit 2) when consent is missing."""
    result, _services = asyncio.run(scan(org, exposure, options, progress))
    return result


async def scan(
    org: Organisation, exposure: ExposureFile, options: ScanOptions, progress: Progress | None = None
) -> tuple[ScanResult, list[Service]]:
    """The scan and what each open port turned out to be."""
    started = dt.datetime.now(dt.UTC)
    today = options.today or started.date()
    kev = options.kev or load_kev()
    report = progress or (lambda _stage, _done, _total: None)
    lookup = Lookup(options.nameserver, options.timeout)
    consents, targets, domains = await asyncio.to_thread(
        authorise,
        org,
        lookup,
        attest_user=options.attest_user,
        allow_private=options.allow_private,
        only=options.only,
        well_known=options.well_known,
        timeout=options.timeout,
        now=started,
    )
    findings: list[Finding] = []
    report("dns", 0, len(domains))
    for i, domain in enumerate(domains):
        findings += await asyncio.to_thread(domain_findings, lookup, domain, exposure)
        report("dns", i + 1, len(domains))
    findings += [
        Finding(check="exp.scan_timeout", target=name, detail="DNS query timed out") for name in lookup.timeouts
    ]

    hints: dict[int, str] = {p.port: p.service for p in exposure.critical_ports}
    ports = options.ports or tuple(sorted(hints))
    addresses = sorted({t.address for t in targets})
    open_ports: dict[str, tuple[int, ...]] = {}
    report("ports", 0, len(addresses))
    for i, address in enumerate(addresses):
        swept = await asyncio.to_thread(
            sweep,
            address,
            ports,
            concurrency=options.sweep_concurrency,
            timeout=options.timeout,
            rate=options.rate,
        )
        open_ports[address] = tuple(swept.open)
        report("ports", i + 1, len(addresses))

    probe_opts = ProbeOptions(
        timeout=options.timeout, banner_wait=options.banner_wait, user_agent=USER_AGENT, ca_file=options.ca_file
    )
    services = await probe_all(targets, open_ports, hints, probe_opts, options, report)
    for service in services:
        findings += service_findings(service, exposure, kev, today)
    for service in services:
        findings += site_findings(service, exposure)
    ran = set(DNS_CHECKS) if domains else set()
    if targets:
        ran |= set(SERVICE_AND_TLS_CHECKS)
    if any(s.http is not None for s in services):
        ran |= {"exp.hsts_missing", "exp.security_headers_missing"}
    unique = {(f.check, f.target, str(f.value), f.detail): f for f in findings}
    result = ScanResult(
        organisation=org.name or "",
        started=started,
        finished=dt.datetime.now(dt.UTC),
        user_agent=USER_AGENT,
        consent=tuple(consents),
        targets=tuple(sorted({t.name for t in targets} | set(domains))),
        checks_run=tuple(sorted(ran)),
        findings=tuple(sorted(unique.values(), key=lambda f: (f.check, f.target))),
        open_ports=open_ports,
        kev_catalogue=kev.label(),
    )
    return result, services


async def probe_all(
    targets: list[Target],
    open_ports: dict[str, tuple[int, ...]],
    hints: dict[int, str],
    probe_opts: ProbeOptions,
    options: ScanOptions,
    report: Progress,
) -> list[Service]:
    """Probe every open port of every target: at most ``concurrency`` at once, ``per_host`` per address."""
    overall = asyncio.Semaphore(options.concurrency)
    per_host = {a: asyncio.Semaphore(options.per_host) for a in open_ports}
    jobs = [(t, port) for t in targets for port in open_ports.get(t.address, ())]
    done = 0
    report("services", 0, len(jobs))

    async def one(target: Target, port: int) -> Service:
        nonlocal done
        async with overall, per_host[target.address]:
            service = await probe_service(target.name, target.address, port, hints.get(port), probe_opts)
        done += 1
        report("services", done, len(jobs))
        return service

    return list(await asyncio.gather(*(one(t, p) for t, p in jobs)))
