"""The consent gate: declared targets only, proof of control, private ranges only when allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from insurable.errors import InputError
from insurable.profile import parse_organisation
from insurable.scanner.consent import authorise, consent_token
from insurable.scanner.dnscheck import Lookup
from tests.scanner.fixtures import DOMAIN, ORG_NAME, Fixtures

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _refusal(org: dict[str, object], servers: Fixtures, **kwargs: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        authorise(parse_organisation(org), Lookup(servers.nameserver, 1.0), now=NOW, **kwargs)  # type: ignore[arg-type]
    return [f"{p.path}: {p.reason}" for p in caught.value.problems]


def test_nothing_declared_is_refused(servers: Fixtures) -> None:
    org = servers.organisation()
    del org["scan_targets"]
    assert _refusal(org, servers) == [
        "scan_targets: no scan targets declared: list your domains and IP ranges under scan_targets"
    ]


def test_undeclared_target_is_refused(servers: Fixtures) -> None:
    reasons = _refusal(servers.organisation(), servers, only=("other.test", "127.0.0.9"), allow_private=True)
    assert any("'other.test' is not declared" in r for r in reasons)
    assert any("'127.0.0.9' is not declared" in r for r in reasons)


def test_loopback_needs_the_explicit_flag(servers: Fixtures) -> None:
    reasons = _refusal(servers.organisation(), servers)
    assert reasons == [
        f"scan_targets.domains[0]: {DOMAIN} resolves to non-public 127.0.0.1; refused without --allow-private"
    ]


def test_no_proof_is_refused_with_the_token_to_publish(servers: Fixtures) -> None:
    org = servers.organisation(domains=["nodns.test"])
    reasons = _refusal(org, servers, allow_private=True, well_known=())
    assert len(reasons) == 1 and "no proof of control of nodns.test" in reasons[0]
    assert consent_token(ORG_NAME, "nodns.test") in reasons[0]


def test_attestation_is_recorded_with_user_and_time(servers: Fixtures) -> None:
    org = parse_organisation(servers.organisation(domains=["nodns.test"]))
    consents, targets, domains = authorise(
        org, Lookup(servers.nameserver, 1.0), attest_user="alice", allow_private=True, well_known=(), now=NOW
    )
    assert [(c.target, c.method, c.by, c.at) for c in consents] == [("nodns.test", "attestation", "alice", NOW)]
    assert [(t.name, t.address) for t in targets] == [("nodns.test", "127.0.0.1")]
    assert domains == ["nodns.test"]


def test_dns_txt_proof_beats_attestation(servers: Fixtures) -> None:
    org = parse_organisation(servers.organisation())
    consents, _targets, _domains = authorise(
        org, Lookup(servers.nameserver, 1.0), attest_user="alice", allow_private=True, well_known=(), now=NOW
    )
    assert [(c.method, c.by) for c in consents] == [("dns-txt", None)]


def test_well_known_file_proves_control(servers: Fixtures) -> None:
    org = parse_organisation(servers.organisation(domains=["wk.test"]))
    consents, _targets, _domains = authorise(
        org,
        Lookup(servers.nameserver, 1.0),
        allow_private=True,
        well_known=((servers.ports["vpn_portal"], False),),
        now=NOW,
    )
    assert [(c.target, c.method) for c in consents] == [("wk.test", "well-known")]


def test_ip_ranges_need_attestation_and_public_addresses(servers: Fixtures) -> None:
    org = servers.organisation(ip_ranges=["127.0.0.1/32", "203.0.113.0/28", "10.0.0.0/8"])
    reasons = _refusal(org, servers, allow_private=False)
    assert reasons == [
        "scan_targets.ip_ranges[0]: 127.0.0.1/32 is not a public range; refused without --allow-private",
        "scan_targets.ip_ranges[1]: 203.0.113.0/28 is not a public range; refused without --allow-private",
        "scan_targets.ip_ranges[2]: 10.0.0.0/8 has 16777216 addresses; at most 4096 per scan",
    ]
    loopback = servers.organisation(ip_ranges=["127.0.0.1/32"])
    assert _refusal(loopback, servers, allow_private=True) == [
        "scan_targets.ip_ranges[0]: 127.0.0.1/32: IP ranges need an attestation (--attest) that you control them"
    ]
    consents, targets, _ = authorise(
        parse_organisation(loopback), Lookup(servers.nameserver, 1.0), attest_user="bob", allow_private=True, now=NOW
    )
    assert [(c.target, c.by) for c in consents] == [("127.0.0.1/32", "bob")]
    assert [t.address for t in targets] == ["127.0.0.1"]


def test_declared_targets_are_validated() -> None:
    with pytest.raises(InputError) as caught:
        parse_organisation({"scan_targets": {"domains": ["not a domain"], "ip_ranges": ["300.1.1.1/8"]}})
    paths = sorted(p.path for p in caught.value.problems)
    assert paths == ["scan_targets.domains", "scan_targets.ip_ranges"]
