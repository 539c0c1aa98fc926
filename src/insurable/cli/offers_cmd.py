"""``insurable offers``: read a policy against the checklist, compare offers by what the firm keeps,
and extract an offer file from a policy PDF (docs/offers.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from insurable.cli.app import Lang, console, fail, guarded, load_catalog_option, load_org, print_json
from insurable.cli.messages import command_lang
from insurable.errors import InputError, Problem
from insurable.reasons import _, gettext

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog
    from insurable.offers.model import Offer

offers_app = typer.Typer(
    name="offers",
    help="Offers: check a policy against the checklist, compare offers, extract an offer from a PDF.",
    no_args_is_help=True,
)

MAX_TRIALS = 10_000_000
#: Fewer trial-years than `simulate` by default: several programmes run, each under the same seed.
DEFAULT_OFFER_TRIALS = 50_000
T_WRITTEN = _("written: %(path)s")


class OfferFormat(StrEnum):
    """The formats of ``offers check`` and ``offers compare``: the shared ones plus an editable Word file."""

    text = "text"
    json = "json"
    markdown = "markdown"
    docx = "docx"


FORMAT_HELP = "text, json, markdown or docx (docx needs --output)."
OutputOption = Annotated[
    Path | None, typer.Option("--output", "--out", "-o", help="Write the report to this file instead of the terminal.")
]


def _output_problems(fmt: OfferFormat, output: Path | None) -> list[Problem]:
    if fmt is OfferFormat.docx and output is None:
        return [Problem("--output", "required with --format docx (a Word file is not printed to the terminal)")]
    if output is not None and not output.parent.is_dir():
        return [Problem("--output", f"folder {str(output.parent)!r} does not exist")]
    return []


def _write(output: Path, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail([Problem("--output", f"cannot write {str(output)!r}: {exc.strerror or exc}")])
    console.print(gettext(command_lang(), T_WRITTEN) % {"path": output}, markup=False, highlight=False)


def _read_offers(paths: list[Path], catalog: Catalog) -> list[Offer]:
    """Every offer file, all problems of all files at once."""
    from insurable.offers.read import read_offer

    offers: list[Offer] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            offers.append(read_offer(path, catalog))
        except InputError as exc:
            problems += exc.problems
    if problems:
        fail(problems)
    return offers


def _show(text: str, fmt: OfferFormat, output: Path | None = None) -> None:
    if output is not None:
        _write(output, text)
    elif fmt is OfferFormat.markdown:
        typer.echo(text)
    else:
        Console(highlight=False).print(Markdown(text))


def _json(data: object, output: Path | None) -> None:
    if output is None:
        print_json(data)
    else:
        import json

        _write(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def check(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    offer_files: Annotated[list[Path], typer.Argument(help="One or more offer files (YAML or JSON).")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[OfferFormat, typer.Option("--format", help=FORMAT_HELP)] = OfferFormat.text,
    output: OutputOption = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Read each offer against the checklist: met / partly / not met / unknown, the clause, and what
    it means for this organisation."""
    from insurable.offers.check import check_offer, context_for
    from insurable.offers.report import render_check

    problems = _output_problems(fmt, output)
    if problems:
        fail(problems)
    catalog = load_catalog_option(catalog_dir)
    org = load_org(org_file, catalog)
    offers = _read_offers(offer_files, catalog)
    ctx = guarded(lambda: context_for(org, catalog))
    results = [(o, guarded(lambda o=o: check_offer(o, ctx, catalog))) for o in offers]  # type: ignore[misc]
    if fmt is OfferFormat.docx and output is not None:
        from insurable.offers.docx import check_docx

        _write(output, check_docx(results, org.name or "", lang.value))
        return
    if fmt is OfferFormat.json:
        _json(
            {
                "kind": "offers-check",
                "format_version": 1,
                "indicative": True,
                "organisation": org.name,
                "nis2_classification": ctx.nis2_classification,
                "offers": [
                    {**o.summary(), "checklist": [r.model_dump(mode="json") for r in res]} for o, res in results
                ],
            },
            output,
        )
        return
    _show("\n".join(render_check(o, res, org.name or "", lang.value) for o, res in results), fmt, output)


def compare(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    offer_files: Annotated[list[Path], typer.Argument(help="Offer files; layers with one programme form a tower.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[OfferFormat, typer.Option("--format", help=FORMAT_HELP)] = OfferFormat.text,
    output: OutputOption = None,
    trials: Annotated[int | None, typer.Option("--trials", help="Trial-years per programme (default 50000).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed, the same for every programme.")] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Compare offers side by side: premium, what the firm keeps (same seed), checklist, PI/cyber,
    and a ranking by total cost of risk with the reason for each rank."""
    from insurable.lossmodel.organisation import DEFAULT_SEED
    from insurable.offers.check import context_for
    from insurable.offers.compare import compare_offers
    from insurable.offers.report import render_comparison

    problems = _output_problems(fmt, output)
    if trials is not None and not 0 < trials <= MAX_TRIALS:
        problems.append(Problem("--trials", f"must be between 1 and {MAX_TRIALS:,}"))
    if seed is not None and seed < 0:
        problems.append(Problem("--seed", "must be >= 0"))
    if problems:
        fail(problems)
    catalog = load_catalog_option(catalog_dir)
    org = load_org(org_file, catalog, required=("annual_turnover_eur",))
    offers = _read_offers(offer_files, catalog)
    ctx = guarded(lambda: context_for(org, catalog))
    comparison = guarded(
        lambda: compare_offers(
            org,
            offers,
            catalog,
            ctx,
            trials=trials or DEFAULT_OFFER_TRIALS,
            seed=DEFAULT_SEED if seed is None else seed,
        )
    )
    if fmt is OfferFormat.docx and output is not None:
        from insurable.offers.docx import comparison_docx

        _write(output, comparison_docx(comparison, lang.value))
        return
    if fmt is OfferFormat.json:
        _json(comparison.to_json(), output)
        return
    _show(render_comparison(comparison, lang.value), fmt, output)


def register(app: typer.Typer) -> None:
    offers_app.command("check")(check)
    offers_app.command("compare")(compare)
    try:
        from insurable.cli.offers_extract_cmd import extract
    except ModuleNotFoundError:  # pragma: no cover - the PDF reader is optional
        pass
    else:
        offers_app.command("extract")(extract)
    app.add_typer(offers_app, name="offers")


__all__ = ["console", "register"]
