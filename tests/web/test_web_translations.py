"""Interface translations: messages.pot must match the source, every string must have a Dutch
translation, and the committed .mo files must match their .po files.

Fix a failure with ``make translations`` (extract, update, compile); then translate any new
``msgstr ""`` in src/insurable/web/locale/nl/LC_MESSAGES/messages.po and run it again.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import insurable.web as web

WEB = Path(web.__file__).parent
LOCALE = WEB / "locale"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, keywords={"_": None}, options_map=OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id and isinstance(m.id, str)}


def test_messages_pot_is_up_to_date() -> None:
    extracted = _extracted()
    committed = _ids(LOCALE / "messages.pot")
    assert extracted, "no interface strings found: is the extraction mapping right?"
    assert not extracted - committed, f"messages.pot is stale; run `make translations`: new {extracted - committed}"
    assert not committed - extracted, f"messages.pot is stale; run `make translations`: gone {committed - extracted}"


def test_every_interface_string_has_a_dutch_translation() -> None:
    template = _ids(LOCALE / "messages.pot")
    with (LOCALE / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m for m in catalog if m.id}
    missing = sorted(i for i in template if i not in translated or not translated[i].string)
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not missing, f"no Dutch translation for: {missing}"
    assert not fuzzy, f"fuzzy (unchecked) Dutch translations: {fuzzy}"
    for m in catalog:
        if m.id and "%(" in str(m.id):
            names = sorted(set(_placeholders(str(m.id))))
            assert sorted(set(_placeholders(str(m.string)))) == names, f"placeholders differ in {m.id!r}"


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_compiled_catalogues_match_their_sources() -> None:
    for lang in ("nl", "en"):
        folder = LOCALE / lang / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as handle:
            source = {m.id: m.string for m in read_po(handle) if m.id and m.string}
        with (folder / "messages.mo").open("rb") as handle:
            compiled = {m.id: m.string for m in read_mo(handle) if m.id}
        assert compiled == source, f"{lang}: messages.mo is stale; run `make translations`"
