"""Submitting, the results page, the report (HTML and PDF from one template, and JSON) and the
side-by-side comparison of two assessments of one organisation."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from insurable.api.deps import MAX_ID
from insurable.api.headers import document_csp
from insurable.api.problems import ApiProblem
from insurable.api.routes import assessments as api_assessments
from insurable.catalog.loader import Catalog
from insurable.errors import InputError
from insurable.store import repo
from insurable.store.models import Assessment as Row
from insurable.text import Lang
from insurable.underwriting import VERDICT_ORDER, Assessment
from insurable.web import diff, engine_messages, forms
from insurable.web.app_support import catalog, db, redirect
from insurable.web.charts import exceedance_svg, retained_insured_svg
from insurable.web.i18n import Formatter, _, gettext, pick_lang
from insurable.web.labels import CONTROL_STATES, NIS2_CLASSES, VERDICTS
from insurable.web.pages import _csrf, _lists
from insurable.web.render import page, render_string
from insurable.web.scans import scan_report_context, scan_report_json
from insurable.web.session import CSRF_FIELD, WebError, WebOrg, check_csrf, org_for, require
from insurable.web.summary import summarise

router = APIRouter(include_in_schema=False)
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
AssessmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/orgs/{org_id}/submit")
async def submit(org_id: OrgId, request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, org_id, request, _lists(form))


def _submit(org_id: int, request: Request, form: dict[str, list[str]]) -> Response:
    """Assess through the API's own submit handler: one snapshot, one audit line."""
    cat = catalog(request)
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, (form.get(CSRF_FIELD) or [""])[-1])
        ctx = org_for(session, who, org_id, "submit")
        api_ctx = _api_context(ctx)
        try:
            created = api_assessments.submit(request, api_ctx)
        except InputError as exc:
            session.rollback()
            answers = {a.question_id: a.value for a in repo.answers(session, ctx.org)}
            return page(
                request,
                "overview.html",
                status_code=422,
                ctx=ctx,
                progress=forms.progress(cat, ctx.org.profile, answers),
                missing=[(m, engine_messages.field_label(m, cat)) for m in forms.missing_profile(ctx.org.profile)],
                history=repo.assessments(session, ctx.org, limit=50),
                can_submit=True,
                csrf=_csrf(ctx),
                problems=[engine_messages.problem(p.path, p.reason, cat) for p in exc.problems],
            )
        except ApiProblem as exc:
            raise WebError(exc.status, "forbidden") from exc
        return redirect(f"/orgs/{org_id}/assessments/{created.id}")


def _api_context(ctx: WebOrg) -> Any:
    from insurable.api.deps import OrgContext

    return OrgContext(session=ctx.session, principal=ctx.principal, org=ctx.org, relation=ctx.relation)


# --- reading a snapshot ---------------------------------------------------------------------------


def _row(ctx: WebOrg, assessment_id: int) -> Row:
    found = repo.assessment(ctx.session, ctx.org, assessment_id)
    if found is None:
        raise WebError(404, "not_found")
    return found


def parsed(row: Row) -> Assessment | None:
    try:
        return Assessment.model_validate(row.result)
    except ValidationError:
        return None


@lru_cache(maxsize=64)
def _curves(input_json: str, result_json: str, catalog_key: int) -> dict[str, list[tuple[float, float]]] | None:
    """The exceedance curves behind a snapshot's loss section: the same simulation (terms, trials and
    seed as stored), so the chart and the table agree; ``None`` when it cannot be re-run."""
    from insurable.lossmodel.section import simulate_assessment
    from insurable.profile import parse_organisation

    cat = _CATALOGS.get(catalog_key)
    if cat is None or "perils.yaml" not in cat.files:
        return None
    try:
        org = parse_organisation(json.loads(input_json))
        a = Assessment.model_validate_json(result_json)
        loss = a.loss or {}
        report = simulate_assessment(org, cat, a, trials=int(loss.get("trials") or 20_000), seed=loss.get("seed"))
    except (InputError, ValueError, TypeError):
        return None

    def pts(curve: Any) -> list[tuple[float, float]]:
        return [(p.return_period, p.loss) for p in curve]

    return {
        "ground_up": pts(report.exceedance_curve),
        "insured": pts(report.insured.exceedance_curve),
        "retained": pts(report.retained.exceedance_curve),
    }


def lec_chart(request: Request, row: Row, lang: Lang) -> str | None:
    """The loss exceedance chart of a snapshot in ``lang`` (1 to 250 years, no seed in sight)."""
    cat = catalog(request)
    _CATALOGS[id(cat)] = cat
    curves = _curves(json.dumps(row.input, sort_keys=True), json.dumps(row.result, sort_keys=True), id(cat))
    if not curves:
        return None
    labels = {
        "title": gettext(lang, _("How large a bad year can get")),
        "x": gettext(lang, _("Once in so many years (log scale)")),
        "ground_up": gettext(lang, _("Total loss")),
        "insured": gettext(lang, _("Insurer pays")),
        "retained": gettext(lang, _("You pay")),
    }
    return exceedance_svg(curves, Formatter(lang), labels)


_CATALOGS: dict[int, Catalog] = {}


def report_context(request: Request, ctx: WebOrg, row: Row, lang: Lang, charts: bool = True) -> dict[str, Any]:
    cat = catalog(request)
    a = parsed(row)
    fmt = Formatter(lang)
    lec = ri = None
    if a is not None and charts:
        lec = lec_chart(request, row, lang) if a.loss else None
        options = (a.loss or {}).get("deductible_options") or []
        if options:
            ri = retained_insured_svg(
                options,
                fmt,
                {
                    "title": gettext(lang, _("Expected annual loss: retained versus insured, per deductible")),
                    "retained": gettext(lang, _("Retained (you pay)")),
                    "insured": gettext(lang, _("Insured (the insurer pays)")),
                    "deductible": gettext(lang, _("Deductible per claim")),
                    "chosen": gettext(lang, _("offered")),
                },
                chosen=a.deductible_eur,
            )
    duties = {}
    entity_types = {}
    if a is not None and a.nis2 and "nis2.yaml" in cat.files:
        from insurable.catalog.nis2 import Nis2File

        nis2_file = cat.get("nis2.yaml", Nis2File)
        duties = {d.id: d for d in nis2_file.duties}
        entity_types = {t.id: t for t in nis2_file.entity_types}
    return {
        "ctx": ctx,
        "org": ctx.org,
        "row": row,
        "a": a,
        "verdicts": VERDICTS,
        "control_states": CONTROL_STATES,
        "nis2_classes": NIS2_CLASSES,
        "duties": duties,
        "entity_types": entity_types,
        "lec_svg": lec,
        "ri_svg": ri,
        "plan": _plan(a),
        "summary": summarise(a, duties, fmt) if a is not None else None,
        "legal_basis": legal_basis(a.nis2 if a is not None else None, entity_types, lang),
        **scan_report_context(ctx, row, cat, lang),  # the outside-in scan's findings (issue 16)
    }


_ANNEX_ENTRY = re.compile(r"^Annex (I|II), .*\(([\w.]+)\)$")


def legal_basis(nis2: dict[str, Any] | None, entity_types: dict[str, Any], lang: Lang) -> list[str]:
    """The NIS2 legal basis in the interface language (issue 12, item 7): the engine writes the
    Annex entries and the size test in English; article references read the same in both."""
    from insurable.nis2.scope import SIZE_BASIS

    fmt = Formatter(lang)
    out = []
    for entry in (nis2 or {}).get("legal_basis") or []:
        found = _ANNEX_ENTRY.match(entry)
        et = entity_types.get(found.group(2)) if found else None
        if entry == SIZE_BASIS:
            out.append(gettext(lang, _(SIZE_BASIS_TEXT)))
        elif et is not None:
            sub = f", {fmt.text(et.subsector)}" if et.subsector is not None else ""
            annex = gettext(lang, _("Annex %(n)s")) % {"n": et.annex}
            out.append(f"{annex}, {fmt.text(et.sector)}{sub}: {fmt.text(et.name)}")
        else:
            out.append(entry)
    return out


#: insurable.nis2.scope.SIZE_BASIS as an interface message (the engine keeps its English text).
SIZE_BASIS_TEXT = _("Recommendation 2003/361/EC Annex Art. 2, 3 and 6 via NIS2 Art. 2(1) (Annex Art. 3(4) disapplied)")


def _plan(a: Assessment | None) -> list[Any]:
    """The improvement plan by effect: a better verdict first, then the largest premium saving."""
    if a is None:
        return []
    order = {v: i for i, v in enumerate(VERDICT_ORDER)}
    return sorted(
        a.plan,
        key=lambda p: (
            order[p.verdict_after] - order[p.verdict_before],
            p.premium_delta_eur if p.premium_delta_eur is not None else 0.0,
            p.deductible_after_eur - p.deductible_before_eur,
        ),
    )


@router.get("/orgs/{org_id}/assessments/{assessment_id}", response_class=HTMLResponse)
def results(org_id: OrgId, assessment_id: AssessmentId, request: Request) -> Response:
    lang = pick_lang(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        row = _row(ctx, assessment_id)
        repo.audit(session, ctx.user, "assessment.view", org_id=org_id, target=f"assessment:{row.id}", via="web")
        session.commit()
        return page(request, "results.html", lang=lang, csrf=_csrf(ctx), **report_context(request, ctx, row, lang))


@router.get("/orgs/{org_id}/assessments/{assessment_id}/report.{kind}")
def report(org_id: OrgId, assessment_id: AssessmentId, kind: str, request: Request) -> Response:
    """The board report as HTML, tagged PDF (one template, ``report.html``; WeasyPrint makes a PDF/UA-1
    file), editable DOCX (python-docx, the same content) or the data as JSON."""
    if kind not in ("html", "pdf", "json", "docx"):
        raise WebError(404, "not_found")
    lang = pick_lang(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        row = _row(ctx, assessment_id)
        repo.audit(session, ctx.user, f"report.{kind}", org_id=org_id, target=f"assessment:{row.id}", via="web")
        session.commit()
        name = report_name(ctx.org.name, row, lang)
        if kind == "json":
            body = {
                "assessment_id": row.id,
                "organisation": ctx.org.name,
                "submitted_at": row.submitted_at.isoformat(),
                "engine_version": row.engine_version,
                "catalog_versions": row.catalog_versions,
                "input": row.input,
                "result": row.result,
                "scan": scan_report_json(ctx, row, catalog(request)),  # issue 16
            }
            return Response(
                json.dumps(body, ensure_ascii=False, indent=2),
                media_type="application/json",
                headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
            )
        values = report_context(request, ctx, row, lang)
        if kind == "docx":
            from insurable.web.docx_report import build_docx  # python-docx loads lxml: only when asked

            return Response(
                build_docx(values, lang),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                headers={"Content-Disposition": f'attachment; filename="{name}.docx"', "Content-Language": lang},
            )
        html = render_string(lang, "report.html", board=True, **values)
        if kind == "html":
            return Response(
                html,
                media_type="text/html; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="{name}.html"',
                    "Content-Language": lang,
                    # a standalone document with its own stylesheet, admitted by hash (docs/security.md)
                    "Content-Security-Policy": document_csp(html),
                },
            )
        from weasyprint import HTML  # imported when first needed: it loads Pango

        pdf = HTML(string=html, base_url=str(request.base_url)).write_pdf(pdf_variant="pdf/ua-1")
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"', "Content-Language": lang},
        )


def report_name(org_name: str, row: Row, lang: Lang) -> str:
    """A file name that says what it is: ``cyberverzekerbaarheid-bakkerij-de-korenaar-2026-12-01-7``."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", org_name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "organisation"
    what = gettext(lang, _("cyber-insurability"))
    return f"{what}-{slug}-{row.submitted_at.date().isoformat()}-{row.id}"


@router.get("/orgs/{org_id}/compare", response_class=HTMLResponse)
def compare(
    org_id: OrgId,
    request: Request,
    a: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    b: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Two assessments of the same organisation side by side (default: the latest two)."""
    lang = pick_lang(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        history = list(repo.assessments(session, ctx.org, limit=200))
        if a is None or b is None:
            if len(history) < 2:
                return page(
                    request, "compare.html", ctx=ctx, history=history, left=None, right=None, rows=[], csrf=_csrf(ctx)
                )
            b, a = history[0].id, history[1].id
        left, right = _row(ctx, a), _row(ctx, b)
        rows = _comparison(parsed(left), parsed(right), left, right)
        repo.audit(session, ctx.user, "assessment.compare", org_id=org_id, target=f"assessment:{a},{b}", via="web")
        session.commit()
        return page(
            request,
            "compare.html",
            lang=lang,
            ctx=ctx,
            history=history,
            left=left,
            right=right,
            rows=rows,
            la=parsed(left),
            ra=parsed(right),
            csrf=_csrf(ctx),
            answers=diff.answer_changes(left.input, right.input, catalog(request), Formatter(lang)),
            reasons=diff.reason_changes(parsed(left), parsed(right)),
        )


def _comparison(la: Assessment | None, ra: Assessment | None, left: Row, right: Row) -> list[dict[str, Any]]:
    """One row per figure: label (msgid), left value, right value, kind of value and whether it changed."""

    def pick(a: Assessment | None, row: Row, what: str) -> Any:
        if a is None:
            return row.verdict if what == "verdict" else None
        return {
            "verdict": a.verdict,
            "premium": a.premium.point_eur if a.premium else None,
            "deductible": a.deductible_eur,
            "limit": a.limit_offered_eur,
            "max_limit": a.max_limit_eur,
            "exclusions": len(a.exclusions),
            "subjectivities": len(a.subjectivities),
            "controls_in_place": sum(1 for c in a.controls if c.status == "in_place"),
            "nis2": (a.nis2 or {}).get("classification"),
            "mean_loss": (a.loss or {}).get("mean_annual_loss"),
        }[what]

    rows = []
    for what, label, kind in (
        ("verdict", _("Verdict"), "verdict"),
        ("premium", _("Indicative annual premium"), "money"),
        ("deductible", _("Deductible"), "money"),
        ("limit", _("Limit offered"), "money"),
        ("max_limit", _("Maximum limit one insurer offers"), "money"),
        ("exclusions", _("Exclusions"), "number"),
        ("subjectivities", _("Conditions to meet"), "number"),
        ("controls_in_place", _("Controls in place"), "number"),
        ("nis2", _("NIS2 classification"), "nis2"),
        ("mean_loss", _("Expected annual loss"), "money"),
    ):
        lv, rv = pick(la, left, what), pick(ra, right, what)
        rows.append({"label": label, "left": lv, "right": rv, "kind": kind, "changed": lv != rv})
    return rows


def answers_changed(left: Row, right: Row) -> list[tuple[str, Any, Any]]:
    la, ra = left.input.get("answers") or {}, right.input.get("answers") or {}
    return [(k, la.get(k), ra.get(k)) for k in sorted(set(la) | set(ra)) if la.get(k) != ra.get(k)]
