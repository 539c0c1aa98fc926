"""``insurable assess`` and ``insurable init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from insurable.cli.app import Format, Lang, console, fail, guarded, load_catalog_option, load_org, print_json
from insurable.errors import Problem
from insurable.profile import ASSESSMENT_FIELDS


def assess(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = Format.text,
    guideline: Annotated[
        Path | None, typer.Option("--guideline", help="Directory with an insurer's own guideline.yaml.")
    ] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
    plan: Annotated[bool, typer.Option("--plan/--no-plan", help="Include the improvement plan.")] = True,
    scan: Annotated[
        Path | None, typer.Option("--scan", help="A saved scan (insurable scan --out): findings become facts.")
    ] = None,
) -> None:
    """Assess insurability: verdict, premium, deductible, limit, exclusions, reasons and plan."""
    from insurable.underwriting import assess as run_assessment

    catalog = load_catalog_option(catalog_dir, guideline)
    org = load_org(org_file, catalog, required=ASSESSMENT_FIELDS)
    evidence = None
    if scan is not None:
        from insurable.cli.scan_report import scan_evidence

        evidence = scan_evidence(scan, catalog)
    result = guarded(lambda: run_assessment(org, catalog, with_plan=plan, evidence=evidence))
    if fmt is Format.json:
        data = result.model_dump(mode="json")
        if scan is not None:
            from insurable.cli.scan_report import scan_payload

            data["scan"] = scan_payload(scan, org, catalog, result)
        print_json(data)
        return
    from insurable.reports.assessment_md import render_markdown

    text = render_markdown(result, lang.value)
    if fmt is Format.markdown:
        typer.echo(text)
    else:
        # Markdown wraps to the terminal itself; the shared console's soft wrap would crop it.
        Console(highlight=False).print(Markdown(text))
    if scan is not None:
        from insurable.cli.scan_report import print_scan_section

        print_scan_section(scan, org, catalog, result, lang.value)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the commented template.")] = Path("organisation.yaml"),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the comments.")] = Lang.en,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented organisation template (profile and every question) to fill in."""
    from insurable.reports.template import organisation_template

    if path.exists() and not force:
        fail([Problem(path="", reason="file exists; use --force to overwrite", file=str(path))])
    catalog = load_catalog_option(None)
    path.write_text(organisation_template(catalog, lang.value), encoding="utf-8")
    console.print(f"Wrote {path}. Fill it in, then run: insurable assess {path}")


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("init")(init)
