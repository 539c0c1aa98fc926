"""The NIS2 catalogue as frozen models: Annex I/II entity types, the decision table, the duties,
the Art. 34 fine parameters and the notes where the law defers (``catalog/data/nis2.yaml``).

The decision table is data a lawyer can review. Each row is a conjunction of conditions on the
organisation's entity types (annex, type flags), its size category and its ``nis2_flags``; the first
matching row decides the classification and every other matching row of the same classification
adds its legal basis (see :func:`insurable.nis2.scope.classify` and docs/nis2.md).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from insurable.catalog.controls import Art21Letter
from insurable.catalog.header import Frozen, Header, SourceTag
from insurable.text import Text

Annex = Literal["I", "II"]
#: ``in_scope_neither``: in scope but neither essential nor important (domain name registration
#: services, Art. 2(4)); ``not_assessed``: the tool cannot decide from the facts given (e.g. the EU
#: link of Art. 2(1) is unknown). Both were added in catalogue 2.0; the first three are unchanged.
Classification = Literal["essential", "important", "in_scope_neither", "out_of_scope", "not_assessed"]
#: Classifications a duty can apply to (the in-scope ones).
InScope = Literal["essential", "important", "in_scope_neither"]
#: The EU link of Art. 2(1): services or activities in the Union (yes), none (no), or not known.
EuLink = Literal["yes", "no", "unknown"]
#: Whether a regional public administration entity was identified after the risk-based assessment.
Identified = Literal["yes", "no", "unknown"]
SizeCategory = Literal["micro", "small", "medium", "large"]

#: Types the law singles out (NIS2 Art. 2(2)(a), 2(2)(f), 3(1)(b)-(d), 4, 23(4), 26-28).
TypeFlag = Literal[
    "ecomms",  # Art. 2(2)(a)(i): public e-comms networks / publicly available e-comms services
    "trust_service",  # Art. 2(2)(a)(ii): trust service providers
    "tld_registry",  # Art. 2(2)(a)(iii): TLD name registries
    "dns_provider",  # Art. 2(2)(a)(iii): DNS service providers
    "public_administration_central",  # Art. 2(2)(f)(i)
    "public_administration_regional",  # Art. 2(2)(f)(ii)
    "dora",  # Art. 4 / recital 28: DORA as lex specialis (banking, FMI)
    "main_establishment",  # Art. 26(1)(b) and Art. 27: registry, jurisdiction of main establishment
]

#: Flags that follow from the profile rather than from an entity type (read by duties and notes).
DerivedFlag = Literal[
    "domain_registration",  # nis2_flags.domain_registration is set (Art. 2(4))
    "not_established_in_eu",  # in scope with an EU link but no establishment in the Union (Art. 26(3))
    "lex_specialis",  # a sector act (DORA) governs Art. 21/23 and supervision (Art. 4(1))
    "dora_exempt",  # nis2_flags.dora_exempt
]
Flag = TypeFlag | DerivedFlag
DERIVED_FLAGS: frozenset[str] = frozenset(get_args(DerivedFlag))

PUBLIC_ADMINISTRATION_FLAGS: dict[str, TypeFlag] = {
    "central": "public_administration_central",
    "regional": "public_administration_regional",
}


class EntityType(Frozen):
    """One row of Annex I or II (ids as in the domain reference §1.4)."""

    id: str = Field(pattern=r"^A[12]\.\d{1,2}\.\d\.\d{1,2}$")
    annex: Annex
    sector: Text
    subsector: Text | None = None
    name: Text
    legal_reference: str = Field(min_length=1, description="the Union act defining the type, if any")
    flags: tuple[TypeFlag, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _annex_matches_id(self) -> EntityType:
        if self.id[1] != ("1" if self.annex == "I" else "2"):
            raise ValueError(f"id {self.id} does not match annex {self.annex}")
        return self

    @property
    def sector_prefix(self) -> str:
        """``A1.8`` for ``A1.8.0.4``: used by notes that apply to a whole sector."""
        return ".".join(self.id.split(".")[:2])


class Nis2FlagCondition(Frozen):
    """Required values of the profile's ``nis2_flags`` (a field left out is not read)."""

    qualified_trust_service_provider: bool | None = None
    public_administration: Literal["central", "regional"] | None = None
    cer_critical_entity: bool | None = None
    member_state_designation: Literal["essential", "important"] | None = None
    former_operator_of_essential_services: bool | None = None
    national_security_exclusion: bool | None = None


class RowCondition(Frozen):
    """All conditions must hold. ``annex`` and ``type_flag`` are read on one and the same listed type."""

    annex: tuple[Annex, ...] | None = Field(default=None, description="some listed type is in these annexes")
    type_flag: TypeFlag | None = Field(default=None, description="some listed type has this flag")
    except_type_flags: tuple[TypeFlag, ...] | None = Field(
        default=None, description="that same listed type has none of these flags"
    )
    no_entity_type: bool | None = Field(default=None, description="true: no Annex I/II type is listed")
    size: tuple[SizeCategory, ...] | None = Field(default=None, description="size category is one of")
    nis2_flags: Nis2FlagCondition | None = None
    eu_link: tuple[EuLink, ...] | None = Field(default=None, description="the Art. 2(1) EU link is one of")
    public_administration_identified: tuple[Identified, ...] | None = Field(
        default=None, description="regional public administration identified after the risk-based assessment"
    )
    domain_registration: bool | None = Field(
        default=None, description="true: provides domain name registration services (Art. 2(4))"
    )

    @model_validator(mode="after")
    def _coherent(self) -> RowCondition:
        if self.no_entity_type and (
            self.annex is not None or self.type_flag is not None or self.except_type_flags is not None
        ):
            raise ValueError("no_entity_type cannot be combined with annex or type_flag")
        return self


class DecisionRow(Frozen):
    """One row. ``gate`` rows are read after the others and replace an in-scope outcome when they match
    (the Art. 2(1) EU link: without it nothing else matters, but an out-of-scope outcome stands)."""

    id: str = Field(pattern=r"^r\.[a-z0-9_.]+$")
    when: RowCondition
    gate: bool = False
    classification: Classification
    legal_basis: tuple[str, ...] = Field(min_length=1, description="articles that decide, e.g. 'Art. 3(1)(a)'")
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class DutyApplies(Frozen):
    """All given conditions must hold. Flags are read on the listed types and the derived flags."""

    classifications: tuple[InScope, ...] = ("essential", "important")
    type_flag: Flag | None = Field(default=None, description="only for entities with this flag")
    any_flag: tuple[Flag, ...] | None = Field(default=None, description="only for entities with one of these flags")


class Duty(Frozen):
    """A duty that follows from being in scope; Art. 21(2) duties name their letter and take their
    controls from ``controls.yaml`` (``nis2_art21``); ``controls`` adds explicit control ids."""

    id: str = Field(pattern=r"^art\d+(\.[A-Za-z0-9_]+)+$")
    article: str = Field(min_length=1, description="e.g. 'Art. 21(2)(b)'")
    title: Text
    description: Text
    applies: DutyApplies = DutyApplies()
    art21_letter: Art21Letter | None = None
    art20: bool = Field(default=False, description="an Art. 20 governance duty (controls with nis2_art20)")
    controls: tuple[str, ...] = Field(default=(), description="explicit control ids besides the mapping")
    deadline_hours: float | None = Field(default=None, gt=0, description="reporting deadlines (Art. 23(4))")
    sources: tuple[str, ...] = Field(min_length=1)


class FineParameters(Frozen):
    """Art. 34(4)/(5): the maximum is at least the higher of a fixed amount and a turnover share,
    for infringements of the articles in ``infringements`` (other breaches: ``other_penalties``)."""

    classification: Literal["essential", "important"]
    article: str
    infringements: tuple[str, ...] = Field(default=("Art. 21", "Art. 23"), min_length=1)
    other_penalties: str = Field(default="Art. 36", min_length=1, description="article for other infringements")
    fixed_eur: float = Field(gt=0)
    turnover_share: float = Field(gt=0, lt=1)
    sources: tuple[str, ...] = Field(min_length=1)


class NoteWhen(Frozen):
    """When a note is shown; all given conditions must hold."""

    classifications: tuple[Classification, ...] | None = None
    country: str | None = Field(default=None, description="ISO code; the profile's country must equal it")
    type_flag: Flag | None = None
    any_flag: tuple[Flag, ...] | None = Field(default=None, description="one of these flags holds")
    no_flag: tuple[Flag, ...] | None = Field(default=None, description="none of these flags holds")
    sectors: tuple[str, ...] | None = Field(default=None, description="sector prefixes like A1.8 or A2.5")
    entity_types: tuple[str, ...] | None = Field(default=None, description="some listed type is one of")
    group_decides_size: bool | None = Field(
        default=None, description="true: own figures alone give a smaller category than the group's"
    )
    always: bool | None = None

    @model_validator(mode="after")
    def _some_condition(self) -> NoteWhen:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("a note needs at least one condition (or always: true)")
        return self


class Note(Frozen):
    id: str = Field(pattern=r"^note\.[a-z0-9_.]+$")
    when: NoteWhen
    text: Text
    tag: SourceTag = Field(description="confidence of this statement: V, S, U or D")
    sources: tuple[str, ...] = Field(min_length=1)


class LexSpecialis(Frozen):
    """A sector-specific Union act that displaces NIS2 duties (Art. 4(1)), e.g. DORA for banking and
    financial market infrastructure (recital 28). It governs an in-scope entity whose every listed
    type carries ``type_flag``, unless the profile flag ``exempt_flag`` is set; the displaced duties
    and the Art. 34 fine ceiling then give way to the act, and their controls stay legally required
    under it."""

    id: str = Field(pattern=r"^lex\.[a-z0-9_.]+$")
    act: Text
    type_flag: TypeFlag
    exempt_flag: Literal["dora_exempt"] | None = None
    displaces: tuple[str, ...] = Field(min_length=1, description="duty ids that do not apply under NIS2")
    displaces_fine: bool = True
    legal_basis: tuple[str, ...] = Field(min_length=1)
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class SizeCeiling(Frozen):
    """A category ceiling of Recommendation 2003/361/EC Annex Art. 2: fewer than ``staff_below``
    persons and turnover not exceeding ``turnover_eur`` and/or balance sheet not exceeding ``balance_eur``."""

    category: Literal["micro", "small", "medium"]
    staff_below: float = Field(gt=0)
    turnover_eur: float = Field(gt=0)
    balance_eur: float = Field(gt=0)
    sources: tuple[str, ...] = Field(min_length=1)


class Nis2File(Frozen):
    header: Header
    size_ceilings: tuple[SizeCeiling, ...] = Field(min_length=3, max_length=3)
    entity_types: tuple[EntityType, ...] = Field(min_length=1)
    decision_table: tuple[DecisionRow, ...] = Field(min_length=1)
    duties: tuple[Duty, ...] = Field(min_length=1)
    fines: tuple[FineParameters, ...] = Field(min_length=2, max_length=2)
    lex_specialis: tuple[LexSpecialis, ...] = ()
    notes: tuple[Note, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Nis2File:
        if sorted(c.category for c in self.size_ceilings) != ["medium", "micro", "small"]:
            raise ValueError("size_ceilings needs exactly one ceiling each for micro, small and medium")
        if sorted(f.classification for f in self.fines) != ["essential", "important"]:
            raise ValueError("fines needs exactly one entry each for essential and important")
        return self

    def types_by_id(self) -> dict[str, EntityType]:
        return {t.id: t for t in self.entity_types}

    def ceiling(self, category: str) -> SizeCeiling:
        return next(c for c in self.size_ceilings if c.category == category)

    def fine(self, classification: str) -> FineParameters:
        return next(f for f in self.fines if f.classification == classification)
