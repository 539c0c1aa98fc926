"""NIS2 classification: essential, important or out of scope, with the legal basis, the duties that
follow and the Art. 34 fine ceiling.

:func:`classify` is pure: the CLI, the assessment, the API and the web app call the same function
with an :class:`~insurable.profile.Organisation` and the loaded ``nis2.yaml`` catalogue. The rules
themselves are the catalogue's decision table (NIS2 Art. 2(1)-(4), 3(1)(a)-(g), 3(2)); this module
only evaluates it:

1. size category of the group figures (:mod:`insurable.nis2.size`);
2. the first matching decision row decides the classification; every other matching row with the
   same classification adds its legal basis, so all grounds are named;
3. gate rows (``gate: true``, the Art. 2(1) EU link) are read next: when the outcome is in scope and
   a gate matches, the gate decides and the outcome it replaced is kept as ``provisional_classification``;
4. a sector act (``lex_specialis``, DORA under Art. 4(1)) may take over duties and the fine ceiling;
5. duties whose ``applies`` holds, the Art. 21(2) letters among them, the fine ceiling and the notes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Literal

from insurable.catalog.controls import Art21Letter, Control, ControlsFile
from insurable.catalog.header import Frozen, SourceTag
from insurable.countries import EU_MEMBER_STATES
from insurable.errors import InputError, Problem
from insurable.nis2.model import (
    PUBLIC_ADMINISTRATION_FLAGS,
    Classification,
    Duty,
    EntityType,
    EuLink,
    Identified,
    LexSpecialis,
    Nis2File,
    Note,
    RowCondition,
    SizeCategory,
)
from insurable.nis2.size import Figures, aggregate, group_turnover, size_category
from insurable.profile import NIS2_FIELDS, Organisation, missing_fields
from insurable.text import Text

#: Classifications that put the entity in scope of NIS2 (Art. 2).
IN_SCOPE: frozenset[str] = frozenset({"essential", "important", "in_scope_neither"})

#: Legal basis of the size test, added when a decisive row reads the size category.
SIZE_BASIS = "Recommendation 2003/361/EC Annex Art. 2, 3 and 6 via NIS2 Art. 2(1) (Annex Art. 3(4) disapplied)"


class Nis2Note(Frozen):
    """A caveat shown with the outcome; ``tag`` is its confidence (V, S, U or D)."""

    id: str
    tag: SourceTag
    text: Text
    sources: tuple[str, ...]


class Nis2Result(Frozen):
    """The NIS2 outcome for one organisation, with the reasons that produced it."""

    classification: Classification
    size_category: SizeCategory
    size_category_own: SizeCategory
    headcount_used: float
    turnover_used_eur: float
    balance_sheet_used_eur: float
    entity_types: tuple[str, ...]
    rules: tuple[str, ...]
    legal_basis: tuple[str, ...]
    reasons: tuple[Text, ...]
    duties: tuple[str, ...]
    art21_letters: tuple[Art21Letter, ...]
    art20_applies: bool
    explicit_controls: tuple[str, ...]
    fine_cap_eur: float | None
    fine_article: str | None
    fine_turnover_eur: float | None
    notes: tuple[Nis2Note, ...]
    catalogue_version: str
    # --- added in catalogue 2.0 (additive: consumers of the fields above are unaffected) ---
    provisional_classification: Classification | None = None
    eu_link: EuLink = "yes"
    established_in_eu: bool = True
    lex_specialis: str | None = None
    lex_specialis_act: Text | None = None
    lex_specialis_basis: tuple[str, ...] = ()
    displaced_duties: tuple[str, ...] = ()
    fine_infringements: tuple[str, ...] = ()
    other_penalties_article: str | None = None
    jurisdiction_basis: str | None = None
    jurisdiction_member_states: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return self.classification in IN_SCOPE


def validate(org: Organisation, nis2: Nis2File, file: str | None = None) -> list[Problem]:
    """Every problem that stops a classification: missing size fields, unknown or repeated entity
    types, and flags that contradict the entity types (see docs/nis2.md, "Validation")."""
    problems = missing_fields(org, NIS2_FIELDS, file=file)
    problems += entity_type_problems(org.nis2_entity_types, nis2, file)
    known = nis2.types_by_id()
    types = [known[t] for t in org.nis2_entity_types if t in known]
    problems += _flag_problems(org, types, nis2, file)
    return problems


def entity_type_problems(ids: Iterable[object], nis2: Nis2File, file: str | None = None) -> list[Problem]:
    """Unknown or repeated ids in ``nis2_entity_types`` (also usable on raw, unvalidated data)."""
    known = nis2.types_by_id()
    seen: set[str] = set()
    problems: list[Problem] = []
    for i, type_id in enumerate(ids):
        path = f"nis2_entity_types[{i}]"
        if not isinstance(type_id, str):
            problems.append(Problem(path, "an entity type id is a string like A1.8.0.4", file))
        elif type_id not in known:
            close = difflib.get_close_matches(type_id, list(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append(
                Problem(
                    path, f"unknown NIS2 entity type id {type_id!r} (ids like A1.8.0.4, see docs/nis2.md){hint}", file
                )
            )
        elif type_id in seen:
            problems.append(Problem(path, f"{type_id} is listed more than once", file))
        if isinstance(type_id, str):
            seen.add(type_id)
    return problems


def _flag_problems(org: Organisation, types: list[EntityType], nis2: Nis2File, file: str | None) -> list[Problem]:
    flags = org.nis2_flags
    problems: list[Problem] = []
    has: set[str] = {flag for t in types for flag in t.flags}
    if flags.qualified_trust_service_provider and "trust_service" not in has:
        problems.append(
            Problem(
                "nis2_flags.qualified_trust_service_provider",
                "is true but nis2_entity_types has no trust service provider type (A1.8.0.7)",
                file,
            )
        )
    for level, flag in PUBLIC_ADMINISTRATION_FLAGS.items():
        wanted = [t.id for t in nis2.entity_types if flag in t.flags]
        if flags.public_administration == level and flag not in has:
            problems.append(
                Problem(
                    "nis2_flags.public_administration",
                    f"is {level!r} but nis2_entity_types has no {level} public administration type "
                    f"({', '.join(wanted)})",
                    file,
                )
            )
    for i, type_id in enumerate(org.nis2_entity_types):
        entity = nis2.types_by_id().get(type_id)
        if (
            entity is not None
            and "public_administration_central" in entity.flags
            and flags.public_administration != "central"
        ):
            problems.append(
                Problem(
                    f"nis2_entity_types[{i}]",
                    f"{type_id} is a central government entity (Art. 2(2)(f)(i)); "
                    "set nis2_flags.public_administration: central",
                    file,
                )
            )
    problems += _new_flag_problems(org, types, has, file)
    if flags.member_state_designation is not None and not types:
        problems.append(
            Problem(
                "nis2_flags.member_state_designation",
                "a Member State identifies entities of an Annex I or II type (Art. 2(2)(b)-(e)); "
                "list that type in nis2_entity_types",
                file,
            )
        )
    return problems


def _new_flag_problems(org: Organisation, types: list[EntityType], has: set[str], file: str | None) -> list[Problem]:
    """Checks of the flags added in catalogue 2.0: EU link, representative, regional identification, DORA."""
    flags = org.nis2_flags
    problems: list[Problem] = []
    if flags.eu_services is False and established_in_eu(org):
        where = ", ".join(flags.eu_establishments) or str(org.country)
        problems.append(
            Problem(
                "nis2_flags.eu_services",
                f"is false but the entity is established in the Union ({where}): an entity established in a "
                "Member State carries out activities in the Union (Art. 2(1))",
                file,
            )
        )
    elif flags.eu_services is False and _identified_in_member_state(org):
        problems.append(
            Problem(
                "nis2_flags.eu_services",
                "is false but a Member State identified or designated the entity (public administration, CER, "
                "designation or former operator of essential services), which presumes activities in the Union",
                file,
            )
        )
    if flags.representative_member_state is not None and established_in_eu(org):
        problems.append(
            Problem(
                "nis2_flags.representative_member_state",
                "a representative is designated only by an entity not established in the Union (Art. 26(3)); "
                "this one is established in the Union (country or eu_establishments)",
                file,
            )
        )
    if flags.public_administration_identified is not None and flags.public_administration != "regional":
        problems.append(
            Problem(
                "nis2_flags.public_administration_identified",
                "applies to regional public administration only (Art. 2(2)(f)(ii)); "
                "set nis2_flags.public_administration: regional or leave it out",
                file,
            )
        )
    for i, t in enumerate(org.nis2_entity_types):
        entity = next((e for e in types if e.id == t), None)
        if (
            entity is not None
            and "public_administration_regional" in entity.flags
            and flags.public_administration != "regional"
        ):
            problems.append(
                Problem(
                    f"nis2_entity_types[{i}]",
                    f"{t} is a regional public administration entity (Art. 2(2)(f)(ii)); "
                    "set nis2_flags.public_administration: regional",
                    file,
                )
            )
    if flags.national_security_exclusion and flags.public_administration is None:
        problems.append(
            Problem(
                "nis2_flags.national_security_exclusion",
                "the exclusion of Art. 2(7) is for public administration entities; set "
                "nis2_flags.public_administration (central or regional) with its entity type",
                file,
            )
        )
    if flags.dora_exempt and "dora" not in has:
        problems.append(
            Problem(
                "nis2_flags.dora_exempt",
                "is true but nis2_entity_types has no banking or financial market infrastructure type "
                "(A1.3.0.1, A1.4.0.1, A1.4.0.2) that DORA could cover",
                file,
            )
        )
    return problems


def established_in_eu(org: Organisation) -> bool:
    """Established in a Member State: ``country`` is one, or ``eu_establishments`` lists any."""
    return bool(org.nis2_flags.eu_establishments) or org.country in EU_MEMBER_STATES


def _identified_in_member_state(org: Organisation) -> bool:
    flags = org.nis2_flags
    return (
        flags.public_administration is not None
        or flags.cer_critical_entity
        or flags.member_state_designation is not None
        or flags.former_operator_of_essential_services
    )


def eu_link(org: Organisation) -> EuLink:
    """Art. 2(1): does the entity provide services or carry out activities in the Union?

    ``nis2_flags.eu_services`` decides when given. Otherwise an establishment in a Member State, or an
    identification by a Member State (public administration, CER, designation, former operator of
    essential services), presumes it ([D]); with neither it is unknown.
    """
    flags = org.nis2_flags
    if flags.eu_services is not None:
        return "yes" if flags.eu_services else "no"
    if established_in_eu(org) or _identified_in_member_state(org):
        return "yes"
    return "unknown"


def public_administration_identified(org: Organisation) -> Identified:
    """Regional level: identified following the Member State's risk-based assessment (Art. 2(2)(f)(ii))."""
    found = org.nis2_flags.public_administration_identified
    return "unknown" if found is None else ("yes" if found else "no")


def classify(org: Organisation, nis2: Nis2File, file: str | None = None) -> Nis2Result:
    """Classify ``org`` under NIS2; raise :class:`InputError` with every problem when it cannot."""
    problems = validate(org, nis2, file)
    if problems:
        raise InputError(problems)
    assert org.employees is not None
    assert org.annual_turnover_eur is not None
    assert org.balance_sheet_total_eur is not None
    own = Figures(org.employees, org.annual_turnover_eur, org.balance_sheet_total_eur)
    used = aggregate(own, org.group)
    category = size_category(used, nis2)
    category_own = size_category(own, nis2)
    types = [nis2.types_by_id()[t] for t in org.nis2_entity_types]

    link = eu_link(org)
    ordinary = [row for row in nis2.decision_table if not row.gate]
    matches = [(row, found) for row in ordinary if (found := match_row(row.when, types, category, org))]
    if not matches:  # the catalogue check and the test suite make the table complete
        raise InputError([Problem("decision_table", "no decision row matches this organisation")])
    classification = matches[0][0].classification
    decisive = [(row, found) for row, found in matches if row.classification == classification]
    provisional: Classification | None = None
    if classification in IN_SCOPE:
        gate = next(
            (
                (row, found)
                for row in nis2.decision_table
                if row.gate and (found := match_row(row.when, types, category, org))
            ),
            None,
        )
        if gate is not None:
            provisional, classification, decisive = classification, gate[0].classification, [gate]

    legal_basis: list[str] = []
    for row, _ in decisive:
        legal_basis += row.legal_basis
    if any(row.when.size is not None for row, _ in decisive):
        legal_basis.append(SIZE_BASIS)
    basis_types = {t.id for _, found in decisive for t in found if isinstance(t, EntityType)}
    legal_basis += [_annex_entry(t) for t in types if t.id in basis_types]

    in_scope = classification in IN_SCOPE
    lex = _lex_specialis(nis2, classification, types, org) if in_scope else None
    established = established_in_eu(org)
    flags = _flags(types, org, lex is not None, in_scope and not established)
    applicable = [d for d in nis2.duties if in_scope and _duty_applies(d, classification, flags)]
    displaced = [d for d in applicable if lex is not None and d.id in lex.displaces]
    duties = [d for d in applicable if d not in displaced]
    fine_cap: float | None = None
    fine_article: str | None = None
    fine_turnover: float | None = None
    infringements: tuple[str, ...] = ()
    other_penalties: str | None = None
    if classification in ("essential", "important") and not (lex is not None and lex.displaces_fine):
        fine = nis2.fine(classification)
        fine_turnover = group_turnover(org.annual_turnover_eur, org.group)
        fine_cap = max(fine.fixed_eur, fine.turnover_share * fine_turnover)
        fine_article = fine.article
        infringements = fine.infringements
        other_penalties = fine.other_penalties
    group_decides = _band(category_own) < _band(category)
    notes = [
        Nis2Note(id=n.id, tag=n.tag, text=n.text, sources=n.sources)
        for n in nis2.notes
        if _note_applies(n, classification, types, org, group_decides, flags)
    ]
    required = applicable  # displaced duties stay legally required, under the sector act
    letters = [d.art21_letter for d in required if d.art21_letter is not None]
    return Nis2Result(
        classification=classification,
        size_category=category,
        size_category_own=category_own,
        headcount_used=used.headcount,
        turnover_used_eur=used.turnover_eur,
        balance_sheet_used_eur=used.balance_sheet_eur,
        entity_types=tuple(org.nis2_entity_types),
        rules=tuple(row.id for row, _ in decisive),
        legal_basis=tuple(dict.fromkeys(legal_basis)),
        reasons=tuple(row.reason for row, _ in decisive),
        duties=tuple(d.id for d in duties),
        art21_letters=tuple(dict.fromkeys(letters)),
        art20_applies=any(d.art20 for d in required),
        explicit_controls=tuple(dict.fromkeys(c for d in required for c in d.controls)),
        fine_cap_eur=fine_cap,
        fine_article=fine_article,
        fine_turnover_eur=fine_turnover,
        notes=tuple(notes),
        catalogue_version=nis2.header.version,
        provisional_classification=provisional,
        eu_link=link,
        established_in_eu=established,
        lex_specialis=lex.id if lex is not None else None,
        lex_specialis_act=lex.act if lex is not None else None,
        lex_specialis_basis=lex.legal_basis if lex is not None else (),
        displaced_duties=tuple(d.id for d in displaced),
        fine_infringements=infringements,
        other_penalties_article=other_penalties,
        **_jurisdiction(org, flags) if in_scope else {},
    )


def _jurisdiction(org: Organisation, flags: set[str]) -> dict[str, Any]:
    """Art. 26: which Member State(s) the entity falls under, as far as the profile tells.

    Public administration: the Member State that established it (26(1)(c)); e-communications: every
    Member State where it provides services, which the profile does not list (26(1)(a)); the 26(1)(b)
    types and registrars: the main establishment (26(2)), known here only when there is one
    establishment, else the representative (26(3)) or, without one, any Member State where services
    are provided (26(4)); otherwise the Member State(s) of establishment (26(1)). With types of
    several kinds the first of these applies ([D]).
    """
    nis2_flags = org.nis2_flags
    established = tuple(
        dict.fromkeys((*nis2_flags.eu_establishments, *([org.country] if org.country in EU_MEMBER_STATES else [])))
    )
    if flags & {"public_administration_central", "public_administration_regional"}:
        return {"jurisdiction_basis": "Art. 26(1)(c)", "jurisdiction_member_states": established[:1]}
    if "ecomms" in flags:
        return {"jurisdiction_basis": "Art. 26(1)(a)", "jurisdiction_member_states": ()}
    if flags & {"main_establishment", "domain_registration"}:
        if established:
            return {
                "jurisdiction_basis": "Art. 26(1)(b), 26(2)",
                "jurisdiction_member_states": established if len(established) == 1 else (),
            }
        if nis2_flags.representative_member_state is not None:
            return {
                "jurisdiction_basis": "Art. 26(3)",
                "jurisdiction_member_states": (nis2_flags.representative_member_state,),
            }
        return {"jurisdiction_basis": "Art. 26(4)", "jurisdiction_member_states": ()}
    return {"jurisdiction_basis": "Art. 26(1)", "jurisdiction_member_states": established}


def _lex_specialis(
    nis2: Nis2File, classification: Classification, types: list[EntityType], org: Organisation
) -> LexSpecialis | None:
    """The sector act that governs this entity (Art. 4(1)): every listed type carries its flag and the
    exemption flag is not set. With other types besides, NIS2 keeps applying (Art. 4(1), second sentence)."""
    if classification not in ("essential", "important") or not types:
        return None
    for lex in nis2.lex_specialis:
        if lex.exempt_flag is not None and getattr(org.nis2_flags, lex.exempt_flag):
            continue
        if all(lex.type_flag in t.flags for t in types):
            return lex
    return None


def _flags(types: list[EntityType], org: Organisation, lex: bool, not_established: bool) -> set[str]:
    """Flags of the listed types plus the derived flags (``DerivedFlag``)."""
    flags: set[str] = {flag for t in types for flag in t.flags}
    derived = {
        "domain_registration": org.nis2_flags.domain_registration is not None,
        "not_established_in_eu": not_established,
        "lex_specialis": lex,
        "dora_exempt": org.nis2_flags.dora_exempt,
    }
    return flags | {name for name, holds in derived.items() if holds}


#: A matched row: the entity types that satisfied its type conditions, or ``True`` when it has none.
_Found = list[EntityType | Literal[True]]


def match_row(when: RowCondition, types: list[EntityType], category: SizeCategory, org: Organisation) -> _Found:
    """The types satisfying the row (``[True]`` for a row without type conditions); empty: no match."""
    if when.size is not None and category not in when.size:
        return []
    if when.nis2_flags is not None:
        for name, required in when.nis2_flags:
            if required is not None and getattr(org.nis2_flags, name) != required:
                return []
    if when.no_entity_type is not None and bool(types) == when.no_entity_type:
        return []
    if when.eu_link is not None and eu_link(org) not in when.eu_link:
        return []
    if (
        when.public_administration_identified is not None
        and public_administration_identified(org) not in when.public_administration_identified
    ):
        return []
    if when.domain_registration is not None and (org.nis2_flags.domain_registration is not None) != (
        when.domain_registration
    ):
        return []
    if when.annex is None and when.type_flag is None and when.except_type_flags is None:
        return [True]
    return [
        t
        for t in types
        if (when.annex is None or t.annex in when.annex)
        and (when.type_flag is None or when.type_flag in t.flags)
        and not set(when.except_type_flags or ()).intersection(t.flags)
    ]


def _annex_entry(t: EntityType) -> str:
    sub = f", {t.subsector.en}" if t.subsector is not None else ""
    return f"Annex {t.annex}, {t.sector.en}{sub}: {t.name.en} ({t.id})"


def _duty_applies(duty: Duty, classification: Classification, flags: set[str]) -> bool:
    applies = duty.applies
    if classification not in applies.classifications:
        return False
    if applies.type_flag is not None and applies.type_flag not in flags:
        return False
    return applies.any_flag is None or bool(flags.intersection(applies.any_flag))


def _band(category: SizeCategory) -> int:
    """The size bands NIS2 distinguishes: below medium, medium, above medium (Art. 2(1), 3(1)(a))."""
    return {"micro": 0, "small": 0, "medium": 1, "large": 2}[category]


def _note_applies(
    note: Note,
    classification: Classification,
    types: list[EntityType],
    org: Organisation,
    group_decides: bool,
    flags: set[str],
) -> bool:
    when = note.when
    checks = [
        when.classifications is None or classification in when.classifications,
        when.country is None or org.country == when.country,
        when.type_flag is None or when.type_flag in flags,
        when.any_flag is None or bool(flags.intersection(when.any_flag)),
        when.no_flag is None or not flags.intersection(when.no_flag),
        when.sectors is None or any(t.sector_prefix in when.sectors for t in types),
        when.entity_types is None or any(t.id in when.entity_types for t in types),
        when.group_decides_size is None or group_decides == when.group_decides_size,
        when.always is None or when.always,
    ]
    return all(checks)


def legally_required_controls(result: Nis2Result, controls: ControlsFile | Iterable[Control]) -> set[str]:
    """Control ids that NIS2 makes legally required for this outcome (empty when out of scope).

    A control is required when one of its ``nis2_art21`` letters is among the result's Art. 21(2)
    letters, when it is marked ``nis2_art20`` and the Art. 20 duties apply, or when an applicable
    duty names it explicitly. The assessment marks these as "legally required" rather than only
    insurer-driven.
    """
    if not result.in_scope:
        return set()
    items = controls.controls if isinstance(controls, ControlsFile) else tuple(controls)
    letters = set(result.art21_letters)
    required = {c.id for c in items if letters.intersection(c.nis2_art21) or (result.art20_applies and c.nis2_art20)}
    known = {c.id for c in items}
    required.update(c for c in result.explicit_controls if c in known)
    return required


def duty_controls(nis2: Nis2File, controls: ControlsFile | Iterable[Control]) -> dict[str, tuple[str, ...]]:
    """Duty id -> the control ids that implement it (mapping from controls.yaml plus explicit ids)."""
    items = controls.controls if isinstance(controls, ControlsFile) else tuple(controls)
    out: dict[str, tuple[str, ...]] = {}
    for duty in nis2.duties:
        ids = [c.id for c in items if duty.art21_letter is not None and duty.art21_letter in c.nis2_art21]
        ids += [c.id for c in items if duty.art20 and c.nis2_art20]
        ids += list(duty.controls)
        out[duty.id] = tuple(dict.fromkeys(ids))
    return out


__all__ = [
    "IN_SCOPE",
    "SIZE_BASIS",
    "Nis2Note",
    "Nis2Result",
    "classify",
    "duty_controls",
    "entity_type_problems",
    "eu_link",
    "established_in_eu",
    "legally_required_controls",
    "validate",
]
