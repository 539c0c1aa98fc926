"""Exposure checks as data: what an outside-in scan looks for, why insurers care, what it evidences.

``exposure.yaml`` holds the checks (one per finding kind, Prowler-style metadata: severity, what it
looks for, why it matters, what it does *not* prove, the questions and controls it evidences, the
contradictions it can reveal), the insurers' critical-port list, the product fingerprints, the
vulnerable versions (joined to the packaged CISA KEV copy by CVE id) and end-of-life dates. The
scanner (:mod:`insurable.scanner`) reads it; reconciliation (:mod:`insurable.evidence`) is pure.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.conditions import Condition
from insurable.errors import Problem
from insurable.text import Text

Severity = Literal["info", "low", "medium", "high", "critical"]
#: Ordered from least to most severe.
SEVERITY_ORDER: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
Category = Literal["service", "tls", "http", "dns", "email", "vulnerability", "scan"]
Service = Literal[
    "rdp", "smb", "telnet", "ftp", "vnc", "database", "ssh", "remote_management", "http", "https", "vpn_portal"
]


class Contradiction(Frozen):
    """An observed value that contradicts a declared answer, both as conditions."""

    observed: Condition = Field(description="a condition over findings (what the scan saw)")
    declared: Condition = Field(description="a condition over answers (what the applicant said)")
    text: Text


class ExposureCheck(Frozen):
    id: str = Field(pattern=r"^exp\.[a-z0-9_.]+$")
    category: Category
    severity: Severity
    name: Text
    what: Text = Field(description="what the check looks for")
    why: Text = Field(description="why insurers care")
    does_not_prove: Text = Field(description="the limits of what an outside-in observation shows")
    values: tuple[str, ...] = Field(default=(), description="observed values of a choice check; empty: yes/no")
    bad_values: tuple[str, ...] = Field(default=(), description="values that count as a problem (choice checks)")
    questions: tuple[str, ...] = Field(default=(), description="question ids it evidences")
    controls: tuple[str, ...] = Field(default=(), description="control ids it evidences")
    contradicts: tuple[Contradiction, ...] = ()
    fix: Text = Field(description="what closes the finding")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _values(self) -> ExposureCheck:
        unknown = [v for v in self.bad_values if v not in self.values]
        if unknown:
            raise ValueError(f"bad_values {unknown} are not among values")
        return self


class CriticalPort(Frozen):
    port: int = Field(ge=1, le=65535)
    service: Service
    sources: tuple[str, ...] = Field(min_length=1)


class Product(Frozen):
    """A product recognised from a banner, an HTTP ``Server`` header or a page."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    vpn_portal: bool = Field(default=False, description="a self-managed remote-access (VPN) appliance")
    banner: str | None = Field(default=None, description="regex on the service banner or Server header")
    body: str | None = Field(default=None, description="regex on the HTTP response body")
    version_group: str | None = Field(default=None, description="named group holding the version, if any")
    kev_product: str | None = Field(default=None, description="'vendorProject/product' as CISA KEV names it")
    sources: tuple[str, ...] = Field(min_length=1)

    @field_validator("banner", "body")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _some_pattern(self) -> Product:
        if self.banner is None and self.body is None:
            raise ValueError("a product needs a banner or a body pattern")
        return self


class VulnerableVersion(Frozen):
    """Product versions affected by a CVE; the CVE is joined to CISA KEV by id."""

    product: str
    cve: str = Field(pattern=r"^CVE-\d{4}-\d{4,}$")
    versions: tuple[str, ...] = Field(min_length=1, description="affected versions (exact)")
    sources: tuple[str, ...] = Field(min_length=1)


class EndOfLife(Frozen):
    """A product release line that no longer receives security updates after ``eol``."""

    product: str
    cycle: str = Field(description="version prefix of the release line, e.g. 7.4")
    eol: dt.date
    sources: tuple[str, ...] = Field(min_length=1)


class ExposureFile(Frozen):
    header: Header
    checks: tuple[ExposureCheck, ...] = Field(min_length=1)
    critical_ports: tuple[CriticalPort, ...] = Field(min_length=1)
    dkim_selectors: tuple[str, ...] = Field(min_length=1, description="common DKIM selectors tried")
    security_headers: tuple[str, ...] = Field(min_length=1, description="HTTP headers the main site should send")
    products: tuple[Product, ...] = ()
    vulnerable_versions: tuple[VulnerableVersion, ...] = ()
    end_of_life: tuple[EndOfLife, ...] = ()

    def by_id(self) -> dict[str, ExposureCheck]:
        return {c.id: c for c in self.checks}


def check_exposure(catalog: object) -> list[Problem]:
    """Cross-references of ``exposure.yaml`` and every ``finding`` predicate in the guideline."""
    from insurable.catalog.loader import Catalog
    from insurable.catalog.references import check_condition

    assert isinstance(catalog, Catalog)
    if "exposure.yaml" not in catalog.files:
        return []
    exposure = catalog.get("exposure.yaml", ExposureFile)
    file = str(catalog.paths.get("exposure.yaml", catalog.directory / "exposure.yaml"))
    questions = catalog.questionnaire.by_id() if "questionnaire.yaml" in catalog.files else {}
    controls = {c.id for c in catalog.controls.controls} if "controls.yaml" in catalog.files else set()
    checks = exposure.by_id()
    products = {p.id for p in exposure.products}
    problems: list[Problem] = []
    for i, check in enumerate(exposure.checks):
        for j, qid in enumerate(check.questions):
            if qid not in questions:
                problems.append(Problem(f"checks[{i}].questions[{j}]", f"unknown question id {qid!r}", file))
        for j, ctl in enumerate(check.controls):
            if ctl not in controls:
                problems.append(Problem(f"checks[{i}].controls[{j}]", f"unknown control id {ctl!r}", file))
        for j, contra in enumerate(check.contradicts):
            where = f"checks[{i}].contradicts[{j}]"
            problems += finding_problems(contra.observed, f"{where}.observed", file, checks)
            problems += check_condition(contra.declared, f"{where}.declared", file, catalog)
            if contra.observed.question_ids() or contra.declared.finding_ids():
                problems.append(Problem(where, "observed reads findings only and declared reads answers only", file))
    ports = [p.port for p in exposure.critical_ports]
    for i, port in enumerate(exposure.critical_ports):
        if ports.count(port.port) > 1:
            problems.append(Problem(f"critical_ports[{i}].port", f"port {port.port} is listed more than once", file))
    named: list[tuple[str, str]] = [
        (f"vulnerable_versions[{i}]", v.product) for i, v in enumerate(exposure.vulnerable_versions)
    ]
    named += [(f"end_of_life[{i}]", e.product) for i, e in enumerate(exposure.end_of_life)]
    for where, product in named:
        if product not in products:
            problems.append(Problem(f"{where}.product", f"unknown product id {product!r}", file))
    if "guideline.yaml" in catalog.files:
        gfile = str(catalog.paths.get("guideline.yaml", catalog.directory / "guideline.yaml"))
        for i, rule in enumerate(catalog.guideline.rules):
            problems += finding_problems(rule.when, f"rules[{i}].when", gfile, checks)
    return problems


def finding_problems(cond: Condition, path: str, file: str, checks: dict[str, ExposureCheck]) -> list[Problem]:
    """Unknown check ids and values in the ``finding`` predicates of a condition."""
    problems: list[Problem] = []
    for node in cond.walk():
        if node.finding is None:
            continue
        check = checks.get(node.finding)
        if check is None:
            problems.append(Problem(path, f"unknown exposure check id {node.finding!r}", file))
            continue
        wanted = [v for v in (node.eq, node.ne, *(node.in_ or ())) if v is not None]
        for value in wanted:
            ok = value in check.values if check.values else isinstance(value, bool)
            if not ok:
                problems.append(Problem(path, f"{node.finding} cannot be {value!r}", file))
    return problems
