"""Interchange adapters: the questionnaire as an Excel workbook, a guideline from a spreadsheet,
OSCAL, CISO Assistant libraries, and the registry of published JSON Schemas (docs/interchange.md).

Adapters only: they read and write files and hand everything they read to the same validation the
YAML files go through (:mod:`insurable.intake`, the catalogue models), so no format has rules of its own.
"""
