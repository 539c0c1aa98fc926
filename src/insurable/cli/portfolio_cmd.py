"""``insurable portfolio``: a broker's or insurer's book under systemic cyber events (issue 17)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from insurable.cli.app import Lang, console, err_console, fail, guarded, load_catalog_option, print_json
from insurable.errors import Problem
from insurable.portfolio.engine import BLOCK_YEARS
from insurable.reasons import _, gettext
from insurable.reports.labels import number
from insurable.text import Lang as TextLang

portfolio_app = typer.Typer(help="Portfolio accumulation: a book of insureds under systemic cyber events.")

MAX_YEARS = 100_000_000

# the text output's frame (``--lang``; Dutch in src/insurable/locale, ``make translations``)
T_SIMULATING = _("Simulating the book")
T_YEARS_DONE = _("years")
T_HEAD = _("%(insureds)s insureds, %(years)s years, seed %(seed)s, %(where)s (indicative)")
T_AAL = _("AAL gross EUR %(gross)s, net EUR %(net)s")
T_PML = _("PML 1-in-%(rp)s EUR %(pml)s; TVaR EUR %(tvar)s")
T_EP = _("Exceedance (net, EUR)")
T_ONE_IN = _("1-in")
T_SCENARIOS = _("Scenarios: AAL and share of TVaR 1-in-%(rp)s")
T_SCENARIO = _("scenario")
T_TVAR_CONTRIBUTION = _("TVaR contribution")
T_SHARE = _("share")
T_TOP = _("Largest contributors (Euler allocation of TVaR)")
T_INSURED = _("insured")
T_CONCENTRATION = _("Vendor concentration")
T_CATEGORY = _("category")
T_VENDOR = _("vendor")
T_INSUREDS = _("insureds")
T_LARGEST = _("largest event")
T_SPOF = _("Single points of failure: %(count)s vendors shared by two or more clients.")
T_CLIENTS = _("%(count)s clients")
T_WROTE = _("written: %(path)s")
T_LOCAL = _("local")
T_EXPORTED = _("wrote %(count)s insureds to %(location)s and %(account)s")
T_GENERATED = _("wrote %(count)s fictional clients to %(out)s")
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the output and the errors.")]


def _text_lang(lang: Lang) -> TextLang:
    return "nl" if lang is Lang.nl else "en"


class Fmt(StrEnum):
    text = "text"
    json = "json"


def _systemic(catalog_dir: Path | None):  # type: ignore[no-untyped-def]
    from insurable.portfolio.catalog import SystemicFile

    catalog = load_catalog_option(catalog_dir)
    if "systemic.yaml" not in catalog.files:
        fail([Problem("--catalog", "this catalogue has no systemic.yaml (the systemic scenarios)")])
    return catalog, catalog.get("systemic.yaml", SystemicFile)


def _pct(share: float, lang: TextLang) -> str:
    """A share as the language writes it: 79.8% (en), 79,8 % (nl)."""
    return number(100 * share, lang, 1) + (" %" if lang == "nl" else "%")


@contextmanager
def _progress(years: int, enabled: bool, lang: TextLang = "en") -> Iterator[Callable[[int, int], None] | None]:
    if not enabled or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(gettext(lang, T_SIMULATING)),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} " + gettext(lang, T_YEARS_DONE)),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("portfolio", total=years)
        lock = threading.Lock()

        def update(done: int, total: int) -> None:
            with lock:
                bar.update(task, completed=done, total=total)

        yield update


def run(
    book: Annotated[
        str,
        typer.Argument(
            help="A directory of organisation files, a book .json, an OED location .csv (with --account), "
            "or a database URL ('db': the service database)."
        ),
    ],
    account: Annotated[Path | None, typer.Option("--account", help="The OED account file.")] = None,
    years: Annotated[int, typer.Option("--years", help="Simulated years.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same numbers.")] = 20261201,
    block_years: Annotated[
        int, typer.Option("--block-years", help="Years per block (one random stream each).")
    ] = BLOCK_YEARS,
    threads: Annotated[int | None, typer.Option("--threads", help="Local worker threads (default: all cores).")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address (tcp://HOST:8786); default $INSURABLE_DASK_SCHEDULER, else local.",
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", help="Only these scenario ids (repeatable).")
    ] = None,
    return_period: Annotated[float, typer.Option("--return-period", help="PML/TVaR return period.")] = 200,
    contributions: Annotated[
        bool, typer.Option("--contributions/--no-contributions", help="Euler contribution per insured (a 2nd pass).")
    ] = True,
    ylt: Annotated[Path | None, typer.Option("--ylt", help="Write the year-loss table as Parquet.")] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write the result tables as CSV in this directory.")
    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="text or json.")] = Fmt.text,
    top: Annotated[int, typer.Option("--top", help="Insureds listed by contribution.")] = 10,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text output and the errors.")] = Lang.en,
) -> None:
    """Simulate a book: AEP/OEP, PML/TVaR, contributions per scenario and insured, vendor concentration."""
    problems: list[Problem] = []
    if not 0 < years <= MAX_YEARS:
        problems.append(Problem("--years", f"must be between 1 and {MAX_YEARS:,}"))
    if block_years <= 0:
        problems.append(Problem("--block-years", "must be a positive number of years"))
    if seed < 0:
        problems.append(Problem("--seed", "must be a non-negative integer"))
    if return_period <= 1:
        problems.append(Problem("--return-period", "must be greater than 1"))
    if threads is not None and threads <= 0:
        problems.append(Problem("--threads", "must be a positive number"))
    if problems:
        fail(problems)
    from insurable.portfolio.engine import SCHEDULER_ENV

    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    catalog, systemic = _systemic(catalog_dir)
    from insurable.portfolio.pipeline import analyse, write_csv
    from insurable.portfolio.sources import read_book

    insureds = guarded(lambda: read_book(book, catalog, systemic, account=account))
    text_lang = _text_lang(lang)
    with _progress(years, fmt is Fmt.text, text_lang) as progress:
        analysis = guarded(
            lambda: analyse(
                insureds,
                systemic,
                years=years,
                seed=seed,
                block_years=block_years,
                threads=threads,
                scheduler=address,
                scenarios=tuple(scenario) if scenario else None,
                return_period=return_period,
                contributions=contributions,
                ylt=ylt,
                progress=progress,
                top=top,
            )
        )
    written = write_csv(analysis, csv_dir) if csv_dir is not None else []
    rep = analysis.report
    if fmt is Fmt.json:
        print_json(rep.model_dump(mode="json"))
        return
    _print_report(rep, lang.value, top)
    for path in [*written, *([ylt] if ylt is not None else [])]:
        console.print(gettext(text_lang, T_WROTE) % {"path": path}, markup=False, highlight=False)


def _print_report(rep: Any, lang: Lang | str, top: int) -> None:  # noqa: PLR0915 - one report, top to bottom
    """The text report in ``lang``: numbers as the language writes them, ids as they are."""
    lg: TextLang = "nl" if lang == "nl" else "en"

    def t(msg: str) -> str:
        return gettext(lg, msg)

    rp = f"{rep.return_period:g}"
    where = t(T_LOCAL) if rep.scheduler == "local" else rep.scheduler
    head = t(T_HEAD) % {
        "insureds": number(rep.insureds, lg),
        "years": number(rep.years, lg),
        "seed": rep.seed,
        "where": where,
    }
    console.print(f"[bold]Portfolio[/bold]: {head}" if lg == "en" else f"[bold]Portefeuille[/bold]: {head}")
    console.print(t(T_AAL) % {"gross": number(rep.aal_gross, lg), "net": number(rep.aal_net, lg)}, highlight=False)
    console.print(t(T_PML) % {"rp": rp, "pml": number(rep.pml, lg), "tvar": number(rep.tvar, lg)}, highlight=False)
    ep = Table(title=t(T_EP))
    for col in (t(T_ONE_IN), "AEP", "OEP", "TVaR"):
        ep.add_column(col, justify="right")
    for p in rep.curve:
        ep.add_row(f"{p.return_period:g}", number(p.aep, lg), number(p.oep, lg), number(p.tvar, lg))
    console.print(ep)
    sc = Table(title=t(T_SCENARIOS) % {"rp": rp})
    for col in (t(T_SCENARIO), "AAL", t(T_TVAR_CONTRIBUTION), t(T_SHARE)):
        sc.add_column(col, justify="left" if col == t(T_SCENARIO) else "right")
    for s in rep.scenarios:
        sc.add_row(s.id, number(s.aal, lg), number(s.tvar, lg), _pct(s.share, lg))
    console.print(sc)
    if rep.insureds_top:
        it = Table(title=t(T_TOP))
        for col in (t(T_INSURED), "AAL", t(T_TVAR_CONTRIBUTION), t(T_SHARE)):
            it.add_column(col, justify="left" if col == t(T_INSURED) else "right")
        for c in rep.insureds_top:
            it.add_row(c.name or c.id, number(c.aal, lg), number(c.tvar, lg), _pct(c.share, lg))
        console.print(it)
    vc = Table(title=t(T_CONCENTRATION))
    for col in (t(T_CATEGORY), t(T_VENDOR), t(T_INSUREDS), t(T_SHARE), "AAL", t(T_LARGEST)):
        vc.add_column(col, justify="left" if col in (t(T_CATEGORY), t(T_VENDOR)) else "right")
    for v in rep.concentration[:top]:
        vc.add_row(
            v.category,
            v.vendor,
            number(v.insureds, lg),
            _pct(v.share_of_book, lg),
            number(v.aal, lg),
            number(v.largest_event, lg),
        )
    console.print(vc)
    spof = rep.single_points_of_failure
    console.print(t(T_SPOF) % {"count": len(spof)})
    for shared in spof[:top]:
        more = ", ..." if len(shared.clients) > 6 else ""
        listed = ", ".join(shared.clients[:6])
        clients = t(T_CLIENTS) % {"count": number(len(shared.clients), lg)}
        console.print(f"  {shared.category} {shared.vendor}: {clients} ({listed}{more})", markup=False)


def export(
    book: Annotated[
        str, typer.Argument(help="A directory of organisation files, a book .json, OED .csv or database URL.")
    ],
    location: Annotated[Path, typer.Option("--location", help="OED location file to write.")],
    account_out: Annotated[Path, typer.Option("--account-out", help="OED account file to write.")],
    account: Annotated[Path | None, typer.Option("--account", help="The OED account file of an OED input.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the book as JSON.")] = None,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
    lang: LangOption = Lang.en,
) -> None:
    """Write a book as an OED v4 location/account pair (and optionally JSON)."""
    catalog, systemic = _systemic(catalog_dir)
    from insurable.portfolio.oed import write_oed
    from insurable.portfolio.sources import read_book, write_json

    insureds = guarded(lambda: read_book(book, catalog, systemic, account=account))
    write_oed(insureds, location, account_out, systemic)
    if json_out is not None:
        write_json(insureds, json_out)
    lg = _text_lang(lang)
    counted = number(len(insureds), lg)
    line = gettext(lg, T_EXPORTED) % {"count": counted, "location": location, "account": account_out}
    console.print(line, markup=False, highlight=False)


def generate(
    count: Annotated[int, typer.Argument(help="How many fictional clients.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the organisation files.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same clients).")] = 500,
    lang: LangOption = Lang.en,
) -> None:
    """Write COUNT fictional Dutch SME clients of a broker as organisation files (reproducible)."""
    if not 0 < count <= 100_000:
        fail([Problem("COUNT", "must be between 1 and 100,000")])
    import yaml

    from insurable.portfolio.synthetic import fictional_clients

    out.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(fictional_clients(count, seed)):
        (out / f"client-{i + 1:04d}.yaml").write_text(
            "# fictional client, generated by insurable portfolio generate\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
    lg = _text_lang(lang)
    line = gettext(lg, T_GENERATED) % {"count": number(count, lg), "out": out}
    console.print(line, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    portfolio_app.command("run")(run)
    portfolio_app.command("export")(export)
    portfolio_app.command("generate")(generate)
    app.add_typer(portfolio_app, name="portfolio")
