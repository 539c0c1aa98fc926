"""Status over dates with a frozen clock: expiry thresholds, renewals, gaps, unknown, edits per client."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.catalog.supplier_requirements import SupplierRequirementsFile
from insurable.suppliers import evaluate, evaluate_register
from insurable.suppliers.model import InsuranceCertificate, Register, SecurityCertificate, Supplier
from insurable.suppliers.status import STATUS_ORDER, covered_until

END = dt.date(2027, 3, 31)


def coi(
    start: dt.date, end: dt.date, cyber: float = 2_000_000, pi: float = 1_000_000, ded: float = 5_000, **kw
) -> InsuranceCertificate:
    return InsuranceCertificate(
        insurer="Voorbeeld",
        policy_number=f"P-{start.year}",
        limits_eur={"cyber": cyber, "pi": pi},
        deductible_eur=ded,
        start=start,
        end=end,
        **kw,
    )


def high(*insurance: InsuranceCertificate, **kw) -> Supplier:
    """A high-tier supplier with valid ISO 27001 and every security requirement confirmed."""
    base = {
        "id": "s1",
        "name": "Leverancier B.V.",
        "tier": "high",
        "insurance": insurance,
        "certificates": (
            SecurityCertificate(
                kind="iso27001", issuer="CB", issued=dt.date(2025, 1, 1), valid_until=dt.date(2030, 1, 1)
            ),
        ),
        "confirmed": ("sreq.mfa_remote_admin", "sreq.offline_backup", "sreq.notify_24h"),
    }
    base.update(kw)
    return Supplier.model_validate(base)


def status_on(reqs: SupplierRequirementsFile, supplier: Supplier, day: dt.date):
    return evaluate(reqs, Register(client="K", suppliers=(supplier,)), supplier, day)


@pytest.mark.parametrize(
    ("day", "status", "alert"),
    [
        (END - dt.timedelta(days=120), "compliant", None),
        (END - dt.timedelta(days=91), "compliant", None),
        (END - dt.timedelta(days=90), "expiring", 90),
        (END - dt.timedelta(days=61), "expiring", 90),
        (END - dt.timedelta(days=60), "expiring", 60),
        (END - dt.timedelta(days=31), "expiring", 60),
        (END - dt.timedelta(days=30), "expiring", 30),
        (END, "expiring", 30),
        (END + dt.timedelta(days=1), "expired", None),
    ],
)
def test_expiry_walks_through_90_60_30_then_expired(reqs, day, status, alert):
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END)), day)
    assert result.status == status
    cyber = next(f for f in result.findings if f.requirement == "cover.cyber")
    assert cyber.status == status
    assert cyber.alert_days == alert
    if status == "expired":
        assert "2027-03-31" in cyber.reason.en and "2027-03-31" in cyber.reason.nl
        assert cyber.days_left == -1


def test_a_renewal_that_follows_on_continues_the_cover(reqs):
    renewal = coi(END + dt.timedelta(days=1), dt.date(2028, 3, 31))
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), renewal), END - dt.timedelta(days=10))
    assert result.status == "compliant"
    assert next(f for f in result.findings if f.requirement == "cover.cyber").expires == dt.date(2028, 3, 31)


def test_a_renewal_with_a_gap_in_between_does_not(reqs):
    late = coi(END + dt.timedelta(days=5), dt.date(2028, 3, 31))
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), late), END - dt.timedelta(days=10))
    assert result.status == "expiring"
    # after the first ends and before the renewal starts: a gap, naming the start date
    between = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), late), END + dt.timedelta(days=2))
    cyber = next(f for f in between.findings if f.requirement == "cover.cyber")
    assert cyber.status == "expired"


def test_limit_too_low_and_deductible_too_high_are_gaps_with_reasons(reqs):
    day = dt.date(2026, 12, 1)
    low = status_on(reqs, high(coi(dt.date(2026, 4, 1), END, cyber=500_000)), day)
    finding = next(f for f in low.findings if f.requirement == "cover.cyber")
    assert (low.status, finding.status) == ("gap", "gap")
    assert "500,000" in finding.reason.en and "te laag" in finding.reason.nl
    assert finding.evidence == "Voorbeeld P-2026"
    steep = status_on(reqs, high(coi(dt.date(2026, 4, 1), END, ded=100_000)), day)
    assert "deductible" in next(f for f in steep.findings if f.requirement == "cover.cyber").reason.en


def test_unconfirmed_certificate_is_unknown_until_a_person_confirms_it(reqs):
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END, confirmed=False)), dt.date(2026, 12, 1))
    assert next(f for f in result.findings if f.requirement == "cover.cyber").status == "unknown"


def test_declared_uninsured_and_nothing_received(reqs):
    day = dt.date(2026, 12, 1)
    uninsured = status_on(reqs, high(declared_uninsured=True), day)
    assert uninsured.status == "gap"
    assert "not insured" in next(f for f in uninsured.findings if f.requirement == "cover.cyber").reason.en
    silent = Supplier(id="s2", name="Stil B.V.", tier="critical")
    result = status_on(reqs, silent, day)
    assert result.status == "unknown"
    assert [f.requirement for f in result.findings] == ["supplier.answer"]


def test_security_certificate_scope_and_expiry(reqs):
    day = dt.date(2026, 12, 1)
    outside = SecurityCertificate(
        kind="iso27001", issuer="CB", issued=dt.date(2025, 1, 1), valid_until=dt.date(2028, 1, 1), covers_services=False
    )
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), certificates=(outside,)), day)
    assert "scope" in next(f for f in result.findings if f.requirement == "evidence.security").reason.en
    old = SecurityCertificate(kind="soc2", issuer="Audit", issued=dt.date(2025, 1, 1), valid_until=dt.date(2026, 6, 30))
    result = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), certificates=(old,)), day)
    assert result.status == "expired"


def test_shared_assessment_confirms_or_contradicts_controls(reqs):
    day = dt.date(2026, 12, 1)
    shared = {
        "level": "summary",
        "assessed": dt.date(2026, 11, 1),
        "verdict": "insurable",
        "controls_in_place": ["ctl.mfa", "ctl.backup"],
        "controls_missing": [],
    }
    ok = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), confirmed=("sreq.notify_24h",), shared=shared), day)
    assert ok.status == "compliant"
    mfa = next(f for f in ok.findings if f.requirement == "sreq.mfa_remote_admin")
    assert mfa.evidence == "assessment 2026-11-01"
    missing = dict(shared, controls_in_place=["ctl.backup"], controls_missing=["ctl.mfa"])
    gap = status_on(reqs, high(coi(dt.date(2026, 4, 1), END), shared=missing), day)
    assert next(f for f in gap.findings if f.requirement == "sreq.mfa_remote_admin").status == "gap"
    # an assessment older than a year no longer counts
    stale = status_on(
        reqs, high(coi(dt.date(2026, 4, 1), END), confirmed=("sreq.notify_24h",), shared=shared), dt.date(2027, 12, 1)
    )
    assert next(f for f in stale.findings if f.requirement == "sreq.mfa_remote_admin").status == "unknown"


def test_client_edits_replace_the_tier_default(reqs):
    day = dt.date(2026, 12, 1)
    supplier = high(coi(dt.date(2026, 4, 1), END, cyber=2_000_000))
    default = evaluate(reqs, Register(client="K", suppliers=(supplier,)), supplier, day)
    assert default.status == "compliant" and not default.edited_requirements
    stricter = Register(
        client="K", suppliers=(supplier,), requirements={"high": {"insurance": {"cyber_limit_eur": 3_000_000}}}
    )
    edited = evaluate(reqs, stricter, supplier, day)
    assert edited.status == "gap" and edited.edited_requirements
    assert {f.requirement for f in edited.findings} >= {"cover.cyber"}
    assert "cover.pi" not in {
        f.requirement for f in edited.findings
    }  # the client's insurance block replaces the default


def test_worked_example_on_the_documented_date(reqs, hospital):
    result = {s.supplier.id: s.status for s in evaluate_register(reqs, hospital, dt.date(2026, 12, 1))}
    assert result == {
        "noordkust-it": "compliant",
        "zorgdossier-cloud": "compliant",
        "salarisloket": "compliant",
        "printservice": "compliant",
        "datacenter-delta": "expiring",
        "veilig-netwerk": "gap",
        "labkoppeling": "gap",
        "telefonie-oost": "unknown",
    }


def test_worked_example_printservice_renewal_carries_it_over_new_year(reqs, hospital):
    statuses = evaluate_register(reqs, hospital, dt.date(2026, 12, 20))
    assert next(s for s in statuses if s.supplier.id == "printservice").status == "compliant"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 700), st.integers(0, 400)), min_size=0, max_size=5),
    st.integers(0, 800),
)
def test_covered_until_is_the_end_of_unbroken_validity(spans, offset):
    origin = dt.date(2026, 1, 1)
    items = [(origin + dt.timedelta(days=a), origin + dt.timedelta(days=a + n)) for a, n in spans]
    day = origin + dt.timedelta(days=offset)
    found = covered_until(items, lambda i: i[0], lambda i: i[1], day)
    covered = {origin + dt.timedelta(days=k) for s, e in items for k in range((s - origin).days, (e - origin).days + 1)}
    if day not in covered:
        assert found is None
        return
    assert found is not None
    until = found[0]
    assert all(day + dt.timedelta(days=k) in covered for k in range((until - day).days + 1))
    assert until + dt.timedelta(days=1) not in covered


def test_status_order_worst_first():
    assert STATUS_ORDER[0] == "expired" and STATUS_ORDER[-1] == "compliant"


def test_cover_declared_in_a_shared_assessment_without_certificate(reqs):
    day = dt.date(2026, 12, 1)
    base = {"level": "summary", "assessed": dt.date(2026, 11, 1), "verdict": "insurable"}
    said_yes = high(shared={**base, "answers": {"q.insurance.current_cyber": True}})
    finding = next(f for f in status_on(reqs, said_yes, day).findings if f.requirement == "cover.cyber")
    assert finding.status == "unknown" and "no certificate received yet" in finding.reason.en
    said_no = high(shared={**base, "answers": {"q.insurance.current_cyber": False}})
    finding = next(f for f in status_on(reqs, said_no, day).findings if f.requirement == "cover.cyber")
    assert finding.status == "gap" and "geen cyberverzekering" in finding.reason.nl
    # a certificate, when there is one, decides
    with_cert = high(coi(dt.date(2026, 4, 1), END), shared={**base, "answers": {"q.insurance.current_cyber": False}})
    assert (
        next(f for f in status_on(reqs, with_cert, day).findings if f.requirement == "cover.cyber").status
        == "compliant"
    )
