"""The Typer application and the helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console

from insurable.catalog.loader import Catalog, load_catalog
from insurable.errors import InputError, Problem, capped
from insurable.profile import Organisation

app = typer.Typer(
    name="insurable",
    help="Cyber insurability made measurable, explainable and fixable. All figures are indicative.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

#: Exit code for bad input, on every command.
EXIT_INPUT = 2

T = TypeVar("T")


class Lang(StrEnum):
    nl = "nl"
    en = "en"


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def fail(problems: list[Problem]) -> NoReturn:
    """Print every problem, in the command's ``--lang`` (insurable.cli.messages), and exit with code 2."""
    from insurable.cli.messages import command_lang, header, problem_line

    lang = command_lang()
    label, count = header(len(problems), lang)
    err_console.print(f"[bold red]{label}[/] ", end="")
    err_console.print(count, markup=False)
    for problem in capped(problems):
        err_console.print(f"  - {problem_line(problem, lang)}", markup=False)
    raise typer.Exit(EXIT_INPUT)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn an :class:`InputError` raised inside the block into exit code 2 with its problems."""
    try:
        yield
    except InputError as exc:
        fail(exc.problems)


def guarded(fn: Callable[[], T]) -> T:
    """Call ``fn``; an :class:`InputError` becomes exit code 2."""
    with input_errors():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


def load_catalog_option(catalog_dir: Path | None, guideline_dir: Path | None = None) -> Catalog:
    """Load the default or a user-supplied catalogue (and guideline), exiting 2 on problems."""
    return guarded(lambda: load_catalog(catalog_dir, guideline_dir))


def load_org(path: Path, catalog: Catalog, required: tuple[str, ...] = (), check_answers: bool = True) -> Organisation:
    """Load an organisation file and report every problem at once (fields, answers, required); exit 2."""
    from insurable.intake import read_organisation

    return guarded(lambda: read_organisation(path, catalog, required, check_answers))


def print_json(data: Any) -> None:
    """Write JSON to stdout (plain, machine-readable, no Rich markup)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
