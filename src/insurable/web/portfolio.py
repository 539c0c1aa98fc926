"""The portfolio page (issue 17): a broker's or underwriter's book under systemic cyber events.

The book is every organisation the caller may see (the service's tenant gate,
:func:`insurable.store.access.visible_organisations`), compiled as ``insurable portfolio run db``
compiles the whole database. A run goes to a background worker (:mod:`insurable.web.portfolio_jobs`),
so a request never waits for it: the page shows the progress and, with htmx, polls until the result
replaces it; without JavaScript a reload does the same.

Runs are stored (:class:`insurable.store.portfolio_models.PortfolioRun`): the result survives a
restart and is the same from every server process, a run whose process died shows as interrupted,
and the page lists the caller's last runs with JSON and CSV downloads. Each caller sees only runs
they started, and only while every organisation in one is still visible to them (a share withdrawn
since hides it: :func:`insurable.store.portfolio_runs.covers`). The charts are server-side SVG
(presentation attributes only: the CSP allows no inline style). Labels are Dutch and English side
by side in :data:`LABELS`, as the offers pages do; those label pairs are most of this module's
length (the worker lives in :mod:`insurable.web.portfolio_jobs`, the stored form in
:mod:`insurable.portfolio.report_io`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from insurable.api.deps import Principal
from insurable.errors import InputError
from insurable.portfolio.report_io import CSV_TABLES
from insurable.store import portfolio_runs
from insurable.store.portfolio_models import EMPTY, INTERRUPTED, PortfolioRun
from insurable.store.types import utcnow
from insurable.text import Lang
from insurable.web import portfolio_jobs as jobs
from insurable.web.app_support import catalog, db, redirect
from insurable.web.i18n import Formatter, pick_lang
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, WebError, check_csrf, require

router = APIRouter(include_in_schema=False)
log = logging.getLogger("insurable.portfolio")

#: The years a web run may simulate: a run of the largest answers in seconds for a broker's book of
#: a few thousand clients; 100,000-year figures are for the CLI (docs/portfolio.md).
YEAR_CHOICES = (2_000, 10_000, 20_000)
DEFAULT_WEB_YEARS = 10_000
#: Runs listed on the page, and runs kept per user (older finished ones are deleted on a new run).
HISTORY = 10
KEEP_RUNS = 20
#: Largest contributors shown on the page (the CSV download lists every insured).
TOP_SHOWN = 10
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
    "interrupted": {
        "nl": "De doorrekening is onderbroken (de server is herstart of gestopt); start hem opnieuw.",
        "en": "The run was interrupted (the server restarted or stopped); start it again.",
    },
    "unreadable": {
        "nl": "Deze opgeslagen doorrekening kan niet meer worden gelezen (een oudere versie); reken opnieuw door.",
        "en": "This stored run can no longer be read (an older version); run it again.",
    },
    "last_done": {"nl": "Laatste afgeronde doorrekening", "en": "Last finished run"},
    "history": {"nl": "Uw laatste doorrekeningen", "en": "Your last runs"},
    "started": {"nl": "Gestart", "en": "Started"},
    "state": {"nl": "Status", "en": "State"},
    "state_running": {"nl": "bezig", "en": "running"},
    "state_done": {"nl": "klaar", "en": "done"},
    "state_failed": {"nl": "mislukt", "en": "failed"},
    "open": {"nl": "Bekijken", "en": "Open"},
    "run_col": {"nl": "Doorrekening", "en": "Run"},
    "shown": {"nl": "(getoond)", "en": "(shown)"},
    "downloads": {"nl": "Downloaden:", "en": "Download:"},
    "json": {"nl": "alles (JSON)", "en": "everything (JSON)"},
    "csv_ep": {"nl": "overschrijdingscurve (CSV)", "en": "exceedance curve (CSV)"},
    "csv_scenarios": {"nl": "scenario's (CSV)", "en": "scenarios (CSV)"},
    "csv_insureds": {"nl": "organisaties (CSV)", "en": "organisations (CSV)"},
    "csv_concentration": {"nl": "concentratie (CSV)", "en": "concentration (CSV)"},
    "csv_single_points_of_failure": {"nl": "gedeelde afhankelijkheden (CSV)", "en": "single points of failure (CSV)"},
    "none": {"nl": "Nog geen doorrekening. Start er een hierboven.", "en": "No run yet. Start one above."},
    "stale": {
        "nl": "De organisaties die u kunt zien zijn veranderd sinds de laatste doorrekening; reken opnieuw door.",
        "en": "The organisations you can see have changed since the last run; run it again.",
    },
    "empty": {"nl": "U kunt nog geen organisaties zien.", "en": "You cannot see any organisations yet."},
    "no_insureds": {
        "nl": "Geen van de organisaties heeft een volledig profiel: er viel niets door te rekenen.",
        "en": "None of the organisations has a complete profile: there was nothing to run.",
    },
    "book": {"nl": "Portefeuille", "en": "Book"},
    "insureds": {"nl": "organisaties", "en": "organisations"},
    "left_out": {
        "nl": "Niet meegerekend (profiel onvolledig):",
        "en": "Left out (incomplete profile):",
    },
    "why": {"nl": "Waarom niet meegerekend", "en": "Why left out"},
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
        "nl": "{years} jaren, seed {seed}, {orgs} organisaties; klaar op {at}.",
        "en": "{years} years, seed {seed}, {orgs} organisations; finished {at}.",
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


def _check_role(who: Principal) -> None:
    if who.user.kind not in ROLES:
        raise WebError(403, "forbidden")


def _visible(session: Session, who: Principal) -> list[Any]:
    from insurable.store.access import visible_organisations

    return list(visible_organisations(session, who.user))


def _settle(request: Request, session: Session, rows: Sequence[PortfolioRun]) -> None:
    """Finish as interrupted every ``running`` row whose process is gone (committed at once)."""
    sessions, now = request.app.state.sessions, utcnow()
    gone = [row for row in rows if row.state == "running" and not jobs.alive(sessions, row, now)]
    if gone:
        for row in gone:
            portfolio_runs.interrupt(session, row, now)
        session.commit()


def error_text(row: PortfolioRun, lang: Lang) -> str:
    """Why a run failed, in the page's language where the reason is one of ours."""
    known = {INTERRUPTED: "interrupted", EMPTY: "no_insureds"}
    return LABELS[known[row.error]][lang] if row.error in known else row.error


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, fragment: int = 0, run: int | None = None) -> Response:
    """The caller's runs over the organisations they can see (the newest, or ``run``), their last
    runs, and a form for a new one."""
    with db(request) as session:
        who = require(request, session)
        _check_role(who)
        orgs = _visible(session, who)
        visible = {o.id for o in orgs}
        rows = portfolio_runs.runs(session, who.user, limit=HISTORY)
        _settle(request, session, rows)
        newest = rows[0] if rows else None
        stale = newest is not None and not portfolio_runs.covers(newest, visible)
        history = [r for r in rows if portfolio_runs.covers(r, visible)]
        if run is not None:
            chosen = portfolio_runs.run(session, who.user, run)
            if chosen is None or not portfolio_runs.covers(chosen, visible):
                raise WebError(404, "not found")  # someone else's run, or one the caller can no longer see
            _settle(request, session, [chosen])
            result_row = chosen if chosen.state == "done" else None
        else:
            chosen = None if stale else newest
            # a failed newest run still shows the last finished one under its message
            result_row = next((r for r in history if r.state == "done"), None) if chosen is not None else None
            if chosen is not None and chosen.state == "running":
                result_row = None
        lang = pick_lang(request)
        values = _view(result_row, lang, catalog(request))
        sessions = request.app.state.sessions
        return page(
            request,
            "portfolio.html",
            block="body" if fragment else None,
            who=who,
            csrf=who.login.csrf_token if who.login else "",
            L=_labels(lang),
            orgs=len(orgs),
            stale=stale,
            run=chosen,
            done_years=jobs.done_years(sessions, chosen) if chosen is not None else 0,
            error=error_text(chosen, lang) if chosen is not None and chosen.state == "failed" else "",
            history=history,
            states={s: LABELS[f"state_{s}"][lang] for s in ("running", "done", "failed")},
            tables=[(t, LABELS[f"csv_{t}"][lang]) for t in CSV_TABLES],
            year_choices=YEAR_CHOICES,
            chosen_years=chosen.years if chosen is not None else DEFAULT_WEB_YEARS,
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
    from insurable.portfolio.engine import DEFAULT_SEED
    from insurable.portfolio.sources import insureds_from_organisations
    from insurable.store import repo

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
        recent = portfolio_runs.runs(session, who.user, limit=HISTORY)
        _settle(request, session, recent)
        if any(r.state == "running" for r in recent):
            return redirect("/portfolio")  # one run per user at a time
        orgs = _visible(session, who)
        if not orgs:
            return redirect("/portfolio")
        cat: Catalog = catalog(request)
        systemic = cat.get("systemic.yaml", SystemicFile)
        insureds, problems = insureds_from_organisations(session, orgs, cat, systemic)
        now = utcnow()
        row = PortfolioRun(
            user_id=who.user.id,
            org_ids=[o.id for o in orgs],
            years=years,
            seed=DEFAULT_SEED,
            state="running" if insureds else "failed",
            started_at=now,
            finished_at=None if insureds else now,
            worker=jobs.worker_id(),
            heartbeat_at=now,
            error="" if insureds else EMPTY,
            left_out=[
                {"org_id": org.id, "name": org.name, "problems": [{"path": p.path, "reason": p.reason} for p in found]}
                for org, found in problems
            ],
        )
        session.add(row)
        session.flush()
        portfolio_runs.prune(session, who.user, KEEP_RUNS)
        repo.audit(
            session,
            who.user,
            "portfolio.run",
            target=f"portfolio-run:{row.id}",
            detail={"organisations": len(orgs), "insureds": len(insureds), "years": years, "seed": DEFAULT_SEED},
            via="web",
        )
        entry = jobs.reserve(request.app.state.sessions, row.id) if insureds else None
        try:
            session.commit()
        except BaseException:
            if entry is not None:
                jobs.release(entry)
            raise
        if entry is not None:
            names = {f"org-{o.id}": o.name for o in orgs}
            jobs.submit(entry, years, DEFAULT_SEED, insureds, names, systemic)
        return redirect("/portfolio")


def _download_row(request: Request, session: Session, run_id: int, what: str) -> tuple[Principal, PortfolioRun]:
    """The caller's finished run ``run_id`` that they may still see, audited as downloaded; else 404."""
    from insurable.store import repo

    who = require(request, session)
    _check_role(who)
    row = portfolio_runs.run(session, who.user, run_id)
    if row is None or row.state != "done" or row.result is None:
        raise WebError(404, "not found")
    if not portfolio_runs.covers(row, {o.id for o in _visible(session, who)}):
        raise WebError(404, "not found")
    repo.audit(
        session, who.user, "portfolio.download", target=f"portfolio-run:{row.id}", detail={"what": what}, via="web"
    )
    session.commit()
    return who, row


def run_json(row: PortfolioRun) -> dict[str, Any]:
    """A finished run as one JSON document: when, what it covered, what was left out, the report."""
    assert row.result is not None
    return {
        "run": {
            "id": row.id,
            "years": row.years,
            "seed": row.seed,
            "started_at": row.started_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "organisations": [{"id": int(i), "name": row.result.get("names", {}).get(f"org-{i}")} for i in row.org_ids],
            "left_out": row.left_out,
        },
        **row.result,
        "indicative": True,
    }


@router.get("/portfolio/runs/{run_id}.json")
def download_json(request: Request, run_id: int) -> Response:
    """A finished run of the caller's, as JSON (the stored report and the run's particulars)."""
    with db(request) as session:
        _who, row = _download_row(request, session, run_id, "json")
        body = json.dumps(run_json(row), ensure_ascii=False, indent=2)
        headers = {"Content-Disposition": f'attachment; filename="portfolio-run-{row.id}.json"'}
        return Response(body, media_type="application/json", headers=headers)


@router.get("/portfolio/runs/{run_id}/{table}.csv")
def download_csv(request: Request, run_id: int, table: str) -> Response:
    """One table of a finished run of the caller's, as CSV (the columns ``insurable portfolio run --csv`` writes)."""
    from insurable.portfolio.report_io import csv_rows, report_from_json

    if table not in CSV_TABLES:
        raise WebError(404, "not found")
    with db(request) as session:
        _who, row = _download_row(request, session, run_id, f"{table}.csv")
        assert row.result is not None
        try:
            rep = report_from_json(row.result)
        except InputError:
            raise WebError(410, LABELS["unreadable"]["en"]) from None
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(rep, table, row.result.get("names") or {}))
        headers = {"Content-Disposition": f'attachment; filename="portfolio-run-{row.id}-{table}.csv"'}
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _view(row: PortfolioRun | None, lang: Lang, cat: Any) -> dict[str, Any]:
    """What the template shows of a finished run: rows with translated names, the SVG chart."""
    if row is None or row.state != "done" or row.result is None:
        return {"rep": None}
    from insurable.portfolio.catalog import SystemicFile
    from insurable.portfolio.report_io import report_from_json

    try:
        rep = report_from_json(row.result)
    except InputError as exc:  # a stored run this version cannot read: say so, never a 500
        log.warning("portfolio run %s cannot be read: %s", row.id, exc)
        return {"rep": None, "unreadable": True}
    names: dict[str, str] = row.result.get("names") or {}
    systemic = cat.get("systemic.yaml", SystemicFile)
    scen_names = {s.id: s.name.get(lang) for s in systemic.scenarios} | {"own": LABELS["own"][lang]}
    cat_names = {c.id: c.name.get(lang) for c in systemic.categories}
    fmt = Formatter(lang)
    curve = [p for p in rep.curve if p.return_period <= rep.years]
    return {
        "rep": rep,
        "shown": row,
        "top": rep.insureds_top[:TOP_SHOWN],
        "curve": curve,
        "scen_names": scen_names,
        "cat_names": cat_names,
        "names": names,
        "spof_names": {
            (s.category, s.vendor): [names.get(c, c) for c in s.clients] for s in rep.single_points_of_failure
        },
        "chart": ep_svg(curve, fmt, _labels(lang)),
        "finished": fmt.datetime(row.finished_at),
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
