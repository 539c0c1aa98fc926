"""Read YAML safely and turn every failure into a :class:`~insurable.errors.Problem`.

Beyond safe loading, the reader refuses what YAML would otherwise misread silently: duplicate keys,
YAML 1.1 booleans other than ``true``/``false`` (``NO`` is Norway, not false: quote it), dates that do
not exist (``2025-02-30``), files over :data:`MAX_FILE_BYTES`, and text that is not UTF-8 (UTF-16 with
a byte-order mark is read; other encodings are refused with a hint). Every problem names the file,
the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from insurable.errors import InputError, Problem, dotted

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

#: The largest YAML file read: catalogue files (the packaged catalogue's largest is about 90 kB,
#: an insurer's guideline may be larger) ...
MAX_FILE_BYTES = 2 * 1024 * 1024
#: ... and organisation files (a few kB; every text answer at its longest stays under 100 kB).
MAX_ORGANISATION_BYTES = 512 * 1024

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMPS = yaml.constructor.SafeConstructor()


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


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    """A date or timestamp; one that does not exist stays text (:func:`scalar_problems` reports it)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return str(node.value)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor(_TIMESTAMP_TAG, _construct_timestamp)


@dataclass
class YamlDocument:
    """Parsed data, the line of every dotted path in it, and what the reader refused."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    floats: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a text file of at most ``max_bytes``: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    name = str(path)
    if not path.exists():
        raise InputError([Problem(path="", reason="file not found", file=name)])
    if path.is_dir():
        raise InputError([Problem(path="", reason="is a directory, expected a YAML file", file=name)])
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(path="", reason=f"cannot read: {exc.strerror or exc}", file=name)]) from exc
    if len(raw) > max_bytes:
        reason = f"file is larger than {max_bytes // 1024} kB, the most this tool reads"
        raise InputError([Problem(path="", reason=reason, file=name)])
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), UTF-16 with a BOM; anything else refused with a hint."""
    hint = "save the file as UTF-8 (in most editors: Save as..., encoding UTF-8)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(path="", reason=f"broken UTF-16 text; {hint}", file=name)]) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        looks = "UTF-16 without a byte-order mark" if raw[:2].count(b"\x00") == 1 else "binary data"
        raise InputError([Problem(path="", reason=f"this looks like {looks}, not YAML text; {hint}", file=name)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"byte {raw[exc.start]:#04x} is not UTF-8 (perhaps Windows-1252 or Latin-1); {hint}"
        raise InputError([Problem(path="", reason=reason, file=name, line=line)]) from exc


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; raise :class:`InputError` naming the file, line and field on failure."""
    document = read_yaml_document(path)
    if document.problems:
        raise InputError(document.problems)
    return document.data


def read_yaml_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Parse one YAML file with its line map; refused scalars are in ``problems``, not raised."""
    return parse_yaml_document(read_text(path, max_bytes), str(path))


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text; errors name ``name``, the line and the field."""
    document = parse_yaml_document(text, name)
    if document.problems:
        raise InputError(document.problems)
    return document.data


def parse_yaml_document(text: str, name: str) -> YamlDocument:
    """Parse YAML text into data and a line map; malformed YAML raises :class:`InputError`."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        column = f" (column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        reason = f"malformed YAML{column}: {problem}"
        raise InputError([Problem(path="", reason=reason, file=name, line=line)]) from exc
    except RecursionError as exc:
        raise InputError([Problem(path="", reason="malformed YAML: nested too deeply", file=name)]) from exc
    finally:
        loader.dispose()
    document = YamlDocument(data=data)
    if node is not None:
        _walk(node, [], document, name)
        document.problems.sort(key=lambda p: p.line or 0)
    return document


def _walk(node: yaml.Node, loc: list[int | str], document: YamlDocument, name: str) -> None:
    """Record each path's line and refuse scalars YAML would misread (iterative: no deep recursion)."""
    stack: list[tuple[yaml.Node, list[int | str], int]] = [(node, loc, node.start_mark.line + 1)]
    while stack:
        current, where, line = stack.pop()
        path = dotted(where)
        document.lines.setdefault(path, line)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                stack.append((value_node, [*where, key], key_node.start_mark.line + 1))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, [*where, index], item.start_mark.line + 1))
        elif isinstance(current, yaml.ScalarNode):
            reason = scalar_problem(current)
            if reason:
                document.problems.append(Problem(path=path, reason=reason, file=name, line=line))
            elif current.tag == _FLOAT_TAG:
                document.floats[path] = str(current.value)


def scalar_problem(node: yaml.ScalarNode) -> str | None:
    """Why a plain scalar would be misread, or ``None``."""
    if node.style is not None and node.style != "":  # quoted or block text is what it says
        return None
    text = str(node.value)
    if node.tag == _BOOL_TAG and text.lower() not in ("true", "false"):
        return (
            f"{text} is ambiguous: YAML reads it as {'true' if text.lower() in ('yes', 'on', 'y') else 'false'}; "
            f'write true or false for yes/no, or "{text}" in quotes for the text (country: "NO" is Norway)'
        )
    if node.tag == _TIMESTAMP_TAG:
        try:
            _TIMESTAMPS.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return f"{text} is not a date that exists; write a real date as YYYY-MM-DD"
    return None
