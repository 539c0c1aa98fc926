"""``insurable export`` / ``insurable import`` (xlsx, OSCAL, CISO Assistant) and
``insurable catalog to-xlsx`` / ``from-xlsx`` (docs/interchange.md)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from insurable.cli.app import Lang, console, err_console, guarded, load_catalog_option, load_org

export_app = typer.Typer(
    help="Write the questionnaire, controls or an assessment in another format.", no_args_is_help=True
)
import_app = typer.Typer(help="Read an organisation file back from another format.", no_args_is_help=True)

CatalogOption = Annotated[Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")]


def _write(out: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        out.write_text(data, encoding="utf-8")
    else:
        out.write_bytes(data)
    err_console.print(f"wrote {out}")


@export_app.command("xlsx")
def export_xlsx(
    org_file: Annotated[
        Path | None, typer.Argument(help="Organisation YAML to fill in (omit for a blank questionnaire).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Workbook to write (default: ORG.xlsx).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of questions, help and drop-downs.")] = Lang.en,
    catalog_dir: CatalogOption = None,
) -> None:
    """The profile and every question (help text, drop-downs, skip logic in words) as an Excel workbook."""
    from insurable.interchange.questionnaire_xlsx import export_workbook

    catalog = load_catalog_option(catalog_dir)
    org = load_org(org_file, catalog) if org_file else None
    target = out or (org_file.with_suffix(".xlsx") if org_file else Path("questionnaire.xlsx"))
    _write(target, export_workbook(org, catalog, lang.value))


@import_app.command("xlsx")
def import_xlsx(
    workbook: Annotated[Path, typer.Argument(help="Workbook written by `insurable export xlsx` and filled in.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Organisation YAML to write (default: stdout).")
    ] = None,
    catalog_dir: CatalogOption = None,
) -> None:
    """Read a filled-in workbook into an organisation YAML file; every problem names its sheet and cell."""
    from insurable.interchange.questionnaire_xlsx import organisation_yaml, read_workbook

    catalog = load_catalog_option(catalog_dir)
    data = guarded(lambda: read_workbook(workbook, catalog))
    text = organisation_yaml(data, workbook.name)
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write(out, text)


class OscalKind(StrEnum):
    catalog = "catalog"
    assessment_results = "assessment-results"


@export_app.command("oscal")
def export_oscal(
    kind: Annotated[OscalKind, typer.Argument(help="catalog (the controls) or assessment-results (ORG's assessment).")],
    org_file: Annotated[Path | None, typer.Argument(help="Organisation YAML (assessment-results only).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="JSON file to write (default: stdout).")] = None,
    catalog_dir: CatalogOption = None,
) -> None:
    """The controls as an OSCAL catalog, or an assessment as OSCAL assessment-results (JSON)."""
    from insurable.interchange import oscal

    catalog = load_catalog_option(catalog_dir)
    if kind is OscalKind.catalog:
        document = oscal.catalog_document(catalog)
    else:
        from insurable.assessment import assess
        from insurable.cli.app import fail
        from insurable.errors import Problem
        from insurable.profile import ASSESSMENT_FIELDS

        if org_file is None:
            fail([Problem("ORG_FILE", "assessment-results needs an organisation file")])
        org = load_org(org_file, catalog, required=ASSESSMENT_FIELDS)
        result = guarded(lambda: assess(org, catalog, with_plan=False))
        document = oscal.assessment_results_document(org, result, catalog)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write(out, text)


@export_app.command("ciso-assistant")
def export_ciso(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Library YAML to write (default: stdout).")] = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Main language of the library (the other is a translation).")
    ] = Lang.en,
    catalog_dir: CatalogOption = None,
) -> None:
    """The controls and questionnaire as a CISO Assistant library (framework, reference controls, ISO mapping)."""
    from insurable.interchange.ciso_assistant import library_yaml

    catalog = load_catalog_option(catalog_dir)
    text = library_yaml(catalog, lang.value)
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write(out, text)


@export_app.command("schemas")
def export_schemas(
    out: Annotated[Path, typer.Argument(help="Directory to write every published JSON Schema into.")],
) -> None:
    """Every file format's and output's JSON Schema (the registry behind schemas/), one file each."""
    from insurable.interchange.schemas import published

    out.mkdir(parents=True, exist_ok=True)
    for rel, render in published().items():
        _write(out / Path(rel).name, render())


def _catalog_commands() -> None:
    from insurable.cli.catalog_cmd import catalog_app

    @catalog_app.command("to-xlsx")
    def to_xlsx(
        out: Annotated[Path, typer.Argument(help="Workbook to write.")],
        guideline: Annotated[
            Path | None, typer.Option("--guideline", help="Directory with a guideline.yaml (default: packaged).")
        ] = None,
    ) -> None:
        """An underwriting guideline as a workbook: rating tables, hazard classes, floors, capacity, rules."""
        from insurable.interchange.guideline_xlsx import guideline_workbook

        catalog = load_catalog_option(None, guideline)
        _write(out, guideline_workbook(catalog.guideline))

    @catalog_app.command("from-xlsx")
    def from_xlsx(
        workbook: Annotated[Path, typer.Argument(help="Guideline workbook (as `catalog to-xlsx` writes it).")],
        out: Annotated[Path, typer.Argument(help="Guideline directory to write guideline.yaml into.")],
    ) -> None:
        """A guideline workbook into a guideline directory, validated as `catalog check --guideline` does."""
        from insurable.interchange.guideline_xlsx import guideline_yaml, read_guideline_workbook

        model = guarded(lambda: read_guideline_workbook(workbook))
        out.mkdir(parents=True, exist_ok=True)
        target = out / "guideline.yaml"
        target.write_text(guideline_yaml(model, workbook.name), encoding="utf-8")
        load_catalog_option(None, out)  # cross-references (sources, questions, controls): exit 2 on problems
        console.print(f"[green]ok[/]: wrote {target}; use it with --guideline {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
    _catalog_commands()
