"""Engine messages shown on web pages, in the interface language (issue 12, item 7).

The domain core reports input problems in English (``Problem(path, reason)``), for the CLI, the API
and log files. A web page shows them translated: the path as the field's catalogue label (nl+en in
``vocabulary.yaml``) and the reason through gettext when it matches one of the engine's reasons in
:mod:`insurable.reasons` (the table the CLI uses too; its catalogue is merged into the web's, see
``i18n.translations``); any other reason (a free-form validator text) becomes a translated generic
sentence, so no English leaks into a Dutch page. ``tests/web/test_web_engine_messages.py`` checks
that every reason the engine emits for a missing or unknown field is listed here and translated.
"""

from __future__ import annotations

from typing import Any

from insurable import reasons
from insurable.text import Lang
from insurable.web.i18n import Msg, _

#: Engine reasons without parameters (exact strings from insurable.errors, insurable.profile ...), each
#: its own msgid; those with parameters are matched by :func:`insurable.reasons.match`.
REASONS: dict[str, str] = {t.replace("%%", "%"): t for t in reasons.TEMPLATES if "%(" not in t}

#: Shown for any other engine reason: the value is there but the engine refused it.
OTHER = _("this value is not valid; open the profile to correct it")


class Reason(Msg):
    """An engine reason, rendered through :func:`insurable.reasons.translate` (its parameters too)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)

    def render(self, lang: Lang) -> str:
        return reasons.translate(self.msgid, lang)


def problem(path: str, reason: str, catalog: Any) -> tuple[str | dict[str, str], Msg]:
    """``(label, reason)`` for one engine problem: the field's bilingual label (or the raw path when the
    catalogue has none) and the reason as a message to translate where it is shown."""
    fields = {f.name: f for f in catalog.vocabulary.fields}
    head = path.split(".", 1)[0].split("[", 1)[0]
    found = fields.get(head)
    label: str | dict[str, str] = {"nl": found.label.nl, "en": found.label.en} if found is not None else path
    return label, Reason(reason) if reasons.match(reason) is not None else Msg(OTHER)


def field_label(name: str, catalog: Any) -> str | dict[str, str]:
    """The bilingual label of profile field ``name`` (the raw name when the catalogue has none)."""
    for f in catalog.vocabulary.fields:
        if f.name == name:
            return {"nl": f.label.nl, "en": f.label.en}
    return name
