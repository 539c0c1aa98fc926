"""DNS and e-mail checks with dnspython: SPF, DMARC (policy, pct, sp), DKIM selectors, MX, DNSSEC, CAA.

The resolver is injected: the system resolver in real use, a loopback test server in the tests
(``--dns-server 127.0.0.1:PORT``). A query that times out is a finding (``exp.scan_timeout``).
DNSSEC is validated as far as one zone reaches (:func:`dnssec_problem`): its key set signed by its
own key, a record of the zone signed by it, and a DS at the parent that matches a key.
"""

from __future__ import annotations

import dns.dnssec
import dns.exception
import dns.flags
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from insurable.catalog.exposure import ExposureFile
from insurable.evidence import Finding


class Lookup:
    """A thin, exception-free wrapper around a dnspython resolver."""

    def __init__(self, nameserver: str | None = None, timeout: float = 3.0) -> None:
        if nameserver:
            host, _, port = nameserver.rpartition(":") if nameserver.count(":") == 1 else (nameserver, "", "53")
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = [host]
            self.resolver.port = int(port)
        else:
            self.resolver = dns.resolver.Resolver()
        self.resolver.lifetime = timeout
        self.resolver.timeout = timeout
        self.timeouts: list[str] = []

    def records(self, name: str, rdtype: str) -> list[str]:
        """Text of each record of ``rdtype`` at ``name``; [] when none exist or on a timeout."""
        try:
            answer = self.resolver.resolve(name, rdtype, raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.resolver.NoAnswer):
            return []
        except dns.exception.Timeout:
            self.timeouts.append(f"{name} {rdtype}")
            return []
        except dns.exception.DNSException:
            return []
        if rdtype == "TXT":
            return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]
        return [r.to_text() for r in answer]

    def addresses(self, name: str) -> list[str]:
        return self.records(name, "A") + self.records(name, "AAAA")

    def signed(self, name: str, rdtype: str) -> tuple[dns.rrset.RRset | None, dns.rrset.RRset | None]:
        """The record set of ``rdtype`` at ``name`` and the RRSIG set covering it (DNSSEC OK asked)."""
        self.resolver.use_edns(0, dns.flags.DO, 1232)
        try:
            answer = self.resolver.resolve(name, rdtype, raise_on_no_answer=False)
        except dns.exception.Timeout:
            self.timeouts.append(f"{name} {rdtype}")
            return None, None
        except dns.exception.DNSException:
            return None, None
        qname = dns.name.from_text(name)
        kind = dns.rdatatype.from_text(rdtype)
        found = answer.response.get_rrset(answer.response.answer, qname, dns.rdataclass.IN, kind)
        sigs = answer.response.get_rrset(
            answer.response.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, covers=kind
        )
        return found, sigs


def dnssec_problem(lookup: Lookup, domain: str) -> str | None:
    """Why the domain's DNSSEC does not validate, or ``None`` when it does or no DNSKEY is published.

    Checked: the DNSKEY set is signed by one of its keys (RFC 4035 section 5.2), the zone's SOA is
    signed by them (signatures in their validity period: section 5.3.1), and the parent publishes a
    DS record that matches a key of the set (RFC 4034 section 5). Not checked: the parent's own
    chain up to the root (no trust anchor is packaged).
    """
    keys, key_sigs = lookup.signed(domain, "DNSKEY")
    if keys is None:
        return None
    name = dns.name.from_text(domain)
    for rdtype, (rrset, sigs) in (("DNSKEY", (keys, key_sigs)), ("SOA", lookup.signed(domain, "SOA"))):
        if rrset is None:
            continue
        if sigs is None:
            return f"the {rdtype} set carries no RRSIG"
        try:
            dns.dnssec.validate(rrset, sigs, {name: keys})
        except dns.exception.ValidationFailure as exc:
            return f"the {rdtype} signature does not validate ({exc})"
    ds_set, _sigs = lookup.signed(domain, "DS")
    if ds_set is None:
        return "the parent publishes no DS record: the chain of trust stops at the parent"
    for ds in ds_set:
        for key in keys:
            try:
                if dns.dnssec.make_ds(name, key, ds.digest_type) == ds:
                    return None
            except (dns.exception.UnsupportedAlgorithm, ValueError):
                continue
    return "no DS record at the parent matches a key of the DNSKEY set"


def dmarc_tags(record: str) -> dict[str, str]:
    """``v=DMARC1; p=reject; pct=50`` -> {"v": "DMARC1", "p": "reject", "pct": "50"}."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            tags[key.strip().lower()] = value.strip()
    return tags


def parents(domain: str) -> list[str]:
    """``a.b.example.nl`` -> [a.b.example.nl, b.example.nl, example.nl] (down to two labels)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(max(1, len(labels) - 1))]


DNS_CHECKS = (
    "exp.spf_missing",
    "exp.spf_permissive",
    "exp.dmarc_policy",
    "exp.dmarc_partial",
    "exp.dkim_not_found",
    "exp.mx_missing",
    "exp.dnssec_missing",
    "exp.dnssec_invalid",
    "exp.caa_missing",
)


def domain_findings(lookup: Lookup, domain: str, exposure: ExposureFile) -> list[Finding]:
    """Every DNS and e-mail finding for one domain."""
    found: list[Finding] = []
    spf = [r for r in lookup.records(domain, "TXT") if r.lower().startswith("v=spf1")]
    if not spf:
        found.append(Finding(check="exp.spf_missing", target=domain, detail="no v=spf1 TXT record"))
    elif any(r.split()[-1] in ("+all", "?all", "all") for r in spf):
        found.append(Finding(check="exp.spf_permissive", target=domain, detail=spf[0]))
    # DMARC falls back to the organisational domain (RFC 7489 section 6.6.3); without a public
    # suffix list, the parents down to two labels stand in for it.
    dmarc: list[str] = []
    for name in parents(domain):
        dmarc = [r for r in lookup.records(f"_dmarc.{name}", "TXT") if r.upper().startswith("V=DMARC1")]
        if dmarc:
            break
    policy = "absent"
    if dmarc:
        tags = dmarc_tags(dmarc[0])
        p = tags.get("p", "none").lower()
        policy = {"reject": "reject", "quarantine": "quarantine"}.get(p, "none_policy")
        sp = tags.get("sp", p).lower()
        pct = tags.get("pct", "100")
        if policy != "none_policy" and (pct != "100" or sp == "none"):
            found.append(Finding(check="exp.dmarc_partial", target=domain, detail=dmarc[0]))
    found.append(
        Finding(check="exp.dmarc_policy", target=domain, value=policy, detail=dmarc[0] if dmarc else "no record")
    )
    if not any(lookup.records(f"{sel}._domainkey.{domain}", "TXT") for sel in exposure.dkim_selectors):
        found.append(
            Finding(check="exp.dkim_not_found", target=domain, detail=f"tried {len(exposure.dkim_selectors)} selectors")
        )
    if not lookup.records(domain, "MX"):
        found.append(Finding(check="exp.mx_missing", target=domain))
    if not lookup.records(domain, "DNSKEY"):
        found.append(Finding(check="exp.dnssec_missing", target=domain, detail="no DNSKEY"))
    elif (problem := dnssec_problem(lookup, domain)) is not None:
        found.append(Finding(check="exp.dnssec_invalid", target=domain, detail=problem))
    # CAA applies from the closest ancestor that has a record set (RFC 8659 section 3).
    if not any(lookup.records(name, "CAA") for name in parents(domain)):
        found.append(Finding(check="exp.caa_missing", target=domain))
    return found
