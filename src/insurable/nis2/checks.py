"""Cross-reference checks for ``nis2.yaml`` (registered in ``catalog.references.EXTRA_CHECKS``).

Duplicate ids in every list are already caught by the generic check. This adds: duty control ids
exist in ``controls.yaml``; every Art. 21(2) letter has a duty and at least one control; type flags,
sector prefixes and entity-type ids named by rows, duties and notes resolve to entity types; and the
decision table is complete (some row matches every combination of size, flags and type kind).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, get_args

from insurable.catalog.controls import Art21Letter
from insurable.errors import Problem
from insurable.nis2.model import DERIVED_FLAGS, EntityType, Nis2File, SizeCategory
from insurable.nis2.scope import match_row, validate
from insurable.profile import Nis2Flags, Organisation

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

FILE = "nis2.yaml"


def check_nis2(catalog: Catalog) -> list[Problem]:
    if FILE not in catalog.files:
        return []
    nis2 = catalog.get(FILE, Nis2File)
    file = str(catalog.paths.get(FILE, catalog.directory / FILE))
    from insurable.catalog.loader import THOROUGH

    problems = _flags_and_ids(nis2, file) + (_completeness(nis2, file) if THOROUGH.get() else [])
    if "controls.yaml" in catalog.files:
        problems += _controls(nis2, catalog, file)
    return problems


def _controls(nis2: Nis2File, catalog: Catalog, file: str) -> list[Problem]:
    controls = catalog.controls.controls
    known = {c.id for c in controls}
    problems: list[Problem] = []
    for i, duty in enumerate(nis2.duties):
        for j, ctl in enumerate(duty.controls):
            if ctl not in known:
                problems.append(Problem(f"duties[{i}].controls[{j}]", f"unknown control id {ctl!r}", file))
    mapped = {letter for c in controls for letter in c.nis2_art21}
    for letter in get_args(Art21Letter):
        if letter not in mapped:
            problems.append(Problem("duties", f"no control in controls.yaml maps to Art. 21(2)({letter})", file))
    return problems


def _flags_and_ids(nis2: Nis2File, file: str) -> list[Problem]:
    problems: list[Problem] = []
    flags = {flag for t in nis2.entity_types for flag in t.flags} | DERIVED_FLAGS
    ids = {t.id for t in nis2.entity_types}
    sectors = {t.sector_prefix for t in nis2.entity_types}
    for i, row in enumerate(nis2.decision_table):
        if row.when.type_flag is not None and row.when.type_flag not in flags:
            problems.append(Problem(f"decision_table[{i}].when.type_flag", _no_type(row.when.type_flag), file))
    for i, duty in enumerate(nis2.duties):
        if duty.applies.type_flag is not None and duty.applies.type_flag not in flags:
            problems.append(Problem(f"duties[{i}].applies.type_flag", _no_type(duty.applies.type_flag), file))
        for j, flag in enumerate(duty.applies.any_flag or ()):
            if flag not in flags:
                problems.append(Problem(f"duties[{i}].applies.any_flag[{j}]", _no_type(flag), file))
    duty_ids = {d.id for d in nis2.duties}
    for i, lex in enumerate(nis2.lex_specialis):
        if lex.type_flag not in flags:
            problems.append(Problem(f"lex_specialis[{i}].type_flag", _no_type(lex.type_flag), file))
        for j, duty_id in enumerate(lex.displaces):
            if duty_id not in duty_ids:
                problems.append(Problem(f"lex_specialis[{i}].displaces[{j}]", f"unknown duty id {duty_id!r}", file))
    letters = [d.art21_letter for d in nis2.duties if d.art21_letter is not None]
    for letter in get_args(Art21Letter):
        if letters.count(letter) != 1:
            problems.append(Problem("duties", f"Art. 21(2)({letter}) needs exactly one duty", file))
    for i, note in enumerate(nis2.notes):
        when = note.when
        if when.type_flag is not None and when.type_flag not in flags:
            problems.append(Problem(f"notes[{i}].when.type_flag", _no_type(when.type_flag), file))
        for name in ("any_flag", "no_flag"):
            for j, flag in enumerate(getattr(when, name) or ()):
                if flag not in flags:
                    problems.append(Problem(f"notes[{i}].when.{name}[{j}]", _no_type(flag), file))
        for j, sector in enumerate(when.sectors or ()):
            if sector not in sectors:
                problems.append(Problem(f"notes[{i}].when.sectors[{j}]", f"unknown sector {sector!r}", file))
        for j, type_id in enumerate(when.entity_types or ()):
            if type_id not in ids:
                problems.append(
                    Problem(f"notes[{i}].when.entity_types[{j}]", f"unknown entity type id {type_id!r}", file)
                )
    return problems


def _no_type(flag: str) -> str:
    return f"no entity type carries the flag {flag!r}"


def _completeness(nis2: Nis2File, file: str) -> list[Problem]:
    """Some ordinary row must match every valid size x flags x EU link x kind of type (one type per
    annex and flag set); combinations that :func:`validate` refuses are skipped."""
    kinds: dict[tuple[str, tuple[str, ...]], EntityType] = {}
    for t in nis2.entity_types:
        kinds.setdefault((t.annex, tuple(sorted(t.flags))), t)
    type_sets: list[list[EntityType]] = [[], *([t] for t in kinds.values())]
    flag_sets = [
        Nis2Flags(
            qualified_trust_service_provider=q,
            public_administration=pa,
            public_administration_identified=ident if pa == "regional" else None,
            cer_critical_entity=cer,
            member_state_designation=msd,
            former_operator_of_essential_services=oes,
            eu_services=eu,
            domain_registration=reg,
        )
        for q, pa, ident, cer, msd, oes, eu, reg in itertools.product(
            (False, True),
            (None, "central", "regional"),
            (None, True, False),
            (False, True),
            (None, "essential", "important"),
            (False, True),
            (None, True, False),
            (None, "registrar"),
        )
        if pa == "regional" or ident is None
    ]
    sizes: tuple[SizeCategory, ...] = ("micro", "small", "medium", "large")
    ordinary = [row for row in nis2.decision_table if not row.gate]
    for types, flags, size in itertools.product(type_sets, flag_sets, sizes):
        org = Organisation(
            employees=1,
            annual_turnover_eur=1,
            balance_sheet_total_eur=1,
            nis2_entity_types=tuple(t.id for t in types),
            nis2_flags=flags,
        )
        if validate(org, nis2):
            continue
        if not any(match_row(row.when, types, size, org) for row in ordinary):
            kind = types[0].id if types else "no entity type"
            return [
                Problem(
                    "decision_table",
                    f"incomplete: no row matches {kind}, size {size}, flags {flags.model_dump()}",
                    file,
                )
            ]
    return []
