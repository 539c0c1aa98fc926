"""NIS2 (Directive (EU) 2022/2555) and the Dutch Cyberbeveiligingswet: scope, classification,
duties and fine ceiling, following the legal text (docs/nis2.md).

Public API::

    from insurable.nis2 import classify, legally_required_controls, nis2_catalogue
    result = classify(org, nis2_catalogue(catalog))
    required = legally_required_controls(result, catalog.controls)

The catalogue loader imports :mod:`insurable.nis2.model`, so this package imports the evaluation
modules lazily (they import the profile, which imports the catalogue).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from insurable.nis2.model import Nis2File

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog
    from insurable.nis2.scope import (
        Nis2Note,
        Nis2Result,
        classify,
        duty_controls,
        legally_required_controls,
        validate,
    )

#: File name of the NIS2 catalogue inside a catalogue directory.
NIS2_FILE = "nis2.yaml"

_LAZY = {"Nis2Note", "Nis2Result", "classify", "duty_controls", "legally_required_controls", "validate"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("insurable.nis2.scope"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def nis2_catalogue(catalog: Catalog) -> Nis2File:
    """The loaded ``nis2.yaml`` of a catalogue (raises InputError when the file is missing)."""
    return catalog.get(NIS2_FILE, Nis2File)


__all__ = [
    "NIS2_FILE",
    "Nis2File",
    "Nis2Note",
    "Nis2Result",
    "classify",
    "duty_controls",
    "legally_required_controls",
    "nis2_catalogue",
    "validate",
]
