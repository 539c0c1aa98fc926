"""``insurable catalog check`` and ``insurable catalog schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from insurable.catalog.loader import FILE_MODELS, collect_catalog
from insurable.cli.app import EXIT_INPUT, console, err_console

catalog_app = typer.Typer(help="Validate catalogues and export their JSON Schemas.", no_args_is_help=True)


@catalog_app.command("check")
def check(
    directory: Annotated[Path | None, typer.Argument(help="Catalogue directory (default: the packaged one).")] = None,
    guideline: Annotated[Path | None, typer.Option("--guideline", help="Directory with a guideline.yaml.")] = None,
) -> None:
    """Validate a catalogue directory; list every problem with file and path (exit 2 if any)."""
    catalog, problems = collect_catalog(directory, guideline)
    if problems:
        err_console.print(f"[bold red]{len(problems)} problem(s)[/] in {catalog.directory}:")
        for problem in problems:
            err_console.print(f"  - {problem}", markup=False)
        raise typer.Exit(EXIT_INPUT)
    console.print(f"[green]ok[/]: {catalog.directory}")
    for name, version in catalog.versions().items():
        console.print(f"  {name} {version}")


@catalog_app.command("schema")
def schema(
    out: Annotated[Path, typer.Argument(help="Directory to write one JSON Schema per catalogue file.")],
) -> None:
    """Export the JSON Schema of every catalogue file (for editors and check-jsonschema)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, model in FILE_MODELS.items():
        target = out / name.replace(".yaml", ".schema.json")
        target.write_text(json.dumps(model.model_json_schema(by_alias=True), indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote {target}")


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
