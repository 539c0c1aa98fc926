"""Pure parts: the finding predicate, reconciliation rules, and the exposure catalogue's checks."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.catalog import Catalog
from insurable.catalog.exposure import ExposureFile
from insurable.catalog.loader import collect_catalog, default_directory
from insurable.conditions import Condition, evaluate
from insurable.evidence import Finding, ScanResult, finding_values, reconcile
from insurable.scanner.dnscheck import dmarc_tags
from insurable.scanner.findings import service_findings
from insurable.scanner.kev import Kev
from insurable.scanner.probes import HttpInfo, Service, classify_banner
from insurable.scanner.web import parse_http

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _scan(*findings: Finding, ran: tuple[str, ...] = ()) -> ScanResult:
    return ScanResult(organisation="x", started=T0, finished=T0, user_agent="ua", checks_run=ran, findings=findings)


def test_finding_predicate_reads_evidence_like_an_answer() -> None:
    cond = Condition.model_validate({"finding": "exp.rdp_exposed", "eq": True})
    assert cond.finding_ids() == {"exp.rdp_exposed"}
    seen = evaluate(cond, {}, lambda _n: None, {"exp.rdp_exposed": True})
    assert seen.value and seen.facts[0].kind == "finding" and seen.facts[0].value is True
    assert not evaluate(cond, {}, lambda _n: None, {"exp.rdp_exposed": False}).value
    assert not evaluate(cond, {}, lambda _n: None).value  # no scan: never fires
    with pytest.raises(ValueError, match="exactly one operator"):
        Condition.model_validate({"finding": "exp.rdp_exposed"})


def test_values_worst_choice_and_ran_but_unseen(exposure: ExposureFile) -> None:
    scan = _scan(
        Finding(check="exp.dmarc_policy", target="a.test", value="reject"),
        Finding(check="exp.dmarc_policy", target="b.test", value="none_policy"),
        Finding(check="exp.dmarc_policy", target="c.test", value="quarantine"),
        ran=("exp.rdp_exposed",),
    )
    assert finding_values(scan, exposure) == {"exp.dmarc_policy": "none_policy", "exp.rdp_exposed": False}


def test_reconciliation_shows_both_values_worst_first(exposure: ExposureFile) -> None:
    scan = _scan(
        Finding(check="exp.dmarc_policy", target="a.test", value="quarantine"),
        Finding(check="exp.dmarc_policy", target="b.test", value="reject"),
        Finding(check="exp.rdp_exposed", target="a.test:3389"),
        Finding(check="exp.smb_exposed", target="a.test:445"),
    )
    rec = reconcile({"q.email.dmarc": "reject", "q.exposure.rdp_exposed": False}, scan, exposure)
    assert [(c.severity, c.question, c.declared, c.observed, c.targets) for c in rec.contradictions] == [
        ("critical", "q.exposure.rdp_exposed", False, True, ("a.test:3389",)),
        ("high", "q.email.dmarc", "reject", "quarantine", ("a.test",)),
    ]
    assert rec.evidenced["q.exposure.firewall_ports"] == ("exp.rdp_exposed", "exp.smb_exposed")
    # Honest answers: nothing contradicts.
    honest = reconcile({"q.email.dmarc": "quarantine", "q.exposure.rdp_exposed": True}, scan, exposure)
    assert honest.contradictions == ()


def test_unknown_finding_ids_and_questions_are_reported(tmp_path: Path) -> None:
    directory = tmp_path / "cat"
    shutil.copytree(default_directory(), directory)
    exposure = yaml.safe_load((directory / "exposure.yaml").read_text())
    exposure["checks"][0]["questions"].append("q.nope")
    exposure["checks"][0]["contradicts"][0]["observed"] = {"finding": "exp.nope", "eq": True}
    (directory / "exposure.yaml").write_text(yaml.safe_dump(exposure, allow_unicode=True))
    guideline = yaml.safe_load((directory / "guideline.yaml").read_text())
    guideline["rules"][-1]["when"] = {"finding": "exp.dmarc_policy", "eq": "sometimes"}
    (directory / "guideline.yaml").write_text(yaml.safe_dump(guideline, allow_unicode=True))
    _catalog, problems = collect_catalog(directory)
    reasons = {p.reason for p in problems}
    assert "unknown question id 'q.nope'" in reasons
    assert "unknown exposure check id 'exp.nope'" in reasons
    assert "exp.dmarc_policy cannot be 'sometimes'" in reasons


def test_every_check_is_used_and_cites_known_sources(catalog: Catalog, exposure: ExposureFile) -> None:
    from insurable.scanner.dnscheck import DNS_CHECKS
    from insurable.scanner.findings import SERVICE_AND_TLS_CHECKS

    produced = set(DNS_CHECKS) | set(SERVICE_AND_TLS_CHECKS)
    produced |= {"exp.hsts_missing", "exp.security_headers_missing", "exp.scan_timeout"}
    assert produced == {c.id for c in exposure.checks}
    known = catalog.sources()
    assert all(s in known for c in exposure.checks for s in c.sources)


def test_dmarc_tags() -> None:
    assert dmarc_tags("v=DMARC1; p=reject; pct=50 ;sp=none") == {
        "v": "DMARC1",
        "p": "reject",
        "pct": "50",
        "sp": "none",
    }


def test_banners_and_http_parsing() -> None:
    assert classify_banner(b"SSH-2.0-OpenSSH_9.6\r\n") == "ssh"
    assert classify_banner(b"RFB 003.008\n") == "vnc"
    assert classify_banner(b"\xff\xfd\x18") == "telnet"
    assert classify_banner(b"220 ProFTPD ready") == "ftp"
    assert classify_banner(b"220 mail ESMTP Postfix") is None
    http = parse_http(b"HTTP/1.1 302 Found\r\nServer: a\r\nset-cookie: x\r\nSet-Cookie: y\r\n\r\nbody")
    assert http is not None and http.status == 302 and http.headers == {"server": "a", "set-cookie": "x, y"}
    assert parse_http(b"\x03\x00garbage") is None


def test_kev_match_needs_the_cve_in_the_kev_copy(exposure: ExposureFile) -> None:
    service = Service(host="h", address="127.0.0.1", port=80, kind="http")
    service.http = HttpInfo(status=200, headers={"server": "Apache/2.4.50 (Unix)"})
    full = Kev("v", "d", {"CVE-2021-42013": {}, "CVE-2021-41773": {}}, "test")
    found = service_findings(service, exposure, full, T0.date())
    assert [f.cves for f in found if f.check == "exp.kev_vulnerable"] == [("CVE-2021-42013",)]
    empty = Kev("v", "d", {}, "test")
    assert not [f for f in service_findings(service, exposure, empty, T0.date()) if f.check == "exp.kev_vulnerable"]
    service.http = HttpInfo(status=200, headers={"server": "Apache/2.4.62 (Unix)"})
    assert not [f for f in service_findings(service, exposure, full, T0.date()) if f.check == "exp.kev_vulnerable"]


def test_scanner_doc_lists_every_check_and_observed_rule(catalog: Catalog, exposure: ExposureFile) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "scanner.md").read_text(encoding="utf-8")
    for check in exposure.checks:
        assert f"`{check.id}`" in text, check.id
    for rule in catalog.guideline.rules:
        if rule.when.finding_ids():
            assert f"`{rule.id}`" in text, rule.id


@settings(max_examples=60, deadline=None)
@given(
    declared=st.sampled_from([True, False, None]),
    seen=st.booleans(),
    dmarc_said=st.sampled_from(["reject", "quarantine", "none_policy", "absent", None]),
    dmarc_seen=st.lists(st.sampled_from(["reject", "quarantine", "none_policy", "absent"]), max_size=3),
)
def test_contradiction_iff_observed_is_worse_than_declared(
    exposure: ExposureFile, declared: bool | None, seen: bool, dmarc_said: str | None, dmarc_seen: list[str]
) -> None:
    findings = [Finding(check="exp.dmarc_policy", target=f"d{i}.test", value=v) for i, v in enumerate(dmarc_seen)]
    if seen:
        findings.append(Finding(check="exp.rdp_exposed", target="h:3389"))
    answers = {k: v for k, v in (("q.exposure.rdp_exposed", declared), ("q.email.dmarc", dmarc_said)) if v is not None}
    rec = reconcile(answers, _scan(*findings, ran=("exp.rdp_exposed",)), exposure)
    rdp = [c for c in rec.contradictions if c.check == "exp.rdp_exposed"]
    assert bool(rdp) == (seen and declared is False)
    order = ["reject", "quarantine", "none_policy", "absent"]
    worst = max(dmarc_seen, key=order.index) if dmarc_seen else None
    dmarc = [c for c in rec.contradictions if c.check == "exp.dmarc_policy"]
    expected = (
        worst is not None and dmarc_said in ("reject", "quarantine") and order.index(worst) > order.index(dmarc_said)
    )
    assert bool(dmarc) == expected
    for c in dmarc:
        assert (c.declared, c.observed) == (dmarc_said, worst)


def test_fix_path_for_findings_is_the_engine_rerun_ranked_by_effect(catalog: Catalog, exposure: ExposureFile) -> None:
    from insurable.assessment import assess
    from insurable.evidence import finding_fixes
    from insurable.profile import load_organisation

    org = load_organisation(Path(__file__).resolve().parents[2] / "examples" / "saas-provider.yaml")
    scan = _scan(
        Finding(check="exp.rdp_exposed", target="h:3389"),
        Finding(check="exp.kev_vulnerable", target="h:443", cves=("CVE-2021-41773",)),
        Finding(check="exp.dmarc_policy", target="h", value="none_policy"),
        ran=("exp.rdp_exposed", "exp.kev_vulnerable"),
    )
    values = finding_values(scan, exposure)
    clean = assess(org, catalog, with_plan=False, loss_trials=None)
    before = assess(org, catalog, with_plan=False, loss_trials=None, evidence=values)
    assert (clean.verdict, before.verdict) == ("insurable", "declined")
    fixes = finding_fixes(org, catalog, values, scan, before)
    assert [(f.check, f.verdict_after, f.rules_lifted) for f in fixes] == [
        ("exp.rdp_exposed", "refer", ("uw.decline.rdp_observed",)),
        ("exp.dmarc_policy", "declined", ("uw.debit.dmarc_observed_weak",)),
        ("exp.kev_vulnerable", "declined", ("uw.refer.kev_observed",)),
    ]
    # With every finding closed the verdict is the one without a scan: findings only ever add.
    closed = {k: (exposure.by_id()[k].values[0] if exposure.by_id()[k].values else False) for k in values}
    assert assess(org, catalog, with_plan=False, loss_trials=None, evidence=closed).verdict == clean.verdict


def test_diff_of_two_scans() -> None:
    from insurable.evidence import diff_scans

    rdp = Finding(check="exp.rdp_exposed", target="h:3389")
    smb = Finding(check="exp.smb_exposed", target="h:445")
    none_policy = Finding(check="exp.dmarc_policy", target="d", value="none_policy")
    reject = Finding(check="exp.dmarc_policy", target="d", value="reject")
    caa = Finding(check="exp.caa_missing", target="d")
    ran = ("exp.rdp_exposed", "exp.smb_exposed", "exp.dmarc_policy", "exp.caa_missing")
    before = _scan(rdp, smb, none_policy, caa, ran=ran)
    after = _scan(smb, reject, ran=("exp.rdp_exposed", "exp.smb_exposed", "exp.dmarc_policy"))
    diff = diff_scans(before, after)
    assert diff.new == (reject,)
    assert diff.resolved == (rdp, none_policy)
    assert diff.unchanged == (smb,)
    assert diff.not_rechecked == (caa,)
