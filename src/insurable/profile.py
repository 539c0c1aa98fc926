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

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from insurable.amounts import AmountError, check_bound, looks_like_thousands, parse_amount, valid_locale
from insurable.catalog.header import Frozen
from insurable.catalog.yamlio import MAX_ORGANISATION_BYTES, YamlDocument, read_yaml_document
from insurable.countries import EU_MEMBER_STATES, ISO_3166_ALPHA2
from insurable.errors import InputError, Problem, problems_from_validation, raise_if, with_lines

Relation = Literal["linked", "partner"]
#: How one enterprise controls another (Recommendation 2003/361/EC Annex Art. 3(3)(a)-(d)).
Control = Literal["voting_majority", "board_majority", "dominant_influence", "shareholder_agreement"]
#: Kinds of entity providing domain name registration services (NIS2 Art. 6(22)).
DomainRegistration = Literal["registrar", "agent"]

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


#: Profile number fields: they accept amounts as people write them and must be plausible.
NUMBER_FIELDS: tuple[str, ...] = (
    "employees",
    "annual_turnover_eur",
    "balance_sheet_total_eur",
    "records_held",
    "requested_limit_eur",
    "requested_deductible_eur",
)


def _read_number(value: Any, info: ValidationInfo) -> Any:
    """Before validation: a string is an amount as people write it, in the file's or user's locale."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(value, float) and info.field_name is not None and not -1e18 < value < 1e18:
        reason = check_bound(info.field_name, value)  # before int parsing turns it into an opaque error
        if reason:
            raise ValueError(reason)
    if isinstance(value, str):
        locale = info.data.get("locale") if isinstance(info.data, dict) else None
        if locale is None and isinstance(info.context, dict):
            locale = info.context.get("locale")
        try:
            return parse_amount(value, locale if isinstance(locale, str) else None)
        except AmountError as exc:
            raise ValueError(str(exc)) from exc
    return value


def _as_written(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("as_written"))


def _plausible(value: float | None, info: ValidationInfo) -> float | None:
    """After validation: finite and within the documented bounds of the field (docs/profile.md)."""
    if value is not None and info.field_name is not None:
        reason = check_bound(info.field_name, value, as_written=_as_written(info))
        if reason:
            raise ValueError(reason)
    return value


class GroupEnterprise(Frozen):
    """A partner or linked enterprise (Recommendation 2003/361/EC, Annex Art. 3 and 6).

    ``share`` is the holding (capital or voting rights, whichever is greater) as a fraction 0..1.
    Partner enterprises hold 25-50 % (exactly 50 % is not a majority). Linked enterprises hold a
    majority (more than 50 %) or control the other by another link of Annex Art. 3(3)(b)-(d), named
    in ``control``, at any share. ``consolidated``: its data are already included in the entity's
    own figures through consolidated accounts, so they are not added again (Annex Art. 6(2)-(3)).
    """

    relation: Relation
    share: float = Field(ge=0, le=1)
    name: str | None = None
    employees: float = Field(ge=0)
    annual_turnover_eur: float = Field(ge=0)
    balance_sheet_total_eur: float = Field(ge=0)
    control: Control | None = None
    consolidated: bool = False

    _read = field_validator("employees", "annual_turnover_eur", "balance_sheet_total_eur", mode="before")(_read_number)
    _bounds = field_validator("employees", "annual_turnover_eur", "balance_sheet_total_eur")(_plausible)

    @model_validator(mode="after")
    def _share_fits_relation(self) -> GroupEnterprise:
        if self.relation == "partner" and not 0.25 <= self.share <= 0.5:
            raise ValueError("share: a partner enterprise holds between 0.25 and 0.5 (25-50 %)")
        if self.relation == "partner" and self.control is not None:
            raise ValueError(
                "control: an enterprise linked by control is a linked enterprise, not a partner "
                "(Recommendation 2003/361/EC Annex Art. 3(3))"
            )
        if self.relation == "linked" and self.control in (None, "voting_majority") and self.share <= 0.5:
            raise ValueError(
                "share: a linked enterprise holds more than 0.5 (a majority; exactly 50 % is not one) or "
                "controls by another link: set control to board_majority, dominant_influence or "
                "shareholder_agreement (Recommendation 2003/361/EC Annex Art. 3(3)(b)-(d))"
            )
        return self


class Nis2Flags(Frozen):
    """Facts NIS2 reads besides size and entity types (NIS2 Art. 2(1)-(4), 3(1), 4 and 26).

    The EU link (Art. 2(1)): ``eu_services`` says whether the entity provides services or carries
    out activities in the Union; ``eu_establishments`` lists the Member States where it is
    established (ISO codes); an entity not established in the Union names the Member State of its
    representative in ``representative_member_state`` (Art. 26(3)). Left out, the link follows from
    the establishments and ``country``; when nothing says, the outcome is "not assessed".
    """

    qualified_trust_service_provider: bool = False
    public_administration: Literal["central", "regional"] | None = None
    public_administration_identified: bool | None = Field(
        default=None,
        description="regional level: identified following the Member State's risk-based assessment (Art. 2(2)(f)(ii))",
    )
    cer_critical_entity: bool = False
    member_state_designation: Literal["essential", "important"] | None = None
    former_operator_of_essential_services: bool = Field(
        default=False,
        description="identified as an operator of essential services before 16 January 2023 and kept "
        "essential by the Member State (Art. 3(1)(g))",
    )
    eu_services: bool | None = Field(
        default=None, description="provides services or carries out activities in the Union (Art. 2(1))"
    )
    eu_establishments: tuple[str, ...] = Field(default=(), description="Member States of establishment, ISO codes")
    representative_member_state: str | None = Field(
        default=None, description="Member State of the representative in the Union (Art. 26(3)), ISO code"
    )
    domain_registration: DomainRegistration | None = Field(
        default=None, description="provides domain name registration services (Art. 2(4), 6(22))"
    )
    dora_exempt: bool = Field(
        default=False, description="a financial entity exempted from Regulation (EU) 2022/2554 (DORA)"
    )
    national_security_exclusion: bool = Field(
        default=False,
        description="public administration entity carrying out its activities mainly in national security, "
        "public security, defence or law enforcement (Art. 2(7), recital 8; Cbw art. 5)",
    )

    @field_validator("eu_establishments")
    @classmethod
    def _member_states(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [v for v in value if v not in EU_MEMBER_STATES]
        if wrong:
            raise ValueError(f"{', '.join(map(repr, wrong))}: not an EU Member State code (e.g. NL, BE, DE)")
        if len(set(value)) != len(value):
            raise ValueError("a Member State is listed more than once")
        return value

    @field_validator("representative_member_state")
    @classmethod
    def _representative_member_state(cls, value: str | None) -> str | None:
        if value is not None and value not in EU_MEMBER_STATES:
            raise ValueError(f"{value!r} is not an EU Member State code (e.g. NL, BE, DE)")
        return value


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

    locale: str | None = Field(
        default=None, description="how amounts written as text are read: nl (7.200,50) or en (7,200.50)"
    )
    name: str | None = Field(default=None, min_length=1)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. NL")
    nace_code: str | None = Field(
        default=None,
        pattern=r"^\d{2}(\.\d{1,2})?$",
        description="NACE e.g. 62.02, or SBI as on a KvK extract e.g. 6202 or 10711",
    )
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

    _read = field_validator(*NUMBER_FIELDS, mode="before")(_read_number)
    _bounds = field_validator(*NUMBER_FIELDS)(_plausible)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        return None if value is None else valid_locale(value)

    @model_validator(mode="after")
    def _deductible_within_limit(self) -> Organisation:
        limit, deductible = self.requested_limit_eur, self.requested_deductible_eur
        if limit is not None and deductible is not None and deductible > limit:
            raise ValueError(
                f"requested_deductible_eur: the deductible ({deductible:,.0f}) is above the requested limit "
                f"({limit:,.0f}); a deductible is paid before the limit, so it must not exceed it"
            )
        return self

    @field_validator("nace_code", mode="before")
    @classmethod
    def _nace_or_sbi(cls, value: object) -> object:
        """Accept the SBI code as on a KvK extract (``6201``, ``10711``) and NACE with a dot (``62.01``)."""
        from insurable.nace import normalise

        return None if value is None else normalise(value)

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


def parse_organisation(data: Any, file: str | None = None, locale: str | None = None) -> Organisation:
    """Validate a mapping (already parsed YAML/JSON) as an :class:`Organisation` written by a person.

    Amounts written as text are read in the data's own ``locale``, else in ``locale`` (the user's
    language), else only when Dutch and English agree; money values that look like Dutch
    thousands (7.2) are refused (docs/profile.md, "Bounds and amounts").
    """
    if not isinstance(data, dict):
        raise InputError([Problem(path="", reason="expected a mapping of profile fields", file=file)])
    if "answers" in data and data["answers"] is None:
        data = {**data, "answers": {}}
    try:
        return Organisation.model_validate(data, context={"as_written": True, "locale": locale})
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, file=file)) from exc


def stored_organisation(data: Any) -> Organisation:
    """A stored profile as far as it still validates; never raises.

    A profile saved before a bound existed (``requested_limit_eur: 0.01``, ``employees: 1e308``)
    must still be readable: the fields that no longer pass are left out (a model-level check drops
    the deductible), so reading shows them empty and submitting names them as missing.
    """
    current = dict(data) if isinstance(data, dict) else {}
    for _ in range(4):
        try:
            return Organisation.model_validate(current)
        except ValidationError as exc:
            bad = {err["loc"][0] if err["loc"] else "requested_deductible_eur" for err in exc.errors()}
            current = {k: v for k, v in current.items() if k not in bad}
    return Organisation()


def load_organisation(path: Path) -> Organisation:
    """Read and validate an organisation YAML file (profile and answers); problems name their line."""
    document = read_yaml_document(path, MAX_ORGANISATION_BYTES)
    try:
        org = parse_organisation(document.data, file=str(path))
    except InputError as exc:
        raise InputError(document_problems(document, exc.problems, file=str(path))) from exc
    raise_if(document_problems(document, [], file=str(path)))
    return org


def document_problems(document: YamlDocument, problems: list[Problem], file: str) -> list[Problem]:
    """What the YAML reader refused, plus Dutch thousands floats, plus ``problems`` (one per field,
    the reader's clearer one first), each with its line, in file order."""
    found = list(document.problems)
    for path, raw in document.floats.items():
        if looks_like_thousands(raw):
            reason = (
                f"{raw} reads as {float(raw):g}; if you meant Dutch thousands, write {raw.replace('.', '')} "
                f'(digits only) or "{raw}" in quotes with locale: nl; otherwise write {float(raw):g}'
            )
            found.append(Problem(path=path, reason=reason, file=file))
    seen = {p.path for p in found}
    found.extend(p for p in problems if p.path not in seen)
    return sorted(with_lines(found, document.lines), key=lambda p: (p.line is None, p.line or 0))
