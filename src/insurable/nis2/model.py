"""The NIS2 catalogue models, re-exported from :mod:`insurable.catalog.nis2`.

They live in the catalogue package beside the other file models, so that the loader can import them
without importing this package (which imports the profile, which imports the catalogue).
"""

from __future__ import annotations

from insurable.catalog.nis2 import (
    DERIVED_FLAGS,
    PUBLIC_ADMINISTRATION_FLAGS,
    Annex,
    Classification,
    DecisionRow,
    Duty,
    DutyApplies,
    EntityType,
    EuLink,
    FineParameters,
    Flag,
    Identified,
    InScope,
    LexSpecialis,
    Nis2File,
    Nis2FlagCondition,
    Note,
    NoteWhen,
    RowCondition,
    SizeCategory,
    SizeCeiling,
    TypeFlag,
)

__all__ = [
    "DERIVED_FLAGS",
    "PUBLIC_ADMINISTRATION_FLAGS",
    "Annex",
    "Classification",
    "DecisionRow",
    "Duty",
    "DutyApplies",
    "EntityType",
    "EuLink",
    "FineParameters",
    "Flag",
    "Identified",
    "InScope",
    "LexSpecialis",
    "Nis2File",
    "Nis2FlagCondition",
    "Note",
    "NoteWhen",
    "RowCondition",
    "SizeCategory",
    "SizeCeiling",
    "TypeFlag",
]
