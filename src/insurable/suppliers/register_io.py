"""The register in and out of files: YAML (the full register with evidence), CSV and XLSX (the rows).

CSV and XLSX hold one row per supplier with the register columns of :data:`COLUMNS` (no evidence:
certificates are entered one by one and their PDFs kept). Export may add ``status`` and ``reasons``;
import ignores those two and refuses any other unknown column. Import merges into an existing
register by supplier ``id`` and keeps the evidence already there. Every problem is reported at once,
naming the row and the column. Reading and writing bytes/text only; the caller owns the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from insurable.catalog.yamlio import parse_yaml_document
from insurable.errors import InputError, Problem, problems_from_validation, with_lines
from insurable.suppliers.model import Register, Supplier
from insurable.suppliers.status import SupplierStatus

__all__ = ["COLUMNS", "export_rows", "merge_rows", "parse_register", "read_csv", "read_xlsx", "write_csv", "write_xlsx"]

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "registration",
    "country",
    "services",
    "tier",
    "data_access",
    "system_access",
    "supports_essential_service",
    "contact_email",
    "cloud",
    "msp",
    "vpn",
)
EXPORT_ONLY = ("status", "reasons")
REQUIRED = ("id", "name", "tier")
TRUE = {"true", "yes", "ja", "1", "y", "j", "x"}
FALSE = {"false", "no", "nee", "0", "n", ""}


def parse_register(text: str, name: str) -> Register:
    """A register from YAML text; every problem with its line."""
    document = parse_yaml_document(text, name)
    if document.problems:
        raise InputError(document.problems)
    if not isinstance(document.data, dict):
        raise InputError([Problem("", "expected a mapping with client and suppliers", name)])
    try:
        return Register.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(with_lines(problems_from_validation(exc, file=name), document.lines)) from None


def _row_to_supplier(row: dict[str, str], old: Supplier | None) -> dict[str, Any]:
    data: dict[str, Any] = old.model_dump(mode="json", exclude_defaults=False) if old is not None else {}
    for column in COLUMNS:
        value = (row.get(column) or "").strip()
        if column in ("cloud", "msp", "vpn"):
            data.setdefault("vendors", {})[column] = value or None
        elif column == "services":
            data[column] = [s.strip() for s in value.split(";") if s.strip()]
        elif column == "supports_essential_service":
            low = value.casefold()
            data[column] = True if low in TRUE else False if low in FALSE else value
        elif column == "contact_email":
            data[column] = value or None
        elif value or column in REQUIRED:
            data[column] = value
    return data


def merge_rows(register: Register, rows: Sequence[dict[str, str]], header: Sequence[str], source: str) -> Register:
    """The register with these rows added or updated by id (evidence kept); every problem at once."""
    problems: list[Problem] = []
    unknown = [c for c in header if c not in COLUMNS and c not in EXPORT_ONLY]
    problems += [Problem(f"column {c!r}", f"unknown column; expected {', '.join(COLUMNS)}", source) for c in unknown]
    problems += [Problem(f"column {c!r}", "required column is missing", source) for c in REQUIRED if c not in header]
    if problems:
        raise InputError(problems)
    existing = {s.id: s for s in register.suppliers}
    order = [s.id for s in register.suppliers]
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        data = _row_to_supplier(row, existing.get((row.get("id") or "").strip()))
        try:
            supplier = Supplier.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation(exc):
                column = p.path.split(".")[-1] if p.path.startswith("vendors") else p.path.split("[")[0]
                problems.append(Problem(f"row {number}, column {column}", p.reason, source))
            continue
        if supplier.id in seen:
            problems.append(Problem(f"row {number}, column id", f"duplicate id {supplier.id!r}", source))
            continue
        seen.add(supplier.id)
        if supplier.id not in existing:
            order.append(supplier.id)
        existing[supplier.id] = supplier
    if problems:
        raise InputError(problems)
    return register.model_copy(update={"suppliers": tuple(existing[i] for i in order)})


def read_csv(data: bytes, source: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of a CSV file (UTF-8, with or without BOM; comma or semicolon as Excel writes in NL)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem("", f"not UTF-8 text (byte {exc.start})", source)]) from None
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        rows = [{(k or "").strip(): _cell(v) for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise InputError([Problem(f"line {reader.line_num}", f"not readable as CSV ({exc})", source)]) from None
    return rows, header


def _cell(value: object) -> str:
    """A cell as text (a row longer than the header puts its extra cells in a list)."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def read_xlsx(data: bytes, source: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of the first sheet of an XLSX workbook (first row: the column names)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError([Problem("", f"not an XLSX workbook ({type(exc).__name__})", source)]) from None
    sheet = book.worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    if not values:
        return [], []
    header = [h.strip() for h in values[0]]
    rows = [dict(zip(header, row, strict=False)) for row in values[1:] if any(cell.strip() for cell in row)]
    return rows, header


def export_rows(register: Register, statuses: Iterable[SupplierStatus] = (), lang: str = "en") -> list[list[str]]:
    """Header and one row per supplier; with statuses, the ``status`` and ``reasons`` columns too."""
    by_id = {s.supplier.id: s for s in statuses}
    header = list(COLUMNS) + (list(EXPORT_ONLY) if by_id else [])
    rows = [header]
    for s in register.suppliers:
        row = [
            s.id,
            s.name,
            s.registration,
            s.country,
            "; ".join(s.services),
            s.tier,
            s.data_access,
            s.system_access,
            "yes" if s.supports_essential_service else "no",
            s.contact_email or "",
            s.vendors.cloud or "",
            s.vendors.msp or "",
            s.vendors.vpn or "",
        ]
        if by_id:
            status = by_id[s.id]
            bad = [f.reason.get("nl" if lang == "nl" else "en") for f in status.findings if f.status != "compliant"]
            row += [status.status, " | ".join(bad)]
        rows.append(row)
    return rows


def write_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def write_xlsx(rows: list[list[str]], title: str = "suppliers") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(path: Path, data: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """CSV or XLSX by the file's extension."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(data, str(path))
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv(data, str(path))
    raise InputError([Problem("", "expected a .csv or .xlsx file", str(path))])
