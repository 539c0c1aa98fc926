"""DNSSEC validation (exp.dnssec_invalid) against zones this test signs with dnspython and serves
from a dnslib server on 127.0.0.1: valid, expired signatures, a DS that matches no key, no DS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from dnslib import QTYPE, RCODE, RD, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from insurable.catalog.exposure import ExposureFile
from insurable.scanner.dnscheck import Lookup, dnssec_problem, domain_findings

NOW = dt.datetime.now(dt.UTC)
ZONE = """$TTL 60
@ IN SOA ns.{name} admin.{name} 1 60 60 60 60
@ IN NS ns.{name}
@ IN A 127.0.0.1
"""


def signed_zone(name: str, *, expired: bool = False) -> tuple[dns.zone.Zone, object]:
    """``name`` signed with a fresh Ed25519 key (as KSK and ZSK); returns the zone and the DNSKEY."""
    zone = dns.zone.from_text(ZONE.format(name=name), origin=name, relativize=False)
    private = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ED25519, flags=257)
    inception = NOW - dt.timedelta(days=30 if expired else 1)
    expiration = NOW - dt.timedelta(days=2) if expired else NOW + dt.timedelta(days=30)
    dns.dnssec.sign_zone(zone, keys=[(private, dnskey)], inception=inception, expiration=expiration)
    return zone, dnskey


class SignedResolver(BaseResolver):  # type: ignore[misc]
    """Answers from dnspython zones, each record set with its RRSIGs, plus DS records "at the parent"."""

    def __init__(self, zones: list[dns.zone.Zone], ds: dict[str, object]) -> None:
        self.zones = zones
        self.ds = ds

    def _rrs(self, owner: dns.name.Name, rdataset: object) -> list[RR]:
        return [
            RR(owner.to_text(), rdataset.rdtype, rdataset.rdclass, rdataset.ttl, RD(r.to_wire()))  # type: ignore[attr-defined]
            for r in rdataset  # type: ignore[attr-defined]
        ]

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        qname = dns.name.from_text(str(request.q.qname))
        qtype = request.q.qtype
        if qtype == QTYPE.DS:
            ds = self.ds.get(qname.to_text())
            if ds is not None:
                reply.add_answer(RR(qname.to_text(), QTYPE.DS, 1, 60, RD(ds.to_wire())))  # type: ignore[attr-defined]
            return reply
        for zone in self.zones:
            if qname.is_subdomain(zone.origin):
                node = zone.get_node(qname)
                if node is None:
                    reply.header.rcode = RCODE.NXDOMAIN
                    return reply
                found = node.get_rdataset(dns.rdataclass.IN, qtype)
                sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covers=qtype)
                for rdataset in (found, sigs):
                    if rdataset is not None:
                        for rr in self._rrs(qname, rdataset):
                            reply.add_answer(rr)
                return reply
        reply.header.rcode = RCODE.NXDOMAIN
        return reply


@pytest.fixture(scope="module")
def nameserver() -> Iterator[str]:
    good, good_key = signed_zone("signed.test.")
    old, old_key = signed_zone("expired.test.", expired=True)
    wrong, _wrong_key = signed_zone("wrongds.test.")
    lonely, _lonely_key = signed_zone("nods.test.")
    _other, other_key = signed_zone("other.test.")
    ds = {
        "signed.test.": dns.dnssec.make_ds("signed.test.", good_key, "SHA256"),
        "expired.test.": dns.dnssec.make_ds("expired.test.", old_key, "SHA256"),
        "wrongds.test.": dns.dnssec.make_ds("wrongds.test.", other_key, "SHA256"),
    }
    server = DNSServer(
        SignedResolver([good, old, wrong, lonely], ds),
        address="127.0.0.1",
        port=0,
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", logf=lambda _s: None),
    )
    server.start_thread()
    try:
        yield f"127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.stop()
        server.server.server_close()


def test_a_signed_zone_with_its_ds_validates(nameserver: str, exposure: ExposureFile) -> None:
    lookup = Lookup(nameserver, timeout=2)
    assert dnssec_problem(lookup, "signed.test") is None
    checks = {f.check for f in domain_findings(lookup, "signed.test", exposure)}
    assert not {"exp.dnssec_missing", "exp.dnssec_invalid"} & checks


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("expired.test", "the DNSKEY signature does not validate"),
        ("wrongds.test", "no DS record at the parent matches a key of the DNSKEY set"),
        ("nods.test", "the parent publishes no DS record"),
    ],
)
def test_broken_dnssec_is_a_finding(nameserver: str, exposure: ExposureFile, domain: str, reason: str) -> None:
    found = [
        f for f in domain_findings(Lookup(nameserver, timeout=2), domain, exposure) if f.check.startswith("exp.dnssec")
    ]
    assert [f.check for f in found] == ["exp.dnssec_invalid"]
    assert found[0].detail.startswith(reason)


def test_an_unsigned_zone_is_missing_not_invalid(servers: object, exposure: ExposureFile) -> None:
    lookup = Lookup(servers.nameserver, timeout=2)  # type: ignore[attr-defined]
    checks = {f.check for f in domain_findings(lookup, "example.test", exposure)}
    assert "exp.dnssec_missing" in checks and "exp.dnssec_invalid" not in checks
