"""``insurable assess`` and ``insurable init``."""

from __future__ import annotations

import shutil
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from insurable.cli.app import Lang, console, fail, guarded, load_catalog_option, load_org, print_json
from insurable.errors import Problem
from insurable.profile import ASSESSMENT_FIELDS

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog
    from insurable.underwriting.model import Assessment


class AssessFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    email = "email"


def assess(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[
        AssessFormat,
        typer.Option(
            "--format",
            help="text (wrapped to the terminal, 80 columns in a pipe), json (schemas/assessment.schema.json), "
            "markdown (e-mail-ready summary first) or email (the summary as plain text).",
        ),
    ] = AssessFormat.text,
    guideline: Annotated[
        Path | None, typer.Option("--guideline", help="Directory with an insurer's own guideline.yaml.")
    ] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
    plan: Annotated[
        bool, typer.Option("--plan/--no-plan", help="Include the fix-path and the one-control-alone plan.")
    ] = True,
    scan: Annotated[
        Path | None, typer.Option("--scan", help="A saved scan (insurable scan --out): findings become facts.")
    ] = None,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="One screen (80 columns, about 40 lines; text or markdown): verdict, premium, deductible, limit, "
            "top exclusions and subjectivities, NIS2 and its first duty, the first 5 fix-path steps, premium vs "
            "expected loss; each figure with its rule ids.",
        ),
    ] = False,
) -> None:
    """Assess insurability: verdict, premium, deductible, limit, exclusions, reasons and the fix-path."""
    from insurable.assessment import assess as run_assessment

    if brief and fmt not in (AssessFormat.text, AssessFormat.markdown):
        fail([Problem(path="--brief", reason="works with --format text or markdown")])
    catalog = load_catalog_option(catalog_dir, guideline)
    org = load_org(org_file, catalog, required=ASSESSMENT_FIELDS)
    evidence = None
    if scan is not None:
        from insurable.cli.scan_report import scan_evidence

        evidence = scan_evidence(scan, catalog)
    result = guarded(lambda: run_assessment(org, catalog, with_plan=plan, evidence=evidence))
    if brief:
        _print_brief(result, catalog, lang, org_file, markdown=fmt is AssessFormat.markdown)
        return
    if fmt is AssessFormat.json:
        data = result.model_dump(mode="json")
        if scan is not None:
            from insurable.cli.scan_report import scan_payload

            data["scan"] = scan_payload(scan, org, catalog, result)
        print_json(data)
        return
    if fmt is AssessFormat.email:
        from insurable.reports.assessment_email import render_email

        typer.echo(render_email(result, lang.value), nl=False)
        return
    findings = None
    if scan is not None:
        from insurable.cli.scan_report import findings_of

        findings = findings_of(scan, org, catalog)
    if fmt is AssessFormat.markdown:
        from insurable.reports.assessment_md import render_markdown

        typer.echo(render_markdown(result, lang.value, findings))
    else:
        from insurable.reports.assessment_text import render_text

        width = shutil.get_terminal_size((80, 24)).columns
        typer.echo(render_text(result, lang.value, width=width, findings=findings), nl=False)
    if scan is not None:
        from insurable.cli.scan_report import print_scan_section

        print_scan_section(scan, org, catalog, result, lang.value)


def _print_brief(result: Assessment, catalog: Catalog, lang: Lang, org_file: Path, markdown: bool) -> None:
    from insurable.cli.brief import brief

    duties: dict[str, Any] = {}
    if result.nis2 and "nis2.yaml" in catalog.files:
        from insurable.catalog.nis2 import Nis2File

        duties = {d.id: d for d in catalog.get("nis2.yaml", Nis2File).duties}
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    text = brief(result, lang.value, duties, str(org_file), markdown=markdown, width=width)
    typer.echo(text, nl=False)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the commented template.")] = Path("organisation.yaml"),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the comments.")] = Lang.en,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    interactive: Annotated[
        bool,
        typer.Option("--interactive", help="Ask the profile and the questions in order (with skip logic) instead."),
    ] = False,
) -> None:
    """Write an empty, commented organisation template (profile and every question) to fill in."""
    if path.exists() and not force:
        fail([Problem(path="", reason="file exists; use --force to overwrite", file=str(path))])
    catalog = load_catalog_option(None)
    if interactive:
        import yaml

        from insurable.cli.interview import interview

        data = interview(catalog, lang.value)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    else:
        from insurable.reports.template import organisation_template

        path.write_text(organisation_template(catalog, lang.value), encoding="utf-8")
    console.print(f"Wrote {path}. Fill it in, then run: insurable assess {path}")


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("init")(init)
