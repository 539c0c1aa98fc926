"""Web pages for outside-in scans (issue 16): history with upload and run forms, one scan with its
findings and contradictions, and the diff of two scans.

The pages use the API's use cases (:mod:`insurable.api.scanning`, :mod:`insurable.api.scan_runs`):
the same validation, consent gate, rate limit and audit lines. Labels are bilingual data
(:data:`LABELS` and :data:`insurable.reports.findings.LABELS`), as on the offers pages; those
bilingual labels are most of this module's length.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from insurable.api.deps import MAX_ID
from insurable.api.problems import ApiProblem
from insurable.errors import InputError
from insurable.reports.findings import LABELS as FINDING_LABELS
from insurable.reports.findings import SEVERITY_TEXT
from insurable.store import repo
from insurable.store import scans as scan_repo
from insurable.store.scan_models import StoredScan
from insurable.text import Lang
from insurable.web.app_support import catalog, db, redirect
from insurable.web.i18n import pick_lang
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, WebError, WebOrg, can, check_csrf, org_for, require

router = APIRouter(include_in_schema=False)
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
ScanId = Annotated[int, Path(ge=1, le=MAX_ID)]

LABELS: dict[str, dict[str, str]] = {
    "scans": {"nl": "Scans van buitenaf", "en": "Outside-in scans"},
    "intro": {
        "nl": "Wat een verzekeraar van buitenaf ziet: alleen de doelen die uw profiel opgeeft (scan_targets), "
        "en pas na bewijs van beheer. Zie docs/scanner.md.",
        "en": "What an insurer sees from the outside: only the targets your profile declares (scan_targets), "
        "and only after proof of control. See docs/scanner.md.",
    },
    "none": {"nl": "Nog geen scans.", "en": "No scans yet."},
    "when": {"nl": "Wanneer", "en": "When"},
    "by": {"nl": "Door", "en": "By"},
    "source": {"nl": "Herkomst", "en": "Source"},
    "status": {"nl": "Status", "en": "Status"},
    "findings": {"nl": "Bevindingen", "en": "Findings"},
    "diff": {"nl": "Verschil met vorige", "en": "Difference from previous"},
    "upload": {"nl": "Scanbestand uploaden", "en": "Upload a scan file"},
    "upload_help": {
        "nl": "Het JSON-bestand dat insurable scan ORG.yaml --out scan.json schreef.",
        "en": "The JSON file that insurable scan ORG.yaml --out scan.json wrote.",
    },
    "file": {"nl": "Scanbestand (JSON)", "en": "Scan file (JSON)"},
    "send": {"nl": "Uploaden", "en": "Upload"},
    "run": {"nl": "Nu scannen vanaf de server", "en": "Scan now from the server"},
    "run_help": {
        "nl": "Domeinen bewijst u met het TXT-record of het /.well-known/-bestand uit insurable scan token; "
        "IP-reeksen alleen met een verklaring.",
        "en": "Prove domains with the TXT record or /.well-known/ file from insurable scan token; "
        "IP ranges only with an attestation.",
    },
    "attest": {
        "nl": "Ik verklaar dat deze organisatie de opgegeven doelen beheert "
        "(vastgelegd met mijn e-mailadres en de tijd).",
        "en": "I attest that this organisation controls the declared targets (recorded with my e-mail and the time).",
    },
    "targets": {"nl": "Alleen deze doelen (optioneel, komma's)", "en": "Only these targets (optional, commas)"},
    "start": {"nl": "Scan starten", "en": "Start the scan"},
    "problems": {"nl": "Dit kon niet:", "en": "This could not be done:"},
    "consent": {"nl": "Toestemming", "en": "Consent"},
    "queued": {
        "nl": "De scan loopt nog. Laad deze pagina zo opnieuw.",
        "en": "The scan is still running. Reload this page shortly.",
    },
    "back": {"nl": "Terug naar de scans", "en": "Back to the scans"},
    "new": {"nl": "Nieuw", "en": "New"},
    "resolved": {"nl": "Opgelost", "en": "Resolved"},
    "unchanged": {"nl": "Ongewijzigd", "en": "Unchanged"},
    "not_rechecked": {"nl": "Niet opnieuw gecontroleerd", "en": "Not checked again"},
    "compared": {"nl": "Scan %(a)s vergeleken met scan %(b)s", "en": "Scan %(a)s compared with scan %(b)s"},
    "no_earlier": {"nl": "Er is geen eerdere afgeronde scan.", "en": "There is no earlier finished scan."},
}
STATUS = {
    "queued": {"nl": "loopt", "en": "running"},
    "done": {"nl": "klaar", "en": "done"},
    "refused": {"nl": "geweigerd", "en": "refused"},
    "failed": {"nl": "mislukt", "en": "failed"},
}
SOURCE = {"upload": {"nl": "upload", "en": "upload"}, "service": {"nl": "server", "en": "server"}}
MAX_UPLOAD_BYTES = 5_000_000


def labels(lang: Lang) -> dict[str, Any]:
    """Everything the scan templates and the findings partial print, in ``lang``."""
    return {
        "L": {k: v[lang] for k, v in LABELS.items()},
        "FL": {k: v.get(lang) for k, v in FINDING_LABELS.items()},
        "FSEV": {k: v.get(lang) for k, v in SEVERITY_TEXT.items()},
        "STATUS": {k: v[lang] for k, v in STATUS.items()},
        "SOURCE": {k: v[lang] for k, v in SOURCE.items()},
    }


def _csrf(ctx: WebOrg) -> str:
    login = ctx.principal.login
    return login.csrf_token if login is not None else ""


def _row(ctx: WebOrg, scan_id: int) -> StoredScan:
    found = scan_repo.scan(ctx.session, ctx.org, scan_id)
    if found is None:
        raise WebError(404, "not_found")
    return found


def _list_page(request: Request, ctx: WebOrg, problems: list[tuple[str, str]] | None = None,
               status_code: int = 200) -> Response:  # fmt: skip
    lang = pick_lang(request)
    rows = list(scan_repo.scans(ctx.session, ctx.org, limit=200))
    done = [r.id for r in rows if r.status == "done"]
    previous = dict(zip(done, done[1:], strict=False))  # newest first: each finished scan -> the one before
    return page(
        request,
        "scans.html",
        status_code=status_code,
        ctx=ctx,
        rows=rows,
        previous=previous,
        can_edit=can(ctx.relation, "edit"),
        can_run=can(ctx.relation, "submit"),
        csrf=_csrf(ctx),
        problems=problems,
        **labels(lang),
    )


@router.get("/orgs/{org_id}/scans", response_class=HTMLResponse)
def scans_page(org_id: OrgId, request: Request) -> Response:
    """The organisation's scan history, with forms to upload a scan file and to run a scan."""
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="scans.list", target="scans")
        return _list_page(request, ctx)


@router.post("/orgs/{org_id}/scans/upload", response_class=HTMLResponse)
async def upload_scan(org_id: OrgId, request: Request) -> Response:
    """Store an uploaded scan file; every problem is shown with its field, and nothing is kept."""
    from insurable.api.scanning import store_upload, validate_upload

    form = await request.form()
    upload = form.get("file")
    content = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
    await form.close()
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        settings = request.app.state.settings
        if not content or len(content) > min(MAX_UPLOAD_BYTES, settings.scan_max_bytes * 2):
            reason = "choose the scan file (JSON)" if not content else f"larger than {settings.scan_max_bytes} bytes"
            return _list_page(request, ctx, [("file", reason)], status_code=422)
        try:
            data = json.loads(content.decode("utf-8"))
            result, digest = validate_upload(data, ctx.org, catalog(request), settings.scan_max_bytes)
            row = store_upload(session, ctx.org, who.user, result, digest)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _list_page(request, ctx, [("file", f"not a JSON scan file: {exc}")], status_code=422)
        except InputError as exc:
            return _list_page(request, ctx, [(p.path, p.reason) for p in exc.problems], status_code=422)
        except ApiProblem as exc:
            return _list_page(request, ctx, [("file", exc.detail)], status_code=exc.status)
        detail = {"hash": digest, "findings": len(result.findings)}
        repo.audit(session, who.user, "scan.upload", org_id=org_id, target=f"scan:{row.id}", detail=detail, via="web")
        session.commit()
        return redirect(f"/orgs/{org_id}/scans/{row.id}")


@router.post("/orgs/{org_id}/scans/run", response_class=HTMLResponse)
async def run_scan(org_id: OrgId, request: Request, background: BackgroundTasks) -> Response:
    """Start a scan of the declared targets from the server (consent gate first), then show it."""
    from fastapi.concurrency import run_in_threadpool

    form = await request.form()
    attest = form.get("attest") == "yes"
    targets = tuple(t.strip() for t in str(form.get("targets") or "").split(",") if t.strip())
    return await run_in_threadpool(_run, org_id, request, background, str(form.get(CSRF_FIELD) or ""), attest, targets)


def _run(org_id: int, request: Request, background: BackgroundTasks, token: str, attest: bool,
         targets: tuple[str, ...]) -> Response:  # fmt: skip
    from insurable.api.scan_runs import run, start
    from insurable.api.scanning import MAX_TARGETS, exposure_of

    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, token)
        ctx = org_for(session, who, org_id, "submit")
        if len(targets) > MAX_TARGETS:
            return _list_page(request, ctx, [("targets", f"at most {MAX_TARGETS}")], status_code=422)
        try:
            row, profile, options = start(
                session, ctx.org, who.user, request.app.state.settings, attest=attest, targets=targets, via="web"
            )
        except InputError as exc:
            return _list_page(request, ctx, [(p.path, p.reason) for p in exc.problems], status_code=422)
        except ApiProblem as exc:
            return _list_page(request, ctx, [("", exc.detail)], status_code=exc.status)
        background.add_task(run, request.app.state.sessions, row.id, profile, exposure_of(catalog(request)), options)
        return redirect(f"/orgs/{org_id}/scans/{row.id}")


@router.get("/orgs/{org_id}/scans/{scan_id}", response_class=HTMLResponse)
def scan_page(org_id: OrgId, scan_id: ScanId, request: Request) -> Response:
    """One scan: consent, findings (worst first) and contradictions with the current answers."""
    from insurable.api.scanning import exposure_of, parsed_result
    from insurable.reports.findings import findings_section

    lang = pick_lang(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        row = _row(ctx, scan_id)
        repo.audit(session, ctx.user, "scan.view", org_id=org_id, target=f"scan:{row.id}", via="web")
        session.commit()
        result = parsed_result(row)
        section = None
        if result is not None:
            cat = catalog(request)
            answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
            section = findings_section(
                result, answers, cat, exposure_of(cat), scan_id=row.id, source=row.source,
                content_hash=row.content_hash, used=True,
            )  # fmt: skip
        previous = scan_repo.latest_done(session, ctx.org, before=row.id)
        return page(
            request,
            "scan.html",
            ctx=ctx,
            row=row,
            scan_section=section,
            scan_page=True,
            previous=previous.id if previous is not None and row.status == "done" else None,
            **labels(lang),
        )


@router.get("/orgs/{org_id}/scans/{scan_id}/diff", response_class=HTMLResponse)
def diff_page(
    org_id: OrgId, scan_id: ScanId, request: Request, against: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Response:
    """What changed from scan ``against`` (default: the previous finished scan) to this one."""
    from insurable.api.scanning import exposure_of, parsed_result
    from insurable.evidence import diff_scans

    lang = pick_lang(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        after = _row(ctx, scan_id)
        before = _row(ctx, against) if against is not None else scan_repo.latest_done(session, ctx.org, before=after.id)
        old = parsed_result(before) if before is not None else None
        new = parsed_result(after)
        diff = diff_scans(old, new) if old is not None and new is not None else None
        if before is not None:
            target = f"scan:{before.id},{after.id}"
            repo.audit(session, ctx.user, "scan.diff", org_id=org_id, target=target, via="web")
            session.commit()
        checks = exposure_of(catalog(request)).by_id()
        names = {cid: c.name.get(lang) for cid, c in checks.items()}
        return page(
            request, "scan_diff.html", ctx=ctx, before=before, after=after, diff=diff, names=names, **labels(lang)
        )


def scan_report_context(ctx: WebOrg, row: Any, cat: Any, lang: Lang) -> dict[str, Any]:
    """What ``_findings.html`` needs on the results page and in the board report."""
    from insurable.api.scanning import report_section

    labelled = labels(lang)
    return {
        "scan_section": report_section(ctx.session, ctx.org, row, cat),
        "FL": labelled["FL"],
        "FSEV": labelled["FSEV"],
    }


def scan_report_json(ctx: WebOrg, row: Any, cat: Any) -> dict[str, Any] | None:
    """The findings section in the JSON report: which scan, whether it was used, findings, contradictions."""
    from insurable.api.scanning import report_section

    section = report_section(ctx.session, ctx.org, row, cat)
    return section.model_dump(mode="json") if section is not None else None
