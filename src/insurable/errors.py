"""Input errors that name the file, the field and the reason, all problems at once.

Every adapter (CLI, API, web) turns an :class:`InputError` into its own shape: exit code 2 on the
command line, a 4xx problem response on the API. The domain core raises it and never prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file and dotted path) and why."""

    path: str
    reason: str
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        at = self.path or "(document)"
        return f"{where}{at}: {self.reason}"


@dataclass
class InputError(Exception):
    """Raised when an input is invalid; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __str__(self) -> str:
        return self.summary()


def dotted(loc: Sequence[int | str]) -> str:
    """Render a Pydantic location tuple as ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def problems_from_validation(
    exc: ValidationError, file: str | None = None, prefix: Sequence[int | str] = ()
) -> list[Problem]:
    """Convert a Pydantic ``ValidationError`` into problems with readable paths and reasons."""
    found: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        found.append(Problem(path=dotted([*prefix, *loc]), reason=_reason(err), file=file))
    return found


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
