"""Read YAML safely and turn every failure into a :class:`~insurable.errors.Problem`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from insurable.errors import InputError, Problem

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _UniqueKeyLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; raise :class:`InputError` naming the file (and line) on failure."""
    name = str(path)
    if not path.exists():
        raise InputError([Problem(path="", reason="file not found", file=name)])
    if path.is_dir():
        raise InputError([Problem(path="", reason="is a directory, expected a YAML file", file=name)])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(path="", reason=f"cannot read: {exc}", file=name)]) from exc
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text; errors name ``name`` and the line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(path=where, reason=f"malformed YAML: {problem}", file=name)]) from exc
