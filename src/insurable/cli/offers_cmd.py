"""``insurable offers``: read a policy against the checklist, compare offers by what the firm keeps,
and extract an offer file from a policy PDF (docs/offers.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from insurable.cli.app import Format, Lang, console, fail, guarded, load_catalog_option, load_org, print_json
from insurable.errors import InputError, Problem

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


def _show(text: str, fmt: Format) -> None:
    if fmt is Format.markdown:
        typer.echo(text)
    else:
        Console(highlight=False).print(Markdown(text))


def check(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    offer_files: Annotated[list[Path], typer.Argument(help="One or more offer files (YAML or JSON).")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = Format.text,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Read each offer against the checklist: met / partly / not met / unknown, the clause, and what
    it means for this organisation."""
    from insurable.offers.check import check_offer, context_for
    from insurable.offers.report import render_check

    catalog = load_catalog_option(catalog_dir)
    org = load_org(org_file, catalog)
    offers = _read_offers(offer_files, catalog)
    ctx = guarded(lambda: context_for(org, catalog))
    results = [(o, guarded(lambda o=o: check_offer(o, ctx, catalog))) for o in offers]  # type: ignore[misc]
    if fmt is Format.json:
        print_json(
            {
                "kind": "offers-check",
                "format_version": 1,
                "indicative": True,
                "organisation": org.name,
                "nis2_classification": ctx.nis2_classification,
                "offers": [
                    {**o.summary(), "checklist": [r.model_dump(mode="json") for r in res]} for o, res in results
                ],
            }
        )
        return
    _show("\n".join(render_check(o, res, org.name or "", lang.value) for o, res in results), fmt)


def compare(
    org_file: Annotated[Path, typer.Argument(help="Organisation YAML: profile fields and answers.")],
    offer_files: Annotated[list[Path], typer.Argument(help="Offer files; layers with one programme form a tower.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.en,
    fmt: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = Format.text,
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

    problems: list[Problem] = []
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
    if fmt is Format.json:
        print_json(comparison.to_json())
        return
    _show(render_comparison(comparison, lang.value), fmt)


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
