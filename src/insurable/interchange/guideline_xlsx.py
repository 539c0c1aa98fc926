"""An underwriting guideline as a workbook and back, laid out from the Pydantic models.

The layout is derived from :class:`~insurable.catalog.guideline.GuidelineFile`, so a field added to
the model appears in the workbook without code here:

- sheet ``guideline``: one row per single value (``header.version``, ``rating.base_premium_eur``,
  ``default_hazard_class``), nested models flattened with dots, bilingual text as ``.nl`` / ``.en``;
- one sheet per list of items (``hazard_classes``, ``classification``, ``rules``,
  ``rating.revenue_bands``, ``rating.limit_factors``, ``rating.deductible_factors``,
  ``header.sources``): a row per item, a column per field; a list of ids is comma-separated and a
  condition (``when``) is written in YAML flow form, ``{q: q.mfa.remote_access, eq: false}``.

Reading validates through the same model as ``guideline.yaml``; every problem names sheet and cell.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from insurable.catalog.guideline import GuidelineFile
from insurable.errors import InputError, Problem, dotted
from insurable.text import Text

MAIN_SHEET = "guideline"
MAX_WORKBOOK_BYTES = 5_000_000


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The item model of a ``tuple[Model, ...]`` field."""
    inner = _unwrap(annotation)
    if get_origin(inner) is tuple:
        args = [a for a in get_args(inner) if a is not Ellipsis]
        return _model(args[0]) if len(args) == 1 else None
    return None


def _scalar_list(annotation: Any) -> bool:
    inner = _unwrap(annotation)
    return get_origin(inner) is tuple and _item_model(annotation) is None


def _flat(model: type[BaseModel]) -> bool:
    """A model whose fields are all scalars (Text): flattened into dotted columns."""
    return all(
        _model(f.annotation) is None and get_origin(_unwrap(f.annotation)) is not tuple
        for f in model.model_fields.values()
    )


def _recursive(model: type[BaseModel]) -> bool:
    """A model that contains itself (a condition tree): written as YAML, never flattened."""
    return any(model in (_model(f.annotation), _item_model(f.annotation)) for f in model.model_fields.values())


@dataclass(frozen=True)
class Column:
    """A column of an item sheet: its heading (dotted path in the item) and how the cell is written."""

    path: tuple[str, ...]
    kind: str  # scalar | list | yaml


def columns(model: type[BaseModel]) -> list[Column]:
    """The columns of an item sheet for ``model``: flat sub-models (Text) dotted, lists comma-separated,
    anything deeper (conditions, ranges) as YAML flow text."""
    cols: list[Column] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        sub = _model(info.annotation)
        if sub is not None and _flat(sub) and sub is not model:
            cols.extend(Column((key, k2), "scalar") for k2 in (f.alias or n for n, f in sub.model_fields.items()))
        elif sub is not None or _item_model(info.annotation) is not None:
            cols.append(Column((key,), "yaml"))
        elif _scalar_list(info.annotation):
            args = [a for a in get_args(_unwrap(info.annotation)) if a is not Ellipsis]
            cols.append(Column((key,), "list" if args == [str] else "yaml"))
        else:
            cols.append(Column((key,), "scalar"))
    return cols


@dataclass
class Layout:
    """Where every part of the guideline lives: single values (main sheet) and item sheets."""

    values: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # (path, kind)
    sheets: dict[str, tuple[tuple[str, ...], type[BaseModel]]] = field(default_factory=dict)


def layout(model: type[BaseModel] = GuidelineFile, prefix: tuple[str, ...] = (), into: Layout | None = None) -> Layout:
    """The workbook layout of ``model`` (recursing into single nested models)."""
    out = into or Layout()
    for name, info in model.model_fields.items():
        path = (*prefix, info.alias or name)
        item = _item_model(info.annotation)
        sub = _model(info.annotation)
        if item is not None:
            out.sheets[".".join(path)] = (path, item)
        elif sub is Text:
            out.values += [((*path, "nl"), "scalar"), ((*path, "en"), "scalar")]
        elif sub is not None and _recursive(sub):
            out.values.append((path, "yaml"))
        elif sub is not None:
            layout(sub, path, out)
        elif _scalar_list(info.annotation):
            out.values.append((path, "list"))
        else:
            out.values.append((path, "scalar"))
    return out


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _write_cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "list":
        return ", ".join(str(v) for v in value)
    if kind == "yaml" or isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False).strip()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def guideline_workbook(guideline: GuidelineFile) -> bytes:
    """The guideline as .xlsx bytes."""
    data = guideline.model_dump(mode="json", by_alias=True, exclude_none=True)
    plan = layout()
    wb = Workbook()
    main = wb.active
    assert main is not None
    main.title = MAIN_SHEET
    main.append(("field", "value"))
    for path, kind in plan.values:
        main.append((".".join(path), _write_cell(_get(data, path), kind)))
    _style(main, (40, 70))
    for sheet_name, (path, item) in plan.sheets.items():
        ws = wb.create_sheet(sheet_name[:31])
        cols = columns(item)
        ws.append(tuple(".".join(c.path) for c in cols))
        for row in _get(data, path) or ():
            ws.append(tuple(_write_cell(_get(row, c.path), c.kind) for c in cols))
        _style(ws, tuple(60 if c.kind == "yaml" else 18 for c in cols))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _style(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _read_cell(value: Any, kind: str) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if value is None:
        return None
    if kind == "list":
        return [part.strip() for part in str(value).split(",") if part.strip()]
    if kind == "yaml" and isinstance(value, str):
        return yaml.safe_load(value)
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    return value


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong and at which character of the cell."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"not valid YAML: {exc.problem} at character {exc.problem_mark.column + 1}"
    return "not valid YAML"


def read_guideline_workbook(path: Path) -> GuidelineFile:
    """Read a guideline workbook; raise :class:`InputError` naming sheet and cell for every problem."""
    from insurable.interchange.questionnaire_xlsx import open_workbook

    file = str(path)
    if path.stat().st_size > MAX_WORKBOOK_BYTES:
        raise InputError([Problem("", f"workbook larger than {MAX_WORKBOOK_BYTES:,} bytes", file)])
    wb = open_workbook(path.read_bytes(), file)
    plan = layout()
    problems: list[Problem] = []
    cells: dict[str, str] = {}
    data: dict[str, Any] = {}
    if MAIN_SHEET not in wb.sheetnames:
        problems.append(Problem(MAIN_SHEET, "sheet is missing", file))
    else:
        kinds = {".".join(p): (p, k) for p, k in plan.values}
        ws = wb[MAIN_SHEET]
        for row in range(2, ws.max_row + 1):
            key, raw = ws.cell(row, 1).value, ws.cell(row, 2).value
            if key is None and raw is None:
                continue
            if str(key) not in kinds:
                problems.append(Problem(f"{MAIN_SHEET}!A{row}", f"unknown field {key!r}", file))
                continue
            p, kind = kinds[str(key)]
            try:
                value = _read_cell(raw, kind)
            except yaml.YAMLError as exc:
                problems.append(Problem(f"{MAIN_SHEET}!B{row} ({key})", _yaml_reason(exc), file))
                continue
            cells[".".join(p)] = f"{MAIN_SHEET}!B{row}"
            if value is not None:
                _set(data, p, value)
    for sheet_name, (p, item) in plan.sheets.items():
        name = sheet_name[:31]
        if name not in wb.sheetnames:
            problems.append(Problem(name, "sheet is missing (for none, keep it with only its heading row)", file))
            continue
        ws = wb[name]
        by_heading = {".".join(c.path): c for c in columns(item)}
        heads: dict[int, Any] = {}
        for col in range(1, ws.max_column + 1):
            head = ws.cell(1, col).value
            if head is None:
                continue
            if str(head) not in by_heading:
                problems.append(Problem(f"{name}!{get_column_letter(col)}1", f"unknown column {head!r}", file))
                continue
            heads[col] = by_heading[str(head)]
        rows: list[dict[str, Any]] = []
        for row in range(2, ws.max_row + 1):
            values = {col: ws.cell(row, col).value for col in heads}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            index = len(rows)
            item_data: dict[str, Any] = {}
            for col, column in heads.items():
                cell = f"{name}!{get_column_letter(col)}{row}"
                where = f"{'.'.join(p)}[{index}].{'.'.join(column.path)}"
                try:
                    value = _read_cell(values[col], column.kind)
                except yaml.YAMLError as exc:
                    problems.append(Problem(f"{cell} ({where})", _yaml_reason(exc), file))
                    continue
                cells[where] = cell
                if value is not None:
                    _set(item_data, column.path, value)
            cells[f"{'.'.join(p)}[{index}]"] = f"{name}!A{row}"
            rows.append(item_data)
        _set(data, p, rows)
    if problems:
        raise InputError(problems)
    try:
        return GuidelineFile.model_validate(data)
    except ValidationError as exc:
        found = []
        for err in exc.errors(include_url=False):
            where = dotted(
                [part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
            )
            reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            if err.get("type") == "missing":
                reason = "required field is missing"
            found.append(Problem(f"{_nearest(where, cells)} ({where or 'guideline'})", reason, file))
        raise InputError(found) from exc


def _nearest(path: str, cells: dict[str, str]) -> str:
    probe = path
    while probe:
        if probe in cells:
            return cells[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    top = path.split(".")[0].split("[")[0]
    return top if top in layout().sheets else MAIN_SHEET


def guideline_yaml(model: GuidelineFile, source: str) -> str:
    """The guideline as ``guideline.yaml`` text (the header comment says where it came from)."""
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    head = f"# Underwriting guideline read from {source} by `insurable catalog from-xlsx` (docs/interchange.md).\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
