"""The CLI's error lines in the user's language (``--lang nl``): the frame of each line here, the
reasons through :mod:`insurable.reasons` (the table the web uses too), the field path as written.

The language is the running command's ``--lang`` when it has one (:func:`speaking` wraps every
registered command to note it); a command without it, or a problem found before the options are
read, speaks English. ``make translations`` extracts these strings and
the reasons into ``src/insurable/locale`` (domain ``insurable``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from insurable.errors import Problem
from insurable.reasons import _, gettext, translate
from insurable.text import Lang

ERROR = _("error:")
COUNT = _("%(count)s problem(s) in the input:")
AT_FILE_LINE = _("%(file)s, line %(line)s: ")
AT_LINE = _("line %(line)s: ")
DOCUMENT = _("(document)")


_LANG: ContextVar[Lang] = ContextVar("insurable_cli_lang", default="en")
F = TypeVar("F", bound=Callable[..., Any])


def speaking(command: F) -> F:
    """Wrap a command so that its ``--lang`` (when it has one) is the language of its error lines.

    The wrapper keeps the signature (``functools.wraps``), so Typer sees the same options."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = kwargs.get("lang")
        token = _LANG.set("nl" if str(getattr(value, "value", value)) == "nl" else "en")
        try:
            return command(*args, **kwargs)
        finally:
            _LANG.reset(token)

    return wrapper  # type: ignore[return-value]


def command_lang() -> Lang:
    """The ``--lang`` of the command being run (``nl`` or ``en``); English when there is none."""
    return _LANG.get()


def header(count: int, lang: Lang) -> tuple[str, str]:
    """The first line's label and text: ``error:`` and ``3 problem(s) in the input:``."""
    return gettext(lang, ERROR), gettext(lang, COUNT) % {"count": count}


def problem_line(problem: Problem, lang: Lang) -> str:
    """One problem as ``file, line n: path: reason`` with the frame and the reason in ``lang``."""
    where = f"{problem.file}: " if problem.file else ""
    if problem.line is not None:
        where = (
            gettext(lang, AT_FILE_LINE) % {"file": problem.file, "line": problem.line}
            if problem.file
            else gettext(lang, AT_LINE) % {"line": problem.line}
        )
    at = problem.path or gettext(lang, DOCUMENT)
    return f"{where}{at}: {translate(problem.reason, lang)}"
