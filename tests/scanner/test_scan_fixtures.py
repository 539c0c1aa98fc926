"""The scan end to end against loopback fixtures: every check kind, timeouts, and the sweep."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from insurable.catalog.exposure import ExposureFile
from insurable.evidence import ScanResult, finding_values, reconcile
from insurable.profile import parse_organisation
from insurable.scanner import ScanOptions, run_scan
from insurable.scanner.sweep import parse_ports, sweep
from tests.scanner.fixtures import DOMAIN, Fixtures


def _options(servers: Fixtures, **extra: object) -> ScanOptions:
    settings: dict[str, object] = {
        "ports": tuple(sorted(servers.ports.values())),
        "allow_private": True,
        "nameserver": servers.nameserver,
        "ca_file": str(servers.ca_file),
        "timeout": 1.0,
        "banner_wait": 0.3,
        "rate": None,
    }
    settings.update(extra)
    return ScanOptions(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def result(servers: Fixtures, exposure: ExposureFile) -> ScanResult:
    org = parse_organisation(servers.organisation())
    return run_scan(org, exposure, _options(servers))


def _at(servers: Fixtures, name: str) -> str:
    return f"{DOMAIN}:{servers.ports[name]}"


def _checks_at(result: ScanResult, target: str) -> set[str]:
    return {f.check for f in result.findings if f.target == target}


def test_consent_by_dns_txt_is_recorded(result: ScanResult) -> None:
    assert [(c.target, c.method, c.by) for c in result.consent] == [(DOMAIN, "dns-txt", None)]
    assert result.user_agent.startswith("insurable-scan/")


def test_exposed_services_are_recognised_by_what_they_answer(result: ScanResult, servers: Fixtures) -> None:
    assert "exp.rdp_exposed" in _checks_at(result, _at(servers, "rdp"))
    assert "exp.smb_exposed" in _checks_at(result, _at(servers, "smb"))
    assert "exp.remote_management_exposed" in _checks_at(result, _at(servers, "ssh"))
    assert "exp.ftp_exposed" in _checks_at(result, _at(servers, "ftp"))
    # A TLS web server is not mistaken for RDP or SMB.
    assert not {"exp.rdp_exposed", "exp.smb_exposed"} & _checks_at(result, _at(servers, "https_valid"))


def test_vpn_portal_kev_and_end_of_life(result: ScanResult, servers: Fixtures) -> None:
    at = _at(servers, "vpn_portal")
    by_check = {f.check: f for f in result.findings if f.target == at}
    assert "exp.vpn_portal" in by_check and "CVE-2018-13379" in by_check["exp.vpn_portal"].cves
    assert by_check["exp.kev_vulnerable"].cves == ("CVE-2021-41773", "CVE-2021-42013")
    assert "PHP 7.4.3" in by_check["exp.eol_software"].detail


def test_certificates_valid_expired_and_self_signed(result: ScanResult, servers: Fixtures) -> None:
    valid = _checks_at(result, _at(servers, "https_valid"))
    assert not {c for c in valid if c.startswith("exp.tls_") or c == "exp.hsts_missing"}
    assert "exp.security_headers_missing" not in valid
    assert "exp.tls_cert_expired" in _checks_at(result, _at(servers, "https_expired"))
    assert "exp.tls_cert_untrusted" not in _checks_at(result, _at(servers, "https_expired"))
    old = _checks_at(result, _at(servers, "https_selfsigned_old"))
    assert {"exp.tls_cert_untrusted", "exp.hsts_missing", "exp.security_headers_missing"} <= old


def test_old_protocol_where_openssl_allows(result: ScanResult, servers: Fixtures) -> None:
    if not _openssl_speaks_tls10():
        pytest.skip("the local OpenSSL cannot speak TLS 1.0")
    old = [f for f in result.findings if f.check == "exp.tls_old_protocol"]
    assert [f.target for f in old] == [_at(servers, "https_selfsigned_old")]
    assert "TLSv1" in old[0].detail


def _openssl_speaks_tls10() -> bool:
    import ssl
    import warnings

    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1
    except (ValueError, ssl.SSLError):
        return False
    return True


def test_dns_and_email(result: ScanResult) -> None:
    values = {f.check: f.value for f in result.findings if f.target == DOMAIN}
    assert values["exp.dmarc_policy"] == "none_policy"
    assert {"exp.dkim_not_found", "exp.dnssec_missing"} <= set(values)
    assert not {"exp.spf_missing", "exp.mx_missing", "exp.caa_missing"} & set(values)


def test_subdomain_inherits_dmarc_and_caa_from_its_parent(servers: Fixtures, exposure: ExposureFile) -> None:
    org = parse_organisation(servers.organisation(domains=[f"sub.{DOMAIN}"]))
    result = run_scan(org, exposure, _options(servers, ports=(servers.ports["ssh"],), well_known=()))
    values = {f.check: f.value for f in result.findings if f.target == f"sub.{DOMAIN}"}
    assert values["exp.dmarc_policy"] == "none_policy"  # from _dmarc.example.test
    assert "exp.caa_missing" not in values
    assert "exp.spf_missing" in values  # SPF is per name: no fallback


def test_a_silent_port_is_a_timeout_finding_not_an_error(result: ScanResult, servers: Fixtures) -> None:
    found = [f for f in result.findings if f.target == _at(servers, "silent")]
    assert {f.check for f in found} == {"exp.scan_timeout"}


def test_result_round_trips_as_json_and_feeds_reconciliation(result: ScanResult, exposure: ExposureFile) -> None:
    again = ScanResult.model_validate_json(result.model_dump_json())
    assert again == result
    values = finding_values(again, exposure)
    assert values["exp.rdp_exposed"] is True and values["exp.dmarc_policy"] == "none_policy"
    assert values["exp.telnet_exposed"] is False  # ran, not seen
    rec = reconcile({"q.exposure.rdp_exposed": False, "q.email.dmarc": "reject"}, again, exposure)
    assert [(c.check, c.declared, c.observed) for c in rec.contradictions] == [
        ("exp.rdp_exposed", False, True),
        ("exp.dmarc_policy", "reject", "none_policy"),
        ("exp.remote_management_exposed", False, True),  # SSH: the question names it too
    ]


def test_expiring_soon_is_its_own_finding(servers: Fixtures, exposure: ExposureFile) -> None:
    org = parse_organisation(servers.organisation())
    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=350)
    options = _options(servers, ports=(servers.ports["https_valid"],), today=later)
    result = run_scan(org, exposure, options)
    assert "exp.tls_cert_expiring" in {f.check for f in result.findings}


def test_sweep_finds_exactly_the_open_ports() -> None:
    listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(3)]
    try:
        opened = sorted(s.getsockname()[1] for s in listeners)
        closed = []
        for _ in range(3):
            probe = socket.create_server(("127.0.0.1", 0))
            closed.append(probe.getsockname()[1])
            probe.close()
        result = sweep("127.0.0.1", opened + closed, concurrency=4, timeout=1.0, rate=1000)
        assert result.open == opened
        assert result.filtered == []
    finally:
        for s in listeners:
            s.close()


def test_parse_ports() -> None:
    assert parse_ports("80, 443,8000-8002") == [80, 443, 8000, 8001, 8002]
    for bad in ("0", "70000", "9-3", "http", ""):
        with pytest.raises(ValueError):
            parse_ports(bad)


def test_an_unanswering_resolver_gives_timeout_findings(servers: Fixtures, exposure: ExposureFile) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        org = parse_organisation(servers.organisation())
        options = _options(
            servers,
            nameserver=f"127.0.0.1:{silent.getsockname()[1]}",
            attest_user="tester",
            timeout=0.05,
            well_known=(),
        )
        result = run_scan(org, exposure, options)
    finally:
        silent.close()
    assert [(c.method, c.by) for c in result.consent] == [("attestation", "tester")]
    timeouts = [f for f in result.findings if f.check == "exp.scan_timeout"]
    assert any(f.target == f"_dmarc.{DOMAIN} TXT" for f in timeouts)
    assert result.open_ports == {}  # the name never resolved: nothing was connected to
