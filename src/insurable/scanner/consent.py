"""The consent gate: scan only what the organisation declared, and only after proof of control.

Declared targets are ``scan_targets`` in the organisation file (domains, IP ranges). A domain is
proven by a DNS TXT record at ``_insurable-scan.<domain>`` or a file at
``/.well-known/insurable-scan.txt``, each holding the organisation's token
(:func:`consent_token`), or by an attestation on the command line, recorded with the user and the
time. IP ranges can only be attested. Private, loopback and other non-public addresses are refused
unless explicitly allowed (the tests allow loopback). Refusals name every target and the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import ipaddress
import ssl
from dataclasses import dataclass

from insurable.errors import InputError, Problem
from insurable.evidence import Consent
from insurable.profile import Organisation
from insurable.scanner.dnscheck import Lookup

USER_AGENT = "insurable-scan/0.1 (outside-in check requested by the target's owner; see docs/scanner.md)"
TXT_PREFIX = "_insurable-scan"
WELL_KNOWN_PATH = "/.well-known/insurable-scan.txt"
#: Largest number of addresses one scan may cover.
MAX_ADDRESSES = 4096


@dataclass(frozen=True)
class Target:
    """One address to scan, with the name it was declared under (a domain or the address itself)."""

    name: str
    address: str
    domain: str | None = None


def consent_token(organisation: str, domain: str) -> str:
    """The token the owner publishes to prove control of ``domain`` for ``organisation``."""
    digest = hashlib.sha256(f"insurable-scan|{organisation}|{domain}".encode()).hexdigest()
    return f"insurable-scan={digest[:32]}"


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def _fetch_well_known(address: str, domain: str, port: int, tls: bool, timeout: float) -> str:
    conn: http.client.HTTPConnection
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(address, port, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request("GET", WELL_KNOWN_PATH, headers={"Host": domain, "User-Agent": USER_AGENT})
        response = conn.getresponse()
        return response.read(4096).decode("utf-8", "replace") if response.status == 200 else ""
    except (OSError, http.client.HTTPException, ssl.SSLError):
        return ""
    finally:
        conn.close()


def authorise(
    org: Organisation,
    lookup: Lookup,
    *,
    attest_user: str | None = None,
    allow_private: bool = False,
    only: tuple[str, ...] = (),
    well_known: tuple[tuple[int, bool], ...] = ((443, True), (80, False)),
    timeout: float = 3.0,
    now: dt.datetime | None = None,
) -> tuple[list[Consent], list[Target], list[str]]:
    """Check consent for every declared (or ``only`` the named) target; raise InputError on any refusal.

    Returns the consent records, the addresses to scan and the domains for the DNS checks.
    """
    now = now or dt.datetime.now(dt.UTC)
    declared = org.scan_targets
    problems: list[Problem] = []
    if declared is None or not (declared.domains or declared.ip_ranges):
        raise InputError(
            [Problem("scan_targets", "no scan targets declared: list your domains and IP ranges under scan_targets")]
        )
    ranges = [ipaddress.ip_network(r, strict=False) for r in declared.ip_ranges]
    for name in only:
        ok = name.lower().rstrip(".") in declared.domains
        if not ok:
            try:
                ok = any(ipaddress.ip_address(name) in net for net in ranges)
            except ValueError:
                ok = False
        if not ok:
            problems.append(Problem("--target", f"{name!r} is not declared in scan_targets; it will not be scanned"))
    domains = [d for d in declared.domains if not only or d in {o.lower().rstrip(".") for o in only}]
    consents: list[Consent] = []
    targets: list[Target] = []
    for i, domain in enumerate(domains):
        addresses = lookup.addresses(domain)
        where = f"scan_targets.domains[{i}]"
        blocked = [a for a in addresses if not _public(a)]
        if blocked and not allow_private:
            problems.append(
                Problem(where, f"{domain} resolves to non-public {', '.join(blocked)}; refused without --allow-private")
            )
            continue
        method = _proof(domain, addresses, lookup, org.name or "", well_known, timeout)
        if method is None and attest_user is None:
            problems.append(
                Problem(
                    where,
                    f"no proof of control of {domain}: publish TXT {TXT_PREFIX}.{domain} "
                    f"or {WELL_KNOWN_PATH} with {consent_token(org.name or '', domain)!r}, or attest with --attest",
                )
            )
            continue
        consents.append(
            Consent(target=domain, method=method or "attestation", by=None if method else attest_user, at=now)
        )
        targets += [Target(name=domain, address=a, domain=domain) for a in addresses]
    for i, net in enumerate(ranges):
        if only and not any(_in(name, net) for name in only):
            continue
        where = f"scan_targets.ip_ranges[{i}]"
        if net.num_addresses > MAX_ADDRESSES:
            problems.append(
                Problem(where, f"{net} has {net.num_addresses} addresses; at most {MAX_ADDRESSES} per scan")
            )
            continue
        if not allow_private and not (net.is_global and not net.is_multicast):
            problems.append(Problem(where, f"{net} is not a public range; refused without --allow-private"))
            continue
        if attest_user is None:
            problems.append(Problem(where, f"{net}: IP ranges need an attestation (--attest) that you control them"))
            continue
        consents.append(Consent(target=str(net), method="attestation", by=attest_user, at=now))
        hosts = [net.network_address] if net.num_addresses == 1 else list(net.hosts())
        chosen = [n for n in only if _in(n, net)] or [str(h) for h in hosts]
        targets += [Target(name=a, address=a) for a in chosen]
    if problems:
        raise InputError(problems)
    unique = {(t.name, t.address): t for t in targets}
    return consents, list(unique.values()), domains


def _in(name: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(name) in net
    except ValueError:
        return False


def _proof(
    domain: str,
    addresses: list[str],
    lookup: Lookup,
    organisation: str,
    well_known: tuple[tuple[int, bool], ...],
    timeout: float,
) -> str | None:
    token = consent_token(organisation, domain)
    if any(token in record for record in lookup.records(f"{TXT_PREFIX}.{domain}", "TXT")):
        return "dns-txt"
    for address in addresses[:1]:
        for port, tls in well_known:
            if token in _fetch_well_known(address, domain, port, tls, timeout):
                return "well-known"
    return None
