"""The ``scan_targets`` part of the web profile form (issue 16): declared domains and IP ranges.

Two text areas, one entry per line (or comma-separated), validated by the profile model's own
:class:`insurable.profile.ScanTargets`; a bad entry keeps the stored value and names the entries.
Only declared targets are ever scanned, and only after proof of control (docs/scanner.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from insurable.profile import ScanTargets
from insurable.web.i18n import Msg

SHOWN = "scan_targets_shown"
FIELDS = ("domains", "ip_ranges")
#: Longest text accepted per area (4,096 addresses fit in one CIDR line; this is for many lines).
MAX_CHARS = 10_000


def entries(text: str) -> list[str]:
    return list(dict.fromkeys(e for e in re.split(r"[\s,;]+", text.strip()) if e))


def parse(current: Mapping[str, Any], form: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], dict[str, Msg]]:
    """The profile with the posted ``scan_targets`` applied when valid; errors by form field."""
    updated = dict(current)
    if SHOWN not in form:
        return updated, {}
    stored = dict(current.get("scan_targets") or {})
    errors: dict[str, Msg] = {}
    for name in FIELDS:
        key = f"scan_targets.{name}"
        text = "\n".join(v for v in form.get(key, ()) if "\x00" not in v)[:MAX_CHARS]
        values = entries(text)
        try:
            checked = ScanTargets.model_validate({name: values})
        except ValidationError as exc:
            reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            errors[key] = Msg("%(reason)s", reason=reason)
            continue
        stored[name] = list(getattr(checked, name))
    kept = {k: v for k, v in stored.items() if v}
    if kept:
        updated["scan_targets"] = kept
    else:
        updated.pop("scan_targets", None)
    return updated, errors


def shown(values: Mapping[str, Any], name: str) -> str:
    """The text area's content: what was typed (after an error) or the stored entries, one per line."""
    typed = values.get(f"scan_targets.{name}")
    if isinstance(typed, str):
        return typed
    return "\n".join((values.get("scan_targets") or {}).get(name) or ())
