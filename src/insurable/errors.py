"""Input errors that name the file, the field and the reason, all problems at once.

Every adapter (CLI, API, web) turns an :class:`InputError` into its own shape: exit code 2 on the
command line, a 4xx problem response on the API. The domain core raises it and never prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line and dotted path) and why."""

    path: str
    reason: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        if self.line is not None:
            where = f"{self.file}, line {self.line}: " if self.file else f"line {self.line}: "
        at = self.path or "(document)"
        return f"{where}{at}: {self.reason}"


#: At most this many problems are shown; the rest are counted (a file of a million unknown keys
#: must not print for minutes).
MAX_SHOWN = 50


def capped(problems: Sequence[Problem], limit: int = MAX_SHOWN) -> list[Problem]:
    """The first ``limit`` problems, plus one line counting the rest when there are more."""
    if len(problems) <= limit:
        return list(problems)
    rest = len(problems) - limit
    more = Problem(path="", reason=f"... and {rest} more problem(s) not shown; fix these first", file=problems[0].file)
    return [*problems[:limit], more]


@dataclass
class InputError(Exception):
    """Raised when an input is invalid; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        return "\n".join(str(p) for p in capped(self.problems))

    def __str__(self) -> str:
        return self.summary()


def dotted(loc: Sequence[int | str]) -> str:
    """Render a Pydantic location tuple as ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text or text != text.strip() or not text.isprintable() or ":" in text:
                text = repr(text)  # an odd key (blank, spaces, a colon) stays visible and unambiguous
            out += ("." if out else "") + text
    return out


def problems_from_validation(
    exc: ValidationError, file: str | None = None, prefix: Sequence[int | str] = ()
) -> list[Problem]:
    """Convert a Pydantic ``ValidationError`` into problems with readable paths and reasons."""
    found: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        reason = _reason(err)
        named = _NAMED.match(reason)
        if named and not loc and err["type"] == "value_error":  # a top-level model check naming its field
            loc, reason = [*loc, named["field"]], named["why"]
        found.append(Problem(path=dotted([*prefix, *loc]), reason=reason, file=file))
    return found


_NAMED = re.compile(r"^(?P<field>[a-z][a-z0-9_]*): (?P<why>.+)$", re.DOTALL)


def with_lines(problems: Iterable[Problem], lines: dict[str, int]) -> list[Problem]:
    """Add the line number of each problem's path (or its nearest parent) from a YAML line map."""
    out: list[Problem] = []
    for problem in problems:
        line = problem.line
        path = problem.path
        while line is None and path:
            line = lines.get(path)
            path = _parent(path)
        out.append(Problem(problem.path, problem.reason, problem.file, line) if line is not None else problem)
    return out


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    return path[:cut] if cut > 0 else ""


def _reason(err: object) -> str:
    assert isinstance(err, dict)
    msg = str(err.get("msg", "invalid"))
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, ") :]
    return msg


def raise_if(problems: Iterable[Problem]) -> None:
    """Raise an :class:`InputError` when there is at least one problem."""
    found = list(problems)
    if found:
        raise InputError(found)
