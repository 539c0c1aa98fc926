"""From what a port answered to findings: service kinds, products and versions, KEV, end of life,
TLS and HTTP headers. Pure functions of a :class:`~insurable.scanner.probes.Service`, the exposure
catalogue, the KEV copy and today's date."""

from __future__ import annotations

import datetime as dt
import re

from insurable.catalog.exposure import ExposureFile, Product
from insurable.evidence import Finding
from insurable.scanner.kev import Kev
from insurable.scanner.probes import Service

#: Service kind -> the check that an exposed service of that kind triggers.
SERVICE_CHECKS = {
    "rdp": "exp.rdp_exposed",
    "vnc": "exp.vnc_exposed",
    "smb": "exp.smb_exposed",
    "telnet": "exp.telnet_exposed",
    "ftp": "exp.ftp_exposed",
    "database": "exp.database_exposed",
    "ssh": "exp.remote_management_exposed",
    "remote_management": "exp.remote_management_exposed",
}
SERVICE_AND_TLS_CHECKS = (
    *sorted(set(SERVICE_CHECKS.values())),
    "exp.vpn_portal",
    "exp.kev_vulnerable",
    "exp.eol_software",
    "exp.tls_old_protocol",
    "exp.tls_weak_cipher",
    "exp.tls_cert_untrusted",
    "exp.tls_cert_expired",
    "exp.tls_cert_expiring",
)


def fingerprint(service: Service, products: tuple[Product, ...]) -> list[tuple[Product, str | None]]:
    """Products recognised on a service, with their version where the banner shows it."""
    banner = service.banner
    text = ""
    if service.http is not None:
        banner = " ".join(filter(None, [service.http.headers.get("server"), service.http.headers.get("x-powered-by")]))
        text = "\n".join(f"{k}: {v}" for k, v in service.http.headers.items()) + "\n" + service.http.body
    seen: list[tuple[Product, str | None]] = []
    for product in products:
        version = None
        if product.banner is not None:
            match = re.search(product.banner, banner)
            if match is None:
                continue
            version = match.group(product.version_group) if product.version_group else None
        if product.body is not None and not re.search(product.body, text):
            continue
        seen.append((product, version))
    return seen


def _in_cycle(version: str, cycle: str) -> bool:
    return version == cycle or version.startswith(cycle + ".")


def service_findings(service: Service, exposure: ExposureFile, kev: Kev, today: dt.date) -> list[Finding]:
    """Every finding one probed service gives."""
    where = service.where
    found: list[Finding] = []
    for step in service.timed_out:
        found.append(Finding(check="exp.scan_timeout", target=where, detail=f"{step} timed out"))
    check = SERVICE_CHECKS.get(service.kind)
    if check is not None:
        found.append(Finding(check=check, target=where, detail=service.banner or service.kind))
    for product, version in fingerprint(service, exposure.products):
        label = f"{product.name} {version or '(version not shown)'}"
        if product.vpn_portal:
            listed = sorted(
                cve
                for cve, entry in kev.cves.items()
                if f"{entry.get('vendorProject')}/{entry.get('product')}" == product.kev_product
            )
            detail = f"{label}; {len(listed)} CVEs of this product in {kev.version}" if listed else label
            found.append(Finding(check="exp.vpn_portal", target=where, detail=detail, cves=tuple(listed)))
        if version is None:
            continue
        cves = sorted(
            v.cve
            for v in exposure.vulnerable_versions
            if v.product == product.id and version in v.versions and v.cve in kev.cves
        )
        if cves:
            found.append(Finding(check="exp.kev_vulnerable", target=where, detail=label, cves=tuple(cves)))
        for eol in exposure.end_of_life:
            if eol.product == product.id and _in_cycle(version, eol.cycle) and eol.eol <= today:
                found.append(
                    Finding(check="exp.eol_software", target=where, detail=f"{label}: end of life since {eol.eol}")
                )
    if service.tls is not None:
        found += _tls_findings(service, today)
    return found


def _tls_findings(service: Service, today: dt.date) -> list[Finding]:
    tls = service.tls
    assert tls is not None
    where = service.where
    found: list[Finding] = []
    if tls.old_versions:
        found.append(Finding(check="exp.tls_old_protocol", target=where, detail=", ".join(tls.old_versions)))
    if tls.weak_cipher:
        found.append(Finding(check="exp.tls_weak_cipher", target=where, detail=tls.weak_cipher))
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    if tls.not_after is not None and tls.not_before is not None and not tls.not_before <= now <= tls.not_after:
        found.append(
            Finding(
                check="exp.tls_cert_expired",
                target=where,
                detail=f"valid {tls.not_before:%Y-%m-%d} to {tls.not_after:%Y-%m-%d}",
            )
        )
    elif tls.not_after is not None and tls.not_after - now < dt.timedelta(days=30):
        found.append(Finding(check="exp.tls_cert_expiring", target=where, detail=f"expires {tls.not_after:%Y-%m-%d}"))
    if tls.verify_error is not None and "expired" not in tls.verify_error:
        detail = "self-signed" if tls.self_signed else tls.verify_error
        found.append(Finding(check="exp.tls_cert_untrusted", target=where, detail=detail))
    return found


def site_findings(service: Service, exposure: ExposureFile) -> list[Finding]:
    """HSTS and security headers of a web service (every one is checked, the main site included)."""
    http = service.http
    if http is None:
        return []
    found: list[Finding] = []
    if service.tls is not None and "strict-transport-security" not in http.headers:
        found.append(Finding(check="exp.hsts_missing", target=service.where))
    missing = [h for h in exposure.security_headers if h not in http.headers]
    if "x-frame-options" in missing and "frame-ancestors" in http.headers.get("content-security-policy", ""):
        missing.remove("x-frame-options")
    if missing:
        found.append(Finding(check="exp.security_headers_missing", target=service.where, detail=", ".join(missing)))
    return found
