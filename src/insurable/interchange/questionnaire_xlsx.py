"""The organisation file as an Excel workbook (openpyxl): profile, group and every question.

``export_workbook`` writes sheets ``About``, ``Profile`` (one row per profile field, NIS2 flags as
``nis2_flags.<name>``), ``Group`` (partner and linked enterprises) and ``Answers`` (one row per
question: topic, id, question, answer, type, allowed values, when it is asked, why insurers ask),
with drop-down validation of the allowed values from a hidden ``Lists`` sheet. ``read_workbook``
reads it back into the organisation mapping and checks it with :func:`insurable.intake.organisation_problems`,
the same check a YAML file gets; every problem names its sheet and cell. Ids join, never wording:
choices are option ids, the question id column is what is read.

Writing and reading stay in one module (longer than most) so the layout they share cannot drift.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from insurable.amounts import AmountError, parse_amount
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question
from insurable.errors import InputError, Problem
from insurable.interchange.conditions_text import describe
from insurable.profile import NUMBER_FIELDS, GroupEnterprise, Nis2Flags, Organisation, ScanTargets
from insurable.text import Lang

#: Version of the workbook layout (sheet and column names); written to the About sheet and read back.
WORKBOOK_VERSION = "1"
#: Largest workbook read (a zip bomb guard; the default workbook is about 60 KB).
MAX_WORKBOOK_BYTES = 5_000_000

YES = {"en": "yes", "nl": "ja"}
NO = {"en": "no", "nl": "nee"}
SPECIAL = {
    "unknown": {"en": "don't know", "nl": "weet niet"},
    "not_applicable": {"en": "not applicable", "nl": "niet van toepassing"},
}
_TRUE = {"yes", "ja", "true", "waar", "y", "j"}
_FALSE = {"no", "nee", "false", "onwaar", "n"}

_HEAD: dict[str, dict[Lang, str]] = {
    "field": {"en": "Field", "nl": "Veld"},
    "value": {"en": "Value", "nl": "Waarde"},
    "about": {"en": "What it is", "nl": "Wat het is"},
    "topic": {"en": "Topic", "nl": "Onderwerp"},
    "id": {"en": "Question id", "nl": "Vraag-id"},
    "question": {"en": "Question", "nl": "Vraag"},
    "answer": {"en": "Answer", "nl": "Antwoord"},
    "type": {"en": "Type", "nl": "Type"},
    "allowed": {"en": "Allowed values", "nl": "Toegestane waarden"},
    "asked": {"en": "Asked when", "nl": "Gevraagd als"},
    "help": {"en": "Why insurers ask", "nl": "Waarom verzekeraars dit vragen"},
    "always": {"en": "always", "nl": "altijd"},
    "list": {"en": "comma-separated", "nl": "gescheiden door komma's"},
    "listof": {"en": "comma-separated ids from", "nl": "id's gescheiden door komma's uit"},
}

ANSWER_COLUMNS = ("topic", "id", "question", "answer", "type", "allowed", "asked", "help")
_ID_COL, _ANSWER_COL = 2, 4

Kind = Literal["bool", "choice", "list", "value"]


@dataclass(frozen=True)
class FieldSpec:
    """A profile field as a workbook row or column: its dotted name, kind and allowed values."""

    name: str
    kind: Kind
    choices: tuple[str, ...] = ()
    description: str = ""


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _spec(name: str, annotation: Any, description: str | None) -> FieldSpec:
    """How a field of the profile models appears in the workbook (derived from its annotation)."""
    inner = _unwrap(annotation)
    about = description or ""
    if inner is bool:
        return FieldSpec(name, "bool", (), about)
    if get_origin(inner) is Literal:
        return FieldSpec(name, "choice", tuple(str(a) for a in get_args(inner)), about)
    if get_origin(inner) is tuple:
        return FieldSpec(name, "list", (), about)
    return FieldSpec(name, "value", (), about)


#: Profile fields that are mappings, written as one ``prefix.field`` row per field.
NESTED: dict[str, type[BaseModel]] = {"nis2_flags": Nis2Flags, "scan_targets": ScanTargets}


def profile_specs() -> list[FieldSpec]:
    """Every profile row: the Organisation's fields, then its NIS2 flags (new fields follow)."""
    specs: list[FieldSpec] = []
    for name, info in Organisation.model_fields.items():
        if name in ("answers", "group") or name in NESTED:
            continue
        specs.append(_spec(name, info.annotation, info.description))
    for prefix, model in NESTED.items():
        for name, info in model.model_fields.items():
            specs.append(_spec(f"{prefix}.{name}", info.annotation, info.description))
    return specs


def group_specs() -> list[FieldSpec]:
    """The Group sheet's columns: the fields of a partner or linked enterprise."""
    return [_spec(name, info.annotation, info.description) for name, info in GroupEnterprise.model_fields.items()]


# ---------------------------------------------------------------------------------------------- export


@dataclass
class _Lists:
    """The hidden sheet holding drop-down values, one column per distinct list."""

    sheet: Worksheet
    columns: dict[tuple[str, ...], str] = field(default_factory=dict)

    def formula(self, values: tuple[str, ...]) -> str:
        if values not in self.columns:
            col = get_column_letter(len(self.columns) + 1)
            for i, value in enumerate(values, start=1):
                self.sheet[f"{col}{i}"] = value
            self.columns[values] = f"Lists!${col}$1:${col}${len(values)}"
        return self.columns[values]


def _drop_down(ws: Worksheet, lists: _Lists, cell: str, values: tuple[str, ...]) -> None:
    dv = DataValidation(type="list", formula1=lists.formula(values), allow_blank=True, showErrorMessage=True)
    dv.error = ", ".join(values)
    ws.add_data_validation(dv)
    dv.add(cell)


def _bool_values(lang: Lang, accepts: tuple[str, ...] = ()) -> tuple[str, ...]:
    return (YES[lang], NO[lang], *(SPECIAL[a][lang] for a in accepts))


def _cell_value(spec: FieldSpec, value: Any, lang: Lang) -> Any:
    if value is None:
        return None
    if spec.kind == "bool" and isinstance(value, bool):
        return YES[lang] if value else NO[lang]
    if spec.kind == "list":
        return ", ".join(str(v) for v in value)
    return value


def _header(ws: Worksheet, keys: tuple[str, ...], lang: Lang, widths: tuple[int, ...]) -> None:
    from openpyxl.styles import Font

    for col, (key, width) in enumerate(zip(keys, widths, strict=True), start=1):
        ws.cell(row=1, column=col, value=_HEAD[key][lang] if key in _HEAD else key).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def export_workbook(org: Organisation | None, catalog: Catalog, lang: Lang = "en") -> bytes:
    """The workbook for ``org`` (or a blank one), in ``lang``; returns the .xlsx bytes."""
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "About"
    lists = _Lists(wb.create_sheet("Lists"))
    lists.sheet.sheet_state = "hidden"
    header = catalog.questionnaire.header
    intro = {
        "en": "Fill in the Profile, Group and Answers sheets; choose from the drop-downs. Read it back with "
        "`insurable import xlsx FILE`. Leave a cell empty for no answer. Indicative only.",
        "nl": "Vul de tabbladen Profile, Group en Answers in; kies uit de keuzelijsten. Lees het terug met "
        "`insurable import xlsx BESTAND`. Laat een cel leeg voor geen antwoord. Alleen indicatief.",
    }
    for about_row in (
        ("format", "insurable organisation workbook"),
        ("workbook_version", WORKBOOK_VERSION),
        ("questionnaire", f"{header.id} {header.version}"),
        ("lang", lang),
        ("help", intro[lang]),
    ):
        about.append(about_row)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 100

    data = org.model_dump(mode="python") if org else {}
    ws = wb.create_sheet("Profile")
    _header(ws, ("field", "value", "about"), lang, (34, 40, 90))
    for row, spec in enumerate(profile_specs(), start=2):
        head, _, tail = spec.name.partition(".")
        value = (data.get(head) or {}).get(tail) if tail else data.get(head)
        if tail and value == NESTED[head].model_fields[tail].default:
            value = None  # defaults stay blank: what the person did not say
        ws.cell(row=row, column=1, value=spec.name)
        ws.cell(row=row, column=2, value=_cell_value(spec, value, lang))
        ws.cell(
            row=row, column=3, value=spec.description + (f" ({_HEAD['list'][lang]})" if spec.kind == "list" else "")
        )
        if spec.kind in ("bool", "choice"):
            _drop_down(ws, lists, f"B{row}", _bool_values(lang) if spec.kind == "bool" else spec.choices)

    ws = wb.create_sheet("Group")
    gspecs = group_specs()
    _header(ws, tuple(s.name for s in gspecs), lang, tuple(22 for _ in gspecs))
    rows = max(len(data.get("group", ())), 0)
    for r, enterprise in enumerate(data.get("group", ()), start=2):
        for c, spec in enumerate(gspecs, start=1):
            ws.cell(row=r, column=c, value=_cell_value(spec, enterprise.get(spec.name), lang))
    for c, spec in enumerate(gspecs, start=1):
        if spec.kind in ("bool", "choice"):
            col = get_column_letter(c)
            values = _bool_values(lang) if spec.kind == "bool" else spec.choices
            _drop_down(ws, lists, f"{col}2:{col}{max(rows + 1, 20)}", values)

    ws = wb.create_sheet("Answers")
    _header(ws, ANSWER_COLUMNS, lang, (22, 36, 70, 24, 14, 50, 50, 90))
    questionnaire = catalog.questionnaire
    by_id = questionnaire.by_id()
    topics = {t.id: t.title.get(lang) for t in questionnaire.topics}
    answers = org.answers if org else {}
    for row, q in enumerate(questionnaire.questions, start=2):
        ws.cell(row=row, column=1, value=topics.get(q.topic, q.topic))
        ws.cell(row=row, column=_ID_COL, value=q.id)
        ws.cell(row=row, column=3, value=q.text.get(lang))
        ws.cell(row=row, column=_ANSWER_COL, value=_answer_cell(q, answers.get(q.id), lang))
        ws.cell(row=row, column=5, value=q.type)
        ws.cell(row=row, column=6, value=_allowed(q, lang))
        ws.cell(row=row, column=7, value=describe(q.show_if, by_id, lang) if q.show_if else _HEAD["always"][lang])
        ws.cell(row=row, column=8, value=q.help.get(lang))
        _validate_answer(ws, lists, q, f"D{row}", lang)
    wb.move_sheet("Answers", offset=-(len(wb.sheetnames) - 2))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _answer_cell(q: Question, value: Any, lang: Lang) -> Any:
    if value is None:
        return None
    if q.type == "bool":
        if isinstance(value, bool):
            return YES[lang] if value else NO[lang]
        return SPECIAL.get(str(value), {}).get(lang, value)
    if q.type == "multi_choice" and isinstance(value, list | tuple):
        return ", ".join(value)
    return value


def _allowed(q: Question, lang: Lang) -> str:
    unit = f" ({q.unit.get(lang)})" if q.unit else ""
    if q.type == "bool":
        return " / ".join(_bool_values(lang, q.accepts))
    if q.type == "choice":
        return "; ".join(f"{o.id} = {o.text.get(lang)}" for o in q.options)
    if q.type == "multi_choice":
        return f"{_HEAD['listof'][lang]}: " + "; ".join(f"{o.id} = {o.text.get(lang)}" for o in q.options)
    if q.type in ("number", "money", "percentage"):
        low = q.min if q.min is not None else 0 if q.type != "number" else None
        high = q.max if q.max is not None else 100 if q.type == "percentage" else None
        bounds = "..".join("" if b is None else f"{b:g}" for b in (low, high))
        return f"{q.type} {bounds}{unit}".strip()
    if q.type == "date":
        return "YYYY-MM-DD"
    return "text"


def _validate_answer(ws: Worksheet, lists: _Lists, q: Question, cell: str, lang: Lang) -> None:
    if q.type == "bool":
        _drop_down(ws, lists, cell, _bool_values(lang, q.accepts))
    elif q.type == "choice":
        _drop_down(ws, lists, cell, q.option_ids())
    elif q.type in ("number", "money", "percentage"):
        low = q.min if q.min is not None else (0 if q.type != "number" else -1e15)
        high = q.max if q.max is not None else (100 if q.type == "percentage" else 1e15)
        dv = DataValidation(type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}")
        dv.allow_blank = True
        ws.add_data_validation(dv)
        dv.add(cell)
    elif q.type == "date":
        ws[cell].number_format = "yyyy-mm-dd"


# ---------------------------------------------------------------------------------------------- import


@dataclass
class _Reader:
    file: str
    problems: list[Problem] = field(default_factory=list)
    #: organisation path (``answers.q.x``, ``employees``, ``group[0].share``) -> ``Sheet!Cell``
    cells: dict[str, str] = field(default_factory=dict)

    def problem(self, cell: str, path: str, reason: str) -> None:
        self.problems.append(Problem(path=f"{cell} ({path})", reason=reason, file=self.file))


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _read_bool(value: Any, accepts: tuple[str, ...]) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    for special in accepts:
        if text == special or text in {w.lower() for w in SPECIAL[special].values()}:
            return special
    raise ValueError(
        "expected yes or no (ja/nee)" + "".join(f" or {SPECIAL[a]['en']} ({SPECIAL[a]['nl']})" for a in accepts)
    )


def _read_field(spec: FieldSpec, value: Any) -> Any:
    if spec.kind == "bool":
        return _read_bool(value, ())
    if spec.kind == "list":
        return [part.strip() for part in _text(value).split(",") if part.strip()]
    if isinstance(value, str):
        return value.strip()
    return value


def _read_answer(q: Question, value: Any, locale: str | None) -> Any:
    if q.type == "bool":
        return _read_bool(value, q.accepts)
    if q.type == "multi_choice":
        return [part.strip() for part in _text(value).split(",") if part.strip()]
    if q.type in ("number", "money", "percentage") and isinstance(value, str):
        try:
            return parse_amount(value.strip(), locale)
        except AmountError as exc:
            raise ValueError(str(exc)) from exc
    if q.type == "date" and isinstance(value, dt.datetime):
        return value.date()
    if q.type == "text" and not isinstance(value, str):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: Largest total size of a workbook's unzipped parts (a zip bomb of a few KB would otherwise expand in memory).
MAX_UNZIPPED_BYTES = 100_000_000


def open_workbook(content: bytes, file: str) -> Any:
    """Open .xlsx bytes with openpyxl, refusing what is too large or not a workbook (one problem)."""
    import zipfile

    if len(content) > MAX_WORKBOOK_BYTES:
        raise InputError([Problem("", f"workbook larger than {MAX_WORKBOOK_BYTES:,} bytes", file)])
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise InputError([Problem("", "not an Excel .xlsx workbook (not a zip file)", file)]) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError([Problem("", f"workbook unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes", file)])
    try:
        return load_workbook(BytesIO(content), data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises KeyError, ValueError and its own errors for a bad file
        raise InputError([Problem("", f"not an Excel .xlsx workbook ({type(exc).__name__})", file)]) from exc


def read_workbook(path: Path, catalog: Catalog) -> dict[str, Any]:
    """Read a workbook file into an organisation mapping; raise :class:`InputError` with every problem,
    each naming the sheet and cell (``Answers!D12 (answers.q.mfa.email)``)."""
    if path.stat().st_size > MAX_WORKBOOK_BYTES:
        raise InputError([Problem("", f"workbook larger than {MAX_WORKBOOK_BYTES:,} bytes", str(path))])
    return read_workbook_bytes(path.read_bytes(), catalog, str(path))


def read_workbook_bytes(content: bytes, catalog: Catalog, file: str) -> dict[str, Any]:
    """:func:`read_workbook` for an upload: ``file`` is the name problems are reported against."""
    from insurable.intake import organisation_problems

    reader = _Reader(file)
    wb = open_workbook(content, file)
    missing = [name for name in ("Profile", "Answers") if name not in wb.sheetnames]
    if missing:
        raise InputError([Problem(name, "sheet is missing", file) for name in missing])

    data: dict[str, Any] = {}
    specs = {s.name: s for s in profile_specs()}
    nested: dict[str, dict[str, Any]] = {}
    for row in range(2, wb["Profile"].max_row + 1):
        name, value = _text(wb["Profile"].cell(row, 1).value), wb["Profile"].cell(row, 2).value
        if not name and _empty(value):
            continue
        cell = f"Profile!B{row}"
        spec = specs.get(name)
        if spec is None:
            reader.problem(f"Profile!A{row}", name, "unknown profile field")
            continue
        if _empty(value):
            continue
        try:
            parsed = _read_field(spec, value)
        except ValueError as exc:
            reader.problem(cell, name, str(exc))
            continue
        reader.cells[name] = cell
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = parsed
        else:
            data[head] = parsed
    data.update(nested)

    if "Group" in wb.sheetnames:
        data_group = _read_group(wb["Group"], reader)
        if data_group:
            data["group"] = data_group

    locale = data.get("locale") if isinstance(data.get("locale"), str) else _workbook_lang(wb)
    for name in NUMBER_FIELDS:  # amounts written as text, read in the profile's or the workbook's language
        if isinstance(data.get(name), str):
            try:
                data[name] = parse_amount(data[name], locale)
            except AmountError as exc:
                reader.problem(reader.cells[name], name, str(exc))
                del data[name]
    questions = catalog.questionnaire.by_id()
    answers: dict[str, Any] = {}
    sheet = wb["Answers"]
    for row in range(2, sheet.max_row + 1):
        qid, value = _text(sheet.cell(row, _ID_COL).value), sheet.cell(row, _ANSWER_COL).value
        if _empty(value):
            continue
        cell = f"Answers!D{row}"
        q = questions.get(qid)
        if q is None:
            reader.problem(f"Answers!B{row}", qid or "(blank)", "unknown question id")
            continue
        if qid in answers:
            reader.problem(cell, f"answers.{qid}", f"answered twice (first in {reader.cells[f'answers.{qid}']})")
            continue
        reader.cells[f"answers.{qid}"] = cell
        try:
            answers[qid] = _read_answer(q, value, locale)
        except ValueError as exc:
            reader.problem(cell, f"answers.{qid}", str(exc))
    data["answers"] = answers

    _, found = organisation_problems(data, catalog)
    for problem in found:
        reader.problems.append(
            Problem(path=f"{_cell_for(problem.path, reader.cells)} ({problem.path})", reason=problem.reason, file=file)
        )
    if reader.problems:
        raise InputError(sorted(reader.problems, key=_cell_order))
    return data


def _cell_order(problem: Problem) -> tuple[str, int, str]:
    """Sheet, then row, then column: problems read top to bottom as in the workbook."""
    cell = problem.path.split(" ", 1)[0]
    sheet, _, ref = cell.partition("!")
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (sheet, int(digits) if digits else 0, ref)


def _workbook_lang(wb: Any) -> str | None:
    """The language the workbook was written in (About sheet): how its amounts written as text are read."""
    if "About" not in wb.sheetnames:
        return None
    for row in wb["About"].iter_rows(min_row=1, max_col=2, values_only=True):
        if row[0] == "lang" and row[1] in ("nl", "en"):
            return str(row[1])
    return None


def _read_group(sheet: Worksheet, reader: _Reader) -> list[dict[str, Any]]:
    gspecs = {s.name: s for s in group_specs()}
    columns = {c: _text(sheet.cell(1, c).value) for c in range(1, sheet.max_column + 1)}
    for c, name in columns.items():
        if name and name not in gspecs:
            reader.problem(f"Group!{get_column_letter(c)}1", name, "unknown column")
    group: list[dict[str, Any]] = []
    for row in range(2, sheet.max_row + 1):
        values = {c: sheet.cell(row, c).value for c, name in columns.items() if name in gspecs}
        if all(_empty(v) for v in values.values()):
            continue
        index = len(group)
        enterprise: dict[str, Any] = {}
        for c, value in values.items():
            name = columns[c]
            cell = f"Group!{get_column_letter(c)}{row}"
            if _empty(value):
                continue
            try:
                enterprise[name] = _read_field(gspecs[name], value)
            except ValueError as exc:
                reader.problem(cell, f"group[{index}].{name}", str(exc))
                continue
            reader.cells[f"group[{index}].{name}"] = cell
        reader.cells[f"group[{index}]"] = f"Group!A{row}"
        group.append(enterprise)
    return group


def _cell_for(path: str, cells: dict[str, str]) -> str:
    """The cell of an organisation path, or of its nearest parent (a model-level check)."""
    probe = path
    while probe:
        if probe in cells:
            return cells[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        if probe.startswith("answers.") and probe.count(".") <= 1:
            break
        probe = probe[:cut] if cut > 0 else ""
    if path.startswith("answers."):
        return "Answers"
    if path.startswith("group"):
        return "Group"
    return "Profile"


def organisation_yaml(data: dict[str, Any], source: str) -> str:
    """The organisation mapping read from a workbook as an organisation YAML file."""
    import yaml

    head = f"# Organisation file read from {source} by `insurable import xlsx` (docs/interchange.md).\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    return head + body
