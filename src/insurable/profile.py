"""The one organisation profile format every feature reads.

An organisation is described in one YAML file: profile fields at the top level and the
questionnaire ``answers`` (question id -> value). Every field is optional in the model so that each
feature can state which ones it needs (:func:`missing_fields`): ``nis2`` needs only the size and
entity-type fields, ``assess`` needs the exposure fields as well. Documented in docs/profile.md.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from insurable.catalog.header import Frozen
from insurable.catalog.yamlio import read_yaml
from insurable.countries import ISO_3166_ALPHA2
from insurable.errors import InputError, Problem, problems_from_validation

Relation = Literal["linked", "partner"]

#: Fields ``insurable assess`` needs in every profile.
ASSESSMENT_FIELDS: tuple[str, ...] = (
    "name",
    "country",
    "nace_code",
    "activities",
    "employees",
    "annual_turnover_eur",
    "balance_sheet_total_eur",
    "records_held",
    "requested_limit_eur",
    "requested_deductible_eur",
)

#: Fields the NIS2 classification needs (NIS2 Art. 2(1) size rule and Annex I/II types).
NIS2_FIELDS: tuple[str, ...] = ("employees", "annual_turnover_eur", "balance_sheet_total_eur")


class GroupEnterprise(Frozen):
    """A partner or linked enterprise (Recommendation 2003/361/EC, Annex Art. 3 and 6).

    ``share`` is the holding (capital or voting rights, whichever is greater) as a fraction 0..1.
    Partner enterprises hold 25-50 %; linked enterprises hold a majority (50 % or more, or control).
    """

    relation: Relation
    share: float = Field(ge=0, le=1)
    name: str | None = None
    employees: float = Field(ge=0)
    annual_turnover_eur: float = Field(ge=0)
    balance_sheet_total_eur: float = Field(ge=0)

    @model_validator(mode="after")
    def _share_fits_relation(self) -> GroupEnterprise:
        if self.relation == "partner" and not 0.25 <= self.share <= 0.5:
            raise ValueError("share: a partner enterprise holds between 0.25 and 0.5 (25-50 %)")
        if self.relation == "linked" and self.share < 0.5:
            raise ValueError("share: a linked enterprise holds at least 0.5 (a majority or control)")
        return self


class Nis2Flags(Frozen):
    """Facts that put an entity in NIS2 scope regardless of size (NIS2 Art. 2(2)-(4), Art. 3(1))."""

    qualified_trust_service_provider: bool = False
    public_administration: Literal["central", "regional"] | None = None
    cer_critical_entity: bool = False
    member_state_designation: Literal["essential", "important"] | None = None


class ScanTargets(Frozen):
    """What the organisation declares as its own, and so consents to have scanned (docs/scanner.md).

    Only these are ever scanned, and only after proof of control (a DNS TXT token, a file under
    ``/.well-known/``, or an attestation recorded with user and time).
    """

    domains: tuple[str, ...] = ()
    ip_ranges: tuple[str, ...] = Field(default=(), description="CIDR ranges, e.g. 192.0.2.0/28")

    @field_validator("domains")
    @classmethod
    def _domain_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        label = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
        bad = [d for d in value if not re.fullmatch(rf"({label}\.)+{label}\.?", d.lower())]
        if bad:
            raise ValueError(f"not a domain name: {', '.join(map(repr, bad))}")
        return tuple(d.lower().rstrip(".") for d in value)

    @field_validator("ip_ranges")
    @classmethod
    def _cidr(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = []
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                bad.append(cidr)
        if bad:
            raise ValueError(f"not an IP address or CIDR range: {', '.join(map(repr, bad))}")
        return value


class Organisation(Frozen):
    """An organisation's profile and its questionnaire answers."""

    name: str | None = Field(default=None, min_length=1)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. NL")
    nace_code: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{1,2})?$", description="e.g. 62.02")
    activities: tuple[str, ...] | None = None
    employees: float | None = Field(default=None, ge=0, description="staff headcount in annual work units")
    annual_turnover_eur: float | None = Field(default=None, ge=0)
    balance_sheet_total_eur: float | None = Field(default=None, ge=0)
    records_held: int | None = Field(default=None, ge=0, description="personal data records held")
    requested_limit_eur: float | None = Field(default=None, gt=0)
    requested_deductible_eur: float | None = Field(default=None, ge=0)
    nis2_entity_types: tuple[str, ...] = ()
    group: tuple[GroupEnterprise, ...] = ()
    nis2_flags: Nis2Flags = Nis2Flags()
    scan_targets: ScanTargets | None = None
    answers: dict[str, Any] = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and value not in ISO_3166_ALPHA2:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. NL, BE, DE)")
        return value

    @field_validator("activities")
    @classmethod
    def _unique_activities(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("activities are listed more than once")
        return value

    def with_answers(self, answers: dict[str, Any]) -> Organisation:
        """Return a copy with ``answers`` replacing the current answers (used by the what-if plan)."""
        return self.model_copy(update={"answers": dict(answers)})


def missing_fields(org: Organisation, required: tuple[str, ...], file: str | None = None) -> list[Problem]:
    """Problems for each required profile field that is absent."""
    return [
        Problem(path=name, reason="required field is missing", file=file)
        for name in required
        if getattr(org, name) is None
    ]


def parse_organisation(data: Any, file: str | None = None) -> Organisation:
    """Validate a mapping (already parsed YAML/JSON) as an :class:`Organisation`."""
    if not isinstance(data, dict):
        raise InputError([Problem(path="", reason="expected a mapping of profile fields", file=file)])
    if "answers" in data and data["answers"] is None:
        data = {**data, "answers": {}}
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, file=file)) from exc


def load_organisation(path: Path) -> Organisation:
    """Read and validate an organisation YAML file (profile and answers)."""
    return parse_organisation(read_yaml(path), file=str(path))
