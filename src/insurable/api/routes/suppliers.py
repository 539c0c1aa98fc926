"""The supplier chain over HTTP (docs/suppliers.md): a client's register, requirements, status and
alerts, requests to suppliers, import/export and kept documents. The supplier's own side
(``/me/supplier-requests``, sign-up) is :mod:`insurable.api.routes.supplier_requests`. The module is
about 500 lines because each route is a thin use case over the pure :mod:`insurable.suppliers`
core, and the web pages call these same functions (one rule, two front ends).

Client routes go through ``org_scope`` like every organisation route; changing the register needs
an owner or member of the client (or an administrator): brokers and underwriters may read it when
the client shared the organisation with them. A supplier sees only the requests addressed to its
own e-mail and decides per request what it shares: nothing, a summary or the full assessment of one
of its own organisations. Revoking takes effect at once; each step has an audit line in both trails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from insurable.api.deps import MAX_ID, EditOrg, OrgContext, ReadOrg
from insurable.api.problems import ApiProblem
from insurable.api.security import new_token, token_hash
from insurable.catalog.loader import Catalog, default_directory
from insurable.catalog.supplier_requirements import SupplierRequirementsFile, TierId
from insurable.catalog.yamlio import read_yaml
from insurable.errors import InputError, Problem
from insurable.store import repo
from insurable.store.models import Assessment, Organisation
from insurable.store.supplier_models import SupplierDocument, SupplierRequest, SupplierRow, SupplierSettings
from insurable.store.types import utcnow
from insurable.suppliers import alerts, concentrations, evaluate, message, state_of
from insurable.suppliers.concentration import vendor_names
from insurable.suppliers.model import SUMMARY_ANSWERS, Register, RequirementsOverride, SharedAssessment, Supplier
from insurable.suppliers.register_io import export_rows, merge_rows, read_csv, read_xlsx, write_csv, write_xlsx
from insurable.suppliers.status import STATUS_ORDER, SupplierStatus

router = APIRouter(tags=["suppliers"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
AsOf = Annotated[dt.date | None, Query(description="evaluate on this date (default: today, UTC)")]
MANAGERS = ("owner", "member", "admin")
#: How long the sign-up link in a request e-mail works.
SIGNUP_VALID = dt.timedelta(days=14)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requirements: dict[TierId, RequirementsOverride] = Field(default_factory=dict)
    alert_emails: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]] = Field(
        default_factory=list, max_length=20
    )
    language: Literal["nl", "en"] = "nl"


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


def _manage(ctx: OrgContext) -> None:
    if ctx.relation not in MANAGERS:
        raise ApiProblem(403, "only the client's owners and members manage its supplier register")


def catalogue_of(request: Request) -> SupplierRequirementsFile:
    """The service catalogue's supplier requirements; the packaged ones when it has none."""
    catalog: Catalog = request.app.state.catalog()
    found = catalog.files.get("supplier_requirements.yaml")
    return found if isinstance(found, SupplierRequirementsFile) else _packaged()


def names_of(request: Request) -> dict[str, dict[str, str]]:
    """Vendor names of the questionnaire's vendor options (an option id and its name are one vendor)."""
    catalog: Catalog = request.app.state.catalog()
    return vendor_names(catalog.questionnaire.by_id()) if "questionnaire.yaml" in catalog.files else {}


@cache
def _packaged() -> SupplierRequirementsFile:
    path = default_directory() / "supplier_requirements.yaml"
    return SupplierRequirementsFile.model_validate(read_yaml(path))


def _settings(session: Session, org_id: int) -> SupplierSettings:
    found = session.get(SupplierSettings, org_id)
    if found is None:
        found = SupplierSettings(org_id=org_id, requirements={}, alert_emails=[], language="nl", alert_state={})
        session.add(found)
        session.flush()
    return found


def _row(session: Session, org_id: int, supplier_id: int) -> SupplierRow:
    row = session.scalar(select(SupplierRow).where(SupplierRow.org_id == org_id, SupplierRow.id == supplier_id))
    if row is None:
        raise ApiProblem(404, "no such supplier")
    return row


def _shared(session: Session, row: SupplierRow) -> tuple[SharedAssessment | None, Assessment | None]:
    """What the supplier shares with this client now (its latest assessment), or nothing."""
    answer = session.scalar(
        select(SupplierRequest)
        .where(SupplierRequest.supplier_id == row.id, SupplierRequest.level.is_not(None))
        .where(SupplierRequest.revoked_at.is_(None), SupplierRequest.supplier_org_id.is_not(None))
        .order_by(SupplierRequest.shared_at.desc())
    )
    if answer is None or answer.supplier_org_id is None or answer.level not in ("summary", "full"):
        return None, None
    latest = session.scalar(
        select(Assessment).where(Assessment.org_id == answer.supplier_org_id).order_by(Assessment.submitted_at.desc())
    )
    if latest is None:
        return None, None
    result: dict[str, Any] = latest.result
    controls = [c for c in result.get("controls", []) if isinstance(c, dict)]
    given = latest.input.get("answers", {})
    answers: dict[str, Any] = given if isinstance(given, dict) else {}
    nis2 = result.get("nis2")
    level: Literal["summary", "full"] = "full" if answer.level == "full" else "summary"
    shared = SharedAssessment(
        level=level,
        assessed=latest.submitted_at.date(),
        verdict=latest.verdict or "unknown",
        nis2=str(nis2.get("classification", "not_assessed")) if isinstance(nis2, dict) else "not_assessed",
        controls_in_place=tuple(str(c.get("control_id")) for c in controls if c.get("status") == "in_place"),
        controls_missing=tuple(str(c.get("control_id")) for c in controls if c.get("status") in ("missing", "partial")),
        answers={k: v for k, v in answers.items() if level == "full" or k in SUMMARY_ANSWERS},
        reference=f"assessment:{latest.id}",
    )
    return shared, latest


def _register(session: Session, org: Organisation) -> tuple[Register, dict[str, SupplierRow]]:
    settings = _settings(session, org.id)
    rows = session.scalars(select(SupplierRow).where(SupplierRow.org_id == org.id).order_by(SupplierRow.id)).all()
    suppliers = []
    for row in rows:
        shared, _ = _shared(session, row)
        suppliers.append(Supplier.model_validate({**row.data, "shared": shared}))
    register = Register(
        client=org.name,
        language="en" if settings.language == "en" else "nl",
        requirements=settings.requirements,
        suppliers=tuple(suppliers),
    )
    return register, {row.key: row for row in rows}


def _out(status: SupplierStatus, row: SupplierRow) -> dict[str, Any]:
    return {"supplier_id": row.id, **status.as_dict()}


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.datetime.now(dt.UTC).date()


def statuses_for(
    request: Request, session: Session, org: Organisation, day: dt.date
) -> tuple[Register, dict[str, SupplierRow], list[SupplierStatus]]:
    """The client's register, its rows by supplier id, and every status on ``day``, worst first."""
    register, rows = _register(session, org)
    catalogue = catalogue_of(request)
    statuses = [evaluate(catalogue, register, s, day) for s in register.suppliers]
    statuses.sort(key=lambda r: (STATUS_ORDER.index(r.status), r.supplier.name.casefold()))
    return register, rows, statuses


@router.get("/organisations/{org_id}/suppliers")
def list_suppliers(request: Request, ctx: ReadOrg, as_of: AsOf = None) -> dict[str, Any]:
    """The register with each supplier's status and reasons, worst first, and the concentrations."""
    day = _today(as_of)
    register, rows, statuses = statuses_for(request, ctx.session, ctx.org, day)
    ctx.audit("suppliers.list", target="suppliers")
    ctx.session.commit()
    return {
        "as_of": day.isoformat(),
        "counts": {k: sum(1 for s in statuses if s.status == k) for k in STATUS_ORDER},
        "action_needed": any(s.status != "compliant" for s in statuses),
        "suppliers": [_out(s, rows[s.supplier.id]) for s in statuses],
        "concentration": [c.as_dict() for c in concentrations(register.suppliers, names=names_of(request))],
        "indicative": True,
    }


@router.post("/organisations/{org_id}/suppliers", status_code=201)
def create_supplier(body: Supplier, ctx: EditOrg) -> dict[str, Any]:
    """Add a supplier to the register (its id must be new in this register)."""
    _manage(ctx)
    exists = ctx.session.scalar(
        select(SupplierRow.id).where(SupplierRow.org_id == ctx.org.id, SupplierRow.key == body.id)
    )
    if exists is not None:
        raise InputError([Problem("id", f"a supplier with id {body.id!r} is already in the register")])
    data = body.model_dump(mode="json", exclude={"shared"})
    row = SupplierRow(org_id=ctx.org.id, key=body.id, name=body.name, data=data)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("supplier.create", target=f"supplier:{row.id}", detail={"key": body.id, "tier": body.tier})
    ctx.session.commit()
    return {"supplier_id": row.id, **data}


@router.get("/organisations/{org_id}/suppliers/{supplier_id}")
def read_supplier(supplier_id: Id, request: Request, ctx: ReadOrg, as_of: AsOf = None) -> dict[str, Any]:
    """One supplier: its record, evidence, status with reasons, and what it shares with you."""
    row = _row(ctx.session, ctx.org.id, supplier_id)
    register, _, statuses = statuses_for(request, ctx.session, ctx.org, _today(as_of))
    status = next(s for s in statuses if s.supplier.id == row.key)
    shared, snapshot = _shared(ctx.session, row)
    out: dict[str, Any] = {**_out(status, row), "record": row.data, "shared": None}
    if shared is not None and snapshot is not None:
        out["shared"] = shared.model_dump(mode="json")
        if shared.level == "full":
            out["shared"]["assessment"] = snapshot.result
        repo.audit(
            ctx.session,
            ctx.user,
            "supplier.shared_view",
            org_id=snapshot.org_id,
            target=f"assessment:{snapshot.id}",
            detail={"client": ctx.org.id, "level": shared.level},
            via=ctx.principal.via,
        )
    ctx.audit("supplier.view", target=f"supplier:{row.id}")
    ctx.session.commit()
    return out


@router.put("/organisations/{org_id}/suppliers/{supplier_id}")
def replace_supplier(supplier_id: Id, body: Supplier, ctx: EditOrg) -> dict[str, Any]:
    """Replace a supplier's record and evidence (certificates of insurance as confirmed by you)."""
    _manage(ctx)
    row = _row(ctx.session, ctx.org.id, supplier_id)
    if body.id != row.key:
        clash = ctx.session.scalar(
            select(SupplierRow.id).where(SupplierRow.org_id == ctx.org.id, SupplierRow.key == body.id)
        )
        if clash is not None:
            raise InputError([Problem("id", f"a supplier with id {body.id!r} is already in the register")])
    row.key, row.name, row.data, row.updated_at = (
        body.id,
        body.name,
        body.model_dump(mode="json", exclude={"shared"}),
        utcnow(),
    )
    ctx.audit("supplier.update", target=f"supplier:{row.id}", detail={"key": body.id, "tier": body.tier})
    ctx.session.commit()
    return {"supplier_id": row.id, **row.data}


@router.delete("/organisations/{org_id}/suppliers/{supplier_id}", status_code=204)
def delete_supplier(supplier_id: Id, ctx: EditOrg) -> None:
    _manage(ctx)
    row = _row(ctx.session, ctx.org.id, supplier_id)
    ctx.session.delete(row)
    ctx.audit("supplier.delete", target=f"supplier:{supplier_id}", detail={"key": row.key})
    ctx.session.commit()


@router.get("/organisations/{org_id}/supplier-settings")
def read_settings(ctx: ReadOrg) -> dict[str, Any]:
    """Your own requirements per tier (over the catalogue defaults), alert recipients and language."""
    s = _settings(ctx.session, ctx.org.id)
    out = {"requirements": s.requirements, "alert_emails": s.alert_emails, "language": s.language}
    ctx.session.commit()
    return out


@router.put("/organisations/{org_id}/supplier-settings")
def write_settings(body: SettingsIn, ctx: EditOrg) -> dict[str, Any]:
    _manage(ctx)
    s = _settings(ctx.session, ctx.org.id)
    s.requirements = {k: v.model_dump(mode="json", exclude_none=True) for k, v in body.requirements.items()}
    s.alert_emails, s.language, s.updated_at = list(body.alert_emails), body.language, utcnow()
    ctx.audit("supplier.settings", target="supplier-settings", detail={"tiers": sorted(body.requirements)})
    ctx.session.commit()
    return {"requirements": s.requirements, "alert_emails": s.alert_emails, "language": s.language}


def _mailer(request: Request) -> Any:
    from insurable.mail import mailer_from_env

    return getattr(request.app.state, "mailer", None) or mailer_from_env(os.environ)


@router.post("/organisations/{org_id}/suppliers/{supplier_id}/requests", status_code=202)
def request_supplier(supplier_id: Id, body: RequestIn, request: Request, ctx: EditOrg) -> dict[str, Any]:
    """Ask a supplier (by e-mail) to answer the questionnaire and share its assessment with you.

    The supplier's account with that e-mail sees the request under ``/me/supplier-requests``; you
    learn nothing about whether that account exists. An e-mail with the link goes out when SMTP is
    configured (``mailed``).
    """
    _manage(ctx)
    row = _row(ctx.session, ctx.org.id, supplier_id)
    email = body.email.strip().lower()
    found = ctx.session.scalar(
        select(SupplierRequest).where(SupplierRequest.supplier_id == row.id, SupplierRequest.email == email)
    )
    if found is None:
        found = SupplierRequest(org_id=ctx.org.id, supplier_id=row.id, email=email, invited_by=ctx.user.id)
        ctx.session.add(found)
        ctx.session.flush()
    ctx.audit("supplier.request", target=f"supplier:{row.id}", detail={"request": found.id})
    ctx.session.commit()
    settings = _settings(ctx.session, ctx.org.id)
    lang: Literal["nl", "en"] = "en" if settings.language == "en" else "nl"
    mailer = _mailer(request)
    if mailer is not None:
        from insurable.suppliers.invite import invitation_message

        token = new_token()
        found.signup_token_hash = token_hash(token)
        found.signup_expires_at = utcnow() + SIGNUP_VALID
        ctx.session.commit()
        base = str(request.base_url).rstrip("/")
        subject, text = invitation_message(ctx.org.name, row.name, base, lang, f"{base}/supplier-signup?token={token}")
        mailer.send([email], subject, text, lang)
    return {"request_id": found.id, "mailed": mailer is not None}


@router.post("/organisations/{org_id}/suppliers/alerts")
def run_alerts(request: Request, ctx: EditOrg, as_of: AsOf = None) -> dict[str, Any]:
    """Raise the alerts that are new since the last run (90/60/30 days, new gaps); e-mail them to the
    alert recipients when SMTP is configured; remember what was reported."""
    _manage(ctx)
    day = _today(as_of)
    register, _, statuses = statuses_for(request, ctx.session, ctx.org, day)
    settings = _settings(ctx.session, ctx.org.id)
    found = alerts(settings.alert_state or None, statuses)
    mailed: list[str] = []
    mailer = _mailer(request)
    if found and settings.alert_emails and mailer is not None:
        lang: Literal["nl", "en"] = "en" if settings.language == "en" else "nl"
        subject, text = message(
            register.client,
            found,
            day,
            lang,
            link=f"{str(request.base_url).rstrip('/')}/organisations/{ctx.org.id}/suppliers",
        )
        mailer.send(settings.alert_emails, subject, text, lang)
        mailed = list(settings.alert_emails)
    settings.alert_state = state_of(statuses)
    ctx.audit("supplier.alerts", target="suppliers", detail={"alerts": len(found), "mailed": len(mailed)})
    ctx.session.commit()
    return {"as_of": day.isoformat(), "alerts": [a.as_dict() for a in found], "mailed_to": mailed}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the register as CSV or XLSX",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/organisations/{org_id}/suppliers-export", response_class=Response, responses=EXPORT_RESPONSES)
def export_register(
    request: Request, ctx: ReadOrg, format: Annotated[Literal["csv", "xlsx"], Query()] = "csv", as_of: AsOf = None
) -> Response:
    """The register as CSV or XLSX, with each supplier's status and reasons."""
    register, _, statuses = statuses_for(request, ctx.session, ctx.org, _today(as_of))
    rows = export_rows(register, statuses, register.language)
    ctx.audit("suppliers.export", target="suppliers", detail={"format": format})
    ctx.session.commit()
    if format == "xlsx":
        return Response(
            write_xlsx(rows), media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="suppliers.xlsx"'}
        )
    return Response(
        write_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="suppliers.csv"'},
    )


OCTETS = "application/octet-stream"
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": f"CSV (text/csv) or an XLSX workbook ({OCTETS}, or {XLSX})",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            OCTETS: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post("/organisations/{org_id}/suppliers-import", openapi_extra=IMPORT_BODY)
async def import_register(request: Request, ctx: EditOrg) -> dict[str, Any]:
    """Add or update suppliers from a CSV or XLSX file (the register columns, one row per supplier),
    by supplier id; evidence already recorded is kept. Every bad cell is named (row, column), 422."""
    data = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return await run_in_threadpool(import_rows, data, kind, ctx)


def import_rows(data: bytes, kind: str, ctx: OrgContext) -> dict[str, Any]:
    _manage(ctx)
    if kind not in ("text/csv", XLSX, OCTETS):
        raise ApiProblem(415, f"send text/csv, or an XLSX workbook as {OCTETS} or {XLSX}")
    if kind == OCTETS:
        kind = XLSX
    rows, header = read_xlsx(data, "upload") if kind == XLSX else read_csv(data, "upload")
    register, existing = _register(ctx.session, ctx.org)
    merged = merge_rows(register, rows, header, "upload")
    added = updated = 0
    for supplier in merged.suppliers:
        stored = supplier.model_dump(mode="json", exclude={"shared"})
        row = existing.get(supplier.id)
        if row is None:
            ctx.session.add(SupplierRow(org_id=ctx.org.id, key=supplier.id, name=supplier.name, data=stored))
            added += 1
        elif row.data != stored:
            row.name, row.data, row.updated_at = supplier.name, stored, utcnow()
            updated += 1
    ctx.audit("suppliers.import", target="suppliers", detail={"rows": len(rows), "added": added, "updated": updated})
    ctx.session.commit()
    return {"rows": len(rows), "added": added, "updated": updated}


PDF_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": f"the PDF, as application/pdf or {OCTETS}",
        "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}},
    }
}
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the PDF as uploaded",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/organisations/{org_id}/suppliers/{supplier_id}/documents", status_code=201, openapi_extra=PDF_BODY)
async def upload_document(
    supplier_id: Id,
    request: Request,
    ctx: EditOrg,
    filename: Annotated[str, Query(min_length=1, max_length=200)] = "document.pdf",
) -> dict[str, Any]:
    """Keep a PDF (a certificate of insurance, an ISO 27001 certificate, ...) with the supplier; refer
    to it from a certificate's ``document`` as ``document:<id>`` after confirming its values."""
    data = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return await run_in_threadpool(_upload, supplier_id, data, kind, filename, ctx)


def _upload(supplier_id: int, data: bytes, kind: str, filename: str, ctx: OrgContext) -> dict[str, Any]:
    _manage(ctx)
    row = _row(ctx.session, ctx.org.id, supplier_id)
    if kind not in ("application/pdf", OCTETS):
        raise ApiProblem(415, f"send the document as application/pdf or {OCTETS}")
    if not data.startswith(b"%PDF-"):
        raise InputError([Problem("body", "not a PDF (it does not start with %PDF-)")])
    digest = hashlib.sha256(data).hexdigest()
    doc = SupplierDocument(
        org_id=ctx.org.id, supplier_id=row.id, filename=filename, sha256=digest, content=data, uploaded_by=ctx.user.id
    )
    ctx.session.add(doc)
    ctx.session.flush()
    ctx.audit("supplier.document", target=f"supplier:{row.id}", detail={"document": doc.id, "sha256": digest})
    ctx.session.commit()
    return {"document": f"document:{doc.id}", "sha256": digest, "bytes": len(data)}


@router.get(
    "/organisations/{org_id}/suppliers/{supplier_id}/documents/{document_id}",
    response_class=Response,
    responses=PDF_RESPONSE,
)
def read_document(supplier_id: Id, document_id: Id, ctx: ReadOrg) -> Response:
    """A kept document, as uploaded."""
    doc = ctx.session.scalar(
        select(SupplierDocument).where(
            SupplierDocument.id == document_id,
            SupplierDocument.org_id == ctx.org.id,
            SupplierDocument.supplier_id == supplier_id,
        )
    )
    if doc is None:
        raise ApiProblem(404, "no such document")
    ctx.audit("supplier.document_view", target=f"document:{doc.id}")
    ctx.session.commit()
    safe = "".join(ch for ch in doc.filename if ch.isalnum() or ch in "._- ") or "document.pdf"
    return Response(
        doc.content, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{safe}"'}
    )
