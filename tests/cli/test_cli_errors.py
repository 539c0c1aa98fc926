"""CLI error lines in the user's language: ``--lang nl`` shows every input problem in Dutch (the
reasons through insurable.reasons, the table the web shares), the field path as written, exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from pydantic_core import PydanticKnownError
from typer.testing import CliRunner

import insurable
from insurable import reasons
from insurable.amounts import AmountError, parse_amount
from insurable.catalog.yamlio import MAX_ORGANISATION_BYTES
from insurable.cli import app
from insurable.errors import _reason

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
MSP = ROOT / "examples" / "dutch-msp.yaml"

#: English words that must not survive in a Dutch error line (outside the field path and the values).
ENGLISH = re.compile(
    r"\b(error|problem|line|should|Input|String|required|missing|unknown field|expected|malformed|"
    r"not an amount|is outside|plausible|larger than|save the file|perhaps|ambiguous|write|valid)\b"
)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path: Path, data: object, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return path


def msp() -> dict:
    return yaml.safe_load(MSP.read_text(encoding="utf-8"))


def _without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


#: (name, file content, the field path shown, a Dutch fragment, the English fragment it replaces)
BAD_FILES = [
    ("missing", lambda: _without(msp(), "country"), "country", "verplicht veld ontbreekt", "required field is missing"),
    ("unknown", lambda: {**msp(), "colour": "blue"}, "colour", "onbekend veld", "unknown field"),
    ("too_short", lambda: {**msp(), "name": ""}, "name", "minstens 1 teken", "at least 1 character"),
    (
        "greater_than",
        lambda: {**msp(), "requested_limit_eur": -5},
        "requested_limit_eur",
        "groter dan 0",
        "greater than 0",
    ),
    ("tuple", lambda: {**msp(), "activities": 5}, "activities", "moet een lijst zijn", "valid tuple"),
    ("amount", lambda: {**msp(), "employees": "veel"}, "employees", "is geen bedrag", "is not an amount"),
    ("bounds", lambda: {**msp(), "employees": 20_000_000}, "employees", "buiten het aannemelijke bereik", "outside"),
    (
        "thousands",
        lambda: {**msp(), "annual_turnover_eur": 7.2},
        "annual_turnover_eur",
        "duizendtallen",
        "Dutch thousands",
    ),
    ("country", lambda: {**msp(), "country": "XX"}, "country", "landcode", "country code"),
    ("yaml", lambda: "name: a\n  b: c\n", "(het hele bestand)", "ongeldige YAML (kolom", "malformed YAML"),
    (
        "duplicate",
        lambda: "name: a\nname: b\n",
        "(het hele bestand)",
        "sleutel 'name' komt twee keer voor",
        "duplicate key",
    ),
    ("encoding", lambda: "name: café\n".encode("latin-1"), "(het hele bestand)", "is geen UTF-8", "is not UTF-8"),
    (
        "size",
        lambda: "# " + "x" * (MAX_ORGANISATION_BYTES + 10),
        "(het hele bestand)",
        "bestand is groter dan",
        "larger than",
    ),
]


@pytest.mark.parametrize(("name", "content", "path", "dutch", "english"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_reported_in_dutch_with_the_path_as_is(tmp_path, name, content, path, dutch, english):
    org = write(tmp_path, content())
    result = run("assess", org, "--lang", "nl")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("fout: ") and "in de invoer" in lines[0]
    shown = next(line for line in lines[1:] if dutch in line)
    assert f": {path}: " in shown, shown
    for line in lines:
        rest = line.replace(str(org), "FILE").split(": ", 2)[-1]  # the reason after file/line and path
        assert not ENGLISH.search(rest.replace(path, "")), f"English left in {line!r}"
    english_run = run("assess", org, "--lang", "en")
    assert english_run.exit_code == 2
    assert english in english_run.output and english_run.output.startswith("error: ")
    assert dutch not in english_run.output


def test_every_problem_is_listed_at_once_in_dutch(tmp_path):
    org = write(tmp_path, {**msp(), "name": "", "country": "XX", "colour": "blue", "employees": "veel"})
    result = run("assess", org, "--lang", "nl")
    assert result.exit_code == 2
    assert result.output.startswith("fout: 4 probleem/problemen in de invoer:")
    assert ", regel " in result.output and ", line " not in result.output


def test_a_command_without_lang_speaks_english(tmp_path):
    result = run("simulate", write(tmp_path, "a: [1\n", "scenario.yaml"))
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "malformed YAML" in result.output


#: Pydantic's error types that a profile, an answer or a catalogue can produce, with their context.
PYDANTIC_TYPES: dict[str, dict[str, object]] = {
    "string_type": {},
    "string_too_short": {"min_length": 1},
    "string_too_long": {"max_length": 3},
    "string_pattern_mismatch": {"pattern": r"^\d{2}$"},
    "int_type": {},
    "int_parsing": {},
    "int_from_float": {},
    "int_parsing_size": {},
    "float_type": {},
    "float_parsing": {},
    "finite_number": {},
    "bool_type": {},
    "bool_parsing": {},
    "greater_than": {"gt": 0},
    "greater_than_equal": {"ge": 0},
    "less_than": {"lt": 1},
    "less_than_equal": {"le": 1},
    "dict_type": {},
    "model_type": {"class_name": "Nis2Flags"},
    "list_type": {},
    "tuple_type": {},
    "too_short": {"field_type": "List", "min_length": 1, "actual_length": 0},
    "too_long": {"field_type": "Tuple", "max_length": 2, "actual_length": 3},
    "literal_error": {"expected": "'a', 'b' or 'c'"},
    "enum": {"expected": "'x' or 'y'"},
    "date_type": {},
    "date_parsing": {"error": "input is too short"},
    "date_from_datetime_parsing": {"error": "invalid character in year"},
    "missing": {},
    "extra_forbidden": {},
}


@pytest.mark.parametrize("kind", sorted(PYDANTIC_TYPES))
def test_common_pydantic_errors_have_no_english_leftovers(kind):
    message = PydanticKnownError(kind, PYDANTIC_TYPES[kind] or None).message()  # type: ignore[arg-type]
    reason = _reason({"type": kind, "msg": message})
    assert reasons.match(reason) is not None, f"no template for {kind}: {reason!r}"
    dutch = reasons.translate(reason, "nl")
    assert not ENGLISH.search(dutch), f"{kind}: {dutch!r}"
    assert reasons.translate(reason, "en") == reason


def test_each_template_matches_itself_before_any_other():
    for template in reasons.TEMPLATES:
        names = re.findall(r"%\((\w+)\)s", template)
        filled = template.replace("%%", "%") % {n: f"'v{i}'" for i, n in enumerate(names)} if names else template
        found = reasons.match(filled.replace("%%", "%"))
        assert found is not None and found.msgid == template, (template, found)


def test_a_free_form_reason_is_shown_as_written():
    assert reasons.translate("something nobody catalogued", "nl") == "something nobody catalogued"


# The catalogue (domain "insurable"): extracted strings, Dutch for each, compiled files fresh.
LOCALE = Path(insurable.__file__).parent / "locale"


def _extracted() -> set[str]:
    methods = [("reasons.py", "python"), ("cli/**.py", "python")]
    found = extract_from_dir(str(LOCALE.parent), methods, keywords={"_": None})
    return {m if isinstance(m, str) else m[0] for _f, _l, m, _c, _x in found}


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_the_catalogue_is_up_to_date():
    extracted, committed = _extracted(), _ids(LOCALE / "insurable.pot")
    assert extracted == committed, f"run `make translations`: new {extracted - committed}, gone {committed - extracted}"


def test_every_message_has_dutch_with_the_same_placeholders():
    with (LOCALE / "nl" / "LC_MESSAGES" / "insurable.po").open("rb") as handle:
        catalog = read_po(handle)
    by_id = {str(m.id): m for m in catalog if m.id}
    for msgid in _ids(LOCALE / "insurable.pot"):
        assert msgid in by_id and by_id[msgid].string and not by_id[msgid].fuzzy, f"no Dutch for {msgid!r}"
        names = sorted(re.findall(r"%\((\w+)\)s", msgid))
        assert sorted(re.findall(r"%\((\w+)\)s", str(by_id[msgid].string))) == names, msgid


def test_compiled_catalogues_match_their_sources():
    for lang in ("nl", "en"):
        folder = LOCALE / lang / "LC_MESSAGES"
        with (folder / "insurable.po").open("rb") as handle:
            source = {m.id: m.string for m in read_po(handle) if m.id and m.string}
        with (folder / "insurable.mo").open("rb") as handle:
            compiled = {m.id: m.string for m in read_mo(handle) if m.id}
        assert compiled == source, f"{lang}: insurable.mo is stale; run `make translations`"


def test_the_web_shows_the_same_translation_from_the_same_table():
    from insurable.catalog.loader import load_catalog
    from insurable.web.engine_messages import OTHER, problem
    from insurable.web.i18n import gettext as web_gettext

    catalog = load_catalog(None)
    with pytest.raises(AmountError) as refused:
        parse_amount("veel")
    reason = str(refused.value)
    _label, message = problem("employees", reason, catalog)
    assert message.render("nl") == reasons.translate(reason, "nl") and "is geen bedrag" in message.render("nl")
    assert message.render("en") == reason
    assert problem("employees", "a text nobody catalogued", catalog)[1].render("nl") == web_gettext("nl", OTHER)
    assert web_gettext("nl", "required field is missing") == "verplicht veld ontbreekt"  # merged catalogue


@pytest.mark.parametrize(
    ("command", "content", "dutch"),
    [
        (["nis2"], "name: a\n  b: c\n", "ongeldige YAML"),
        (["suppliers", "check"], "client: x\nsuppliers: 5\n", "moet een lijst zijn"),
        (
            ["suppliers", "check"],
            "client: x\nsuppliers:\n  - {id: a, name: A, tier: low}\n  - {id: a, name: B, tier: low}\n",
            "komen meer dan eens voor",
        ),
    ],
)
def test_other_commands_and_sub_commands_speak_their_lang(tmp_path, command, content, dutch):
    path = write(tmp_path, content)
    result = run(*command, path, "--lang", "nl")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("fout: ") and dutch in result.output, result.output
