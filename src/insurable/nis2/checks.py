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
from insurable.nis2.model import EntityType, Nis2File, SizeCategory
from insurable.nis2.scope import match_row
from insurable.profile import Nis2Flags, Organisation

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

FILE = "nis2.yaml"


def check_nis2(catalog: Catalog) -> list[Problem]:
    if FILE not in catalog.files:
        return []
    nis2 = catalog.get(FILE, Nis2File)
    file = str(catalog.paths.get(FILE, catalog.directory / FILE))
    problems = _flags_and_ids(nis2, file) + _completeness(nis2, file)
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
    flags = {flag for t in nis2.entity_types for flag in t.flags}
    ids = {t.id for t in nis2.entity_types}
    sectors = {t.sector_prefix for t in nis2.entity_types}
    for i, row in enumerate(nis2.decision_table):
        if row.when.type_flag is not None and row.when.type_flag not in flags:
            problems.append(Problem(f"decision_table[{i}].when.type_flag", _no_type(row.when.type_flag), file))
    for i, duty in enumerate(nis2.duties):
        if duty.applies.type_flag is not None and duty.applies.type_flag not in flags:
            problems.append(Problem(f"duties[{i}].applies.type_flag", _no_type(duty.applies.type_flag), file))
    letters = [d.art21_letter for d in nis2.duties if d.art21_letter is not None]
    for letter in get_args(Art21Letter):
        if letters.count(letter) != 1:
            problems.append(Problem("duties", f"Art. 21(2)({letter}) needs exactly one duty", file))
    for i, note in enumerate(nis2.notes):
        when = note.when
        if when.type_flag is not None and when.type_flag not in flags:
            problems.append(Problem(f"notes[{i}].when.type_flag", _no_type(when.type_flag), file))
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
    """Some row must match every size x flags x kind of type (one type per annex and flag set)."""
    kinds: dict[tuple[str, tuple[str, ...]], EntityType] = {}
    for t in nis2.entity_types:
        kinds.setdefault((t.annex, tuple(sorted(t.flags))), t)
    type_sets: list[list[EntityType]] = [[], *([t] for t in kinds.values())]
    flag_sets = [
        Nis2Flags(
            qualified_trust_service_provider=q,
            public_administration=pa,
            cer_critical_entity=cer,
            member_state_designation=msd,
        )
        for q, pa, cer, msd in itertools.product(
            (False, True), (None, "central", "regional"), (False, True), (None, "essential", "important")
        )
    ]
    sizes: tuple[SizeCategory, ...] = ("micro", "small", "medium", "large")
    for types, flags, size in itertools.product(type_sets, flag_sets, sizes):
        org = Organisation(nis2_flags=flags)
        if not any(match_row(row.when, types, size, org) for row in nis2.decision_table):
            kind = types[0].id if types else "no entity type"
            return [
                Problem(
                    "decision_table",
                    f"incomplete: no row matches {kind}, size {size}, flags {flags.model_dump()}",
                    file,
                )
            ]
    return []
