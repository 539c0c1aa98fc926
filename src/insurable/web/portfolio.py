"""The portfolio page (issue 17): a broker's or underwriter's book under systemic cyber events.

The book is every organisation the caller may see (the service's tenant gate,
:func:`insurable.store.access.visible_organisations`), compiled as ``insurable portfolio run db``
compiles the whole database. A run goes to a background worker (one at a time per process, a
bounded number of years), so a request never waits for it: the page shows the progress and, with
htmx, polls until the result replaces it; without JavaScript a reload does the same.

Each caller sees only their own last run, and only while every organisation in it is still
visible to them (a share withdrawn since hides the result). The charts are server-side SVG
(presentation attributes only: the CSP allows no inline style). Labels are Dutch and English side
by side in :data:`LABELS`, as the offers pages do.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from insurable.text import Lang
from insurable.web.app_support import catalog, db, redirect
from insurable.web.i18n import Formatter, pick_lang
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, WebError, check_csrf, require

router = APIRouter(include_in_schema=False)

#: The years a web run may simulate: a run of the largest answers in seconds for a broker's book of
#: a few thousand clients; 100,000-year figures are for the CLI (docs/portfolio.md).
YEAR_CHOICES = (2_000, 10_000, 20_000)
DEFAULT_WEB_YEARS = 10_000
#: Finished runs kept in memory (one per user, the oldest dropped first).
MAX_RUNS = 64
ROLES = ("broker", "underwriter", "admin")
AEP_COLOUR = "#1f4e8c"
OEP_COLOUR = "#a33b20"

LABELS: dict[str, dict[str, str]] = {
    "title": {"nl": "Portefeuille", "en": "Portfolio"},
    "intro": {
        "nl": "Alle organisaties die u kunt zien als één portefeuille, met hun eigen cyberincidenten én de "
        "systemische scenario's (cloudstoring, inbraak bij een MSP, massaal misbruik van een VPN-merk, ...) die "
        "veel klanten tegelijk treffen. Alle bedragen zijn indicatief.",
        "en": "Every organisation you can see as one book, with their own cyber incidents and the systemic "
        "scenarios (cloud outage, MSP compromise, mass exploitation of a VPN brand, ...) that hit many clients "
        "at once. All amounts are indicative.",
    },
    "years": {"nl": "Gesimuleerde jaren", "en": "Simulated years"},
    "run": {"nl": "Portefeuille doorrekenen", "en": "Run the portfolio"},
    "running": {"nl": "Bezig met doorrekenen", "en": "Running"},
    "reload": {"nl": "Pagina vernieuwen", "en": "Reload the page"},
    "failed": {"nl": "De doorrekening is mislukt:", "en": "The run failed:"},
    "none": {"nl": "Nog geen doorrekening. Start er een hierboven.", "en": "No run yet. Start one above."},
    "stale": {
        "nl": "De organisaties die u kunt zien zijn veranderd sinds de laatste doorrekening; reken opnieuw door.",
        "en": "The organisations you can see have changed since the last run; run it again.",
    },
    "empty": {"nl": "U kunt nog geen organisaties zien.", "en": "You cannot see any organisations yet."},
    "book": {"nl": "Portefeuille", "en": "Book"},
    "insureds": {"nl": "organisaties", "en": "organisations"},
    "left_out": {
        "nl": "Niet meegerekend (profiel onvolledig):",
        "en": "Left out (incomplete profile):",
    },
    "aal": {"nl": "Gemiddelde jaarschade (netto)", "en": "Average annual loss (net)"},
    "aal_gross": {"nl": "Gemiddelde jaarschade (bruto)", "en": "Average annual loss (gross)"},
    "pml": {"nl": "PML 1 op {rp}", "en": "PML 1 in {rp}"},
    "tvar": {"nl": "TVaR 1 op {rp}", "en": "TVaR 1 in {rp}"},
    "curve": {"nl": "Overschrijdingscurven", "en": "Exceedance curves"},
    "curve_caption": {
        "nl": "AEP: de jaarschade van de hele portefeuille die eens per zoveel jaar wordt overschreden; OEP: de "
        "grootste enkele gebeurtenis (één eigen schade of één systemisch scenario over alle getroffen klanten).",
        "en": "AEP: the book's annual loss exceeded once in so many years; OEP: the largest single occurrence "
        "(one own claim, or one systemic event summed over every client it hit).",
    },
    "return_period": {"nl": "Eens per (jaar)", "en": "Once in (years)"},
    "aep": {"nl": "AEP (jaarschade)", "en": "AEP (annual loss)"},
    "oep": {"nl": "OEP (grootste gebeurtenis)", "en": "OEP (largest occurrence)"},
    "tvar_col": {"nl": "TVaR", "en": "TVaR"},
    "table": {"nl": "PML en TVaR per terugkeerperiode", "en": "PML and TVaR by return period"},
    "scenarios": {"nl": "Bijdrage per scenario", "en": "Contribution by scenario"},
    "scenario": {"nl": "Scenario", "en": "Scenario"},
    "own": {"nl": "Eigen incidenten van de klanten", "en": "The clients' own incidents"},
    "tvar_contribution": {"nl": "Bijdrage aan TVaR", "en": "TVaR contribution"},
    "share": {"nl": "Aandeel", "en": "Share"},
    "top": {"nl": "Grootste bijdragers", "en": "Largest contributors"},
    "organisation": {"nl": "Organisatie", "en": "Organisation"},
    "concentration": {"nl": "Concentratie per leverancier", "en": "Concentration by vendor"},
    "category": {"nl": "Soort", "en": "Kind"},
    "vendor": {"nl": "Leverancier", "en": "Vendor"},
    "clients": {"nl": "Klanten", "en": "Clients"},
    "largest_event": {"nl": "Grootste gebeurtenis", "en": "Largest event"},
    "spof": {"nl": "Gedeelde afhankelijkheden (single points of failure)", "en": "Single points of failure"},
    "spof_intro": {
        "nl": "Leveranciers waar twee of meer klanten van afhangen: één incident daar treft ze allemaal.",
        "en": "Vendors that two or more clients depend on: one incident there hits them all.",
    },
    "no_spof": {"nl": "Geen leverancier wordt door twee of meer klanten gedeeld.", "en": "No vendor is shared."},
    "run_info": {
        "nl": "{years} jaren, seed {seed}, {orgs} organisaties; klaar om {at} UTC.",
        "en": "{years} years, seed {seed}, {orgs} organisations; finished at {at} UTC.",
    },
    "indicative": {
        "nl": "Indicatief: de scenario's zijn open aannames (docs/portfolio.md), geen gekalibreerd catastrofemodel.",
        "en": "Indicative: the scenarios are open assumptions (docs/portfolio.md), not a calibrated cat model.",
    },
    "cli": {
        "nl": "Voor 100.000 jaren of meer, Parquet en CSV: insurable portfolio run db.",
        "en": "For 100,000 years or more, Parquet and CSV: insurable portfolio run db.",
    },
}


def _labels(lang: Lang) -> dict[str, str]:
    return {k: v[lang] for k, v in LABELS.items()}


@dataclass
class Run:
    """One user's run: the organisations in it, its progress and its result (plain data)."""

    user_id: int
    org_ids: frozenset[int]
    years: int
    state: str = "running"  # running, done, failed
    done_years: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    error: str = ""
    result: dict[str, Any] | None = None
    left_out: list[str] = field(default_factory=list)


_RUNS: OrderedDict[int, Run] = OrderedDict()
_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portfolio")


def _keep(run: Run) -> None:
    with _LOCK:
        _RUNS[run.user_id] = run
        _RUNS.move_to_end(run.user_id)
        while len(_RUNS) > MAX_RUNS:
            _RUNS.popitem(last=False)


def _current(user_id: int) -> Run | None:
    with _LOCK:
        return _RUNS.get(user_id)


def _simulate(run: Run, insureds: Sequence[Any], names: dict[str, str], systemic: Any) -> None:
    """The worker: the analysis of the book (one thread, the second Euler pass included)."""
    from insurable.portfolio.pipeline import analyse

    def progress(done: int, _total: int) -> None:
        run.done_years = done

    try:
        analysis = analyse(insureds, systemic, years=run.years, threads=1, progress=progress, top=10)
        rep = analysis.report
        run.result = {
            "report": rep,
            "names": names,
            "spof_names": {
                (s.category, s.vendor): [names.get(c, c) for c in s.clients] for s in rep.single_points_of_failure
            },
        }
        run.state = "done"
    except Exception as exc:  # noqa: BLE001 - the worker reports every failure on the page, never loses it
        run.error = str(exc) or type(exc).__name__
        run.state = "failed"
    finally:
        run.finished = time.time()


def _visible_ids(session: Any, who: Any) -> list[Any]:
    from insurable.store.access import visible_organisations

    return list(visible_organisations(session, who.user))


def _check_role(who: Any) -> None:
    if who.user.kind not in ROLES:
        raise WebError(403, "forbidden")


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, fragment: int = 0) -> Response:
    """The caller's last portfolio run over the organisations they can see, and a form for a new one."""
    with db(request) as session:
        who = require(request, session)
        _check_role(who)
        orgs = _visible_ids(session, who)
        run = _current(who.user.id)
        stale = run is not None and not run.org_ids <= {o.id for o in orgs}
        if stale:
            run = None
        lang = pick_lang(request)
        values = _view(run, lang, catalog(request))
        return page(
            request,
            "portfolio.html",
            block="body" if fragment else None,
            who=who,
            csrf=who.login.csrf_token if who.login else "",
            L=_labels(lang),
            orgs=len(orgs),
            stale=stale,
            run=run,
            year_choices=YEAR_CHOICES,
            chosen_years=run.years if run else DEFAULT_WEB_YEARS,
            **values,
        )


@router.post("/portfolio")
async def start_run(request: Request) -> Response:
    form = await request.form()
    years = str(form.get("years") or "")
    token = str(form.get(CSRF_FIELD) or "")
    return await run_in_threadpool(_start, request, years, token)


def _start(request: Request, years_text: str, token: str) -> Response:
    from insurable.catalog.loader import Catalog
    from insurable.portfolio.catalog import SystemicFile
    from insurable.portfolio.sources import insureds_from_organisations

    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, token)
        _check_role(who)
        try:
            years = int(years_text)
        except ValueError:
            years = 0
        if years not in YEAR_CHOICES:
            raise WebError(422, f"years: one of {', '.join(map(str, YEAR_CHOICES))}")
        current = _current(who.user.id)
        if current is not None and current.state == "running":
            return redirect("/portfolio")  # one run per user at a time
        orgs = _visible_ids(session, who)
        if not orgs:
            return redirect("/portfolio")
        cat: Catalog = catalog(request)
        systemic = cat.get("systemic.yaml", SystemicFile)
        insureds, problems = insureds_from_organisations(session, orgs, cat, systemic)
        names = {f"org-{o.id}": o.name for o in orgs}
        run = Run(user_id=who.user.id, org_ids=frozenset(o.id for o in orgs), years=years)
        run.left_out = [org.name for org, _found in problems]
        from insurable.store import repo

        repo.audit(session, who.user, "portfolio.run", target=f"portfolio:{len(insureds)}", via="web")
        session.commit()
        if not insureds:
            run.state, run.error, run.finished = "failed", LABELS["empty"]["en"], time.time()
            _keep(run)
            return redirect("/portfolio")
        _keep(run)
        _POOL.submit(_simulate, run, insureds, names, systemic)
        return redirect("/portfolio")


def _view(run: Run | None, lang: Lang, cat: Any) -> dict[str, Any]:
    """What the template shows of a finished run: rows with translated names, the SVG chart."""
    if run is None or run.state != "done" or run.result is None:
        return {"rep": None}
    from insurable.portfolio.catalog import SystemicFile

    rep = run.result["report"]
    systemic = cat.get("systemic.yaml", SystemicFile)
    scen_names = {s.id: s.name.get(lang) for s in systemic.scenarios} | {"own": LABELS["own"][lang]}
    cat_names = {c.id: c.name.get(lang) for c in systemic.categories}
    names = run.result["names"]
    fmt = Formatter(lang)
    curve = [p for p in rep.curve if p.return_period <= rep.years]
    return {
        "rep": rep,
        "curve": curve,
        "scen_names": scen_names,
        "cat_names": cat_names,
        "names": names,
        "spof_names": run.result["spof_names"],
        "chart": ep_svg(curve, fmt, _labels(lang)),
        "finished": time.strftime("%H:%M", time.gmtime(run.finished or time.time())),
    }


def ep_svg(
    points: Sequence[Any], fmt: Formatter, labels: dict[str, str], *, width: int = 640, height: int = 320
) -> str:
    """AEP and OEP against the return period (log scale), as an accessible SVG (title, axis
    labels, a legend; colours and dashes both tell the two curves apart)."""
    left, right, top, bottom = 84, 16, 44, 56
    pw, ph = width - left - right, height - top - bottom
    pts = [p for p in points if p.return_period >= 1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="ep-title" font-family="sans-serif" font-size="12">',
        f'<title id="ep-title">{escape(labels["curve"])}</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    if not pts:
        out.append("</svg>")
        return "".join(out)
    x_lo, x_hi = math.log10(min(p.return_period for p in pts)), math.log10(max(p.return_period for p in pts))
    x_hi = max(x_hi, x_lo + 1)
    y_max = _nice(max(max(p.aep, p.oep) for p in pts) or 1.0)

    def sx(rp: float) -> float:
        return left + (math.log10(rp) - x_lo) / (x_hi - x_lo) * pw

    def sy(v: float) -> float:
        return top + ph - v / y_max * ph

    for i in range(5):
        v = y_max * i / 4
        out.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{left + pw}" y2="{sy(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{escape(fmt.money_short(v))}</text>')
    decade = math.floor(x_lo)
    while decade <= x_hi + 1e-9:
        rp = 10.0**decade
        if rp >= 10**x_lo - 1e-9:
            x = sx(rp)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">{fmt.number(rp)}</text>')
        decade += 1
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 12}" text-anchor="middle">{escape(labels["return_period"])}</text>'
    )
    for key, colour, dash in (("aep", AEP_COLOUR, ""), ("oep", OEP_COLOUR, ' stroke-dasharray="6 4"')):
        path = " ".join(f"{sx(p.return_period):.1f},{sy(getattr(p, key)):.1f}" for p in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for p in pts:
            out.append(f'<circle cx="{sx(p.return_period):.1f}" cy="{sy(getattr(p, key)):.1f}" r="3" fill="{colour}"/>')
    for n, (key, colour, dash) in enumerate((("aep", AEP_COLOUR, ""), ("oep", OEP_COLOUR, ' stroke-dasharray="6 4"'))):
        y = 16 + n * 16
        out.append(f'<line x1="{left}" y1="{y}" x2="{left + 28}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{left + 34}" y="{y + 4}">{escape(labels[key])}</text>')
    out.append("</svg>")
    return "".join(out)


def _nice(v: float) -> float:
    exp = 10.0 ** math.floor(math.log10(v))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if v <= m * exp:
            return m * exp
    return 10.0 * exp
