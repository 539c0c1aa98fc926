"""Per-object memo for what the engine derives from a catalogue again and again (which questions
evidence a control, which rules read a question, a rule's source references).

The fix-path re-runs the engine a few hundred times on the same catalogue; deriving these once per
catalogue object keeps each pass cheap. Catalogue models are frozen, so a value derived from one
never goes stale; the entry holds the object itself, so an id is never reused for another object.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_ENTRIES: dict[tuple[int, str], tuple[Any, Any]] = {}
_LIMIT = 8192
#: Recent engine passes (the fix-path's current step and candidates), kept apart and few: they are large.
_RECENT: OrderedDict[tuple[int, str], tuple[Any, Any]] = OrderedDict()
_RECENT_LIMIT = 64


def per_object(obj: object, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per (``obj``, ``name``) for as long as ``obj`` is the object with that id."""
    key = (id(obj), name)
    entry = _ENTRIES.get(key)
    if entry is not None and entry[0] is obj:
        return entry[1]  # type: ignore[no-any-return]
    value = build()
    if len(_ENTRIES) >= _LIMIT:
        _ENTRIES.clear()
    _ENTRIES[key] = (obj, value)
    return value


def remember(obj: object, name: str, value: Any) -> None:
    """Store ``value`` for (``obj``, ``name``) among the few most recent, for :func:`recall`."""
    _RECENT[(id(obj), name)] = (obj, value)
    _RECENT.move_to_end((id(obj), name))
    while len(_RECENT) > _RECENT_LIMIT:
        _RECENT.popitem(last=False)


def recall(obj: object, name: str) -> Any:
    """What :func:`remember` stored for (``obj``, ``name``), or ``None`` once it is no longer recent."""
    entry = _RECENT.get((id(obj), name))
    return entry[1] if entry is not None and entry[0] is obj else None
