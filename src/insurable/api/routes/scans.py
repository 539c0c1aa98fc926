"""An organisation's outside-in scans (issue 16): upload, run, history, one scan, and a diff.

Every read and write leaves an audit line (``scan.upload``, ``scan.start``, ``scan.refused``,
``scan.done``/``scan.failed``, ``scan.view``, ``scans.list``, ``scan.diff``). See docs/scanner.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Path, Query, Request
from pydantic import BaseModel, Field

from insurable.api.deps import MAX_ID, EditOrg, ReadOrg, SubmitOrg
from insurable.api.problems import ApiProblem
from insurable.api.scan_runs import run, start
from insurable.api.scanning import MAX_TARGETS, exposure_of, parsed_result, store_upload, validate_upload
from insurable.evidence import diff_scans, reconcile
from insurable.store import repo
from insurable.store import scans as scan_repo
from insurable.store.scan_models import StoredScan

router = APIRouter(prefix="/organisations/{org_id}/scans", tags=["scans"])
ScanId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ScanSummary(BaseModel):
    id: int
    created_at: dt.datetime
    created_by_email: str = Field(description="who uploaded or started it")
    source: str = Field(description="upload or service")
    status: str = Field(description="queued, done, refused or failed")
    targets: list[str] = Field(description="declared targets asked for (empty: all)")
    finished_at: dt.datetime | None
    content_hash: str = Field(description="SHA-256 of the scan's canonical JSON")
    findings: int = Field(description="number of findings")


class ScanOut(ScanSummary):
    consent: list[dict[str, Any]] = Field(description="proof of control per target: method, user, time")
    problems: list[dict[str, Any]] = Field(description="why a service scan was refused or failed")
    result: dict[str, Any] | None = Field(description="the scan (insurable.scan/1), as the CLI writes it")
    reconciliation: dict[str, Any] | None = Field(
        description="findings mapped to questions, and contradictions with the current answers (both values)"
    )


class RunIn(BaseModel):
    attest: bool = Field(
        default=False, description="you attest that you control the targets (recorded with your e-mail and the time)"
    )
    targets: list[Annotated[str, Field(min_length=1, max_length=253)]] = Field(
        default=[], max_length=MAX_TARGETS, description="declared domains or addresses to scan (default: all)"
    )


class DiffOut(BaseModel):
    before: int
    after: int
    diff: dict[str, Any] = Field(description="new, resolved, unchanged and not re-checked findings")


def summary(row: StoredScan) -> ScanSummary:
    return ScanSummary(
        id=row.id,
        created_at=row.created_at,
        created_by_email=row.created_by_email,
        source=row.source,
        status=row.status,
        targets=[str(t) for t in row.targets],
        finished_at=row.finished_at,
        content_hash=row.content_hash,
        findings=len((row.result or {}).get("findings") or []),
    )


def _row(ctx: ReadOrg, scan_id: int) -> StoredScan:
    found = scan_repo.scan(ctx.session, ctx.org, scan_id)
    if found is None:
        raise ApiProblem(404, "no such scan")
    return found


@router.get("", response_model=list[ScanSummary])
def list_scans(ctx: ReadOrg, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ScanSummary]:
    """The organisation's scans, newest first."""
    rows = scan_repo.scans(ctx.session, ctx.org, limit=limit)
    ctx.audit("scans.list", target="scans")
    ctx.session.commit()
    return [summary(r) for r in rows]


@router.post("", response_model=ScanSummary, status_code=201)
def upload_scan(request: Request, ctx: EditOrg, data: Annotated[dict[str, Any], Body()]) -> ScanSummary:
    """Store a scan file that ``insurable scan --out`` wrote (schemas/scan.schema.json).

    All or nothing: every problem is named at once (422) and nothing is kept; the scan must be of
    this organisation and of targets its profile declares. 413 over ``INSURABLE_SCAN_MAX_BYTES``,
    409 when the same scan (by content hash) is already stored.
    """
    settings = request.app.state.settings
    result, digest = validate_upload(data, ctx.org, request.app.state.catalog(), settings.scan_max_bytes)
    row = store_upload(ctx.session, ctx.org, ctx.user, result, digest)
    ctx.audit("scan.upload", target=f"scan:{row.id}", detail={"hash": digest, "findings": len(result.findings)})
    ctx.session.commit()
    return summary(row)


@router.post("/run", response_model=ScanSummary, status_code=202)
def run_scan(request: Request, ctx: SubmitOrg, background: BackgroundTasks, body: RunIn | None = None) -> ScanSummary:
    """Scan the profile's declared ``scan_targets`` from the server, after proof of control.

    Each domain needs its DNS TXT or ``/.well-known/`` token, or ``attest: true`` (recorded with your
    e-mail and the time; IP ranges can only be attested). Refusals answer 422 naming every target
    and reason, before any connection. The scan runs after the answer (status ``queued``, then
    ``done``, ``refused`` or ``failed``): read it back with ``GET .../scans/{id}``. Rate-limited per
    organisation (429); one at a time (409).
    """
    body = body or RunIn()
    settings = request.app.state.settings
    row, profile, options = start(
        ctx.session, ctx.org, ctx.user, settings, attest=body.attest, targets=tuple(body.targets), via=ctx.principal.via
    )
    exposure = exposure_of(request.app.state.catalog())
    background.add_task(run, request.app.state.sessions, row.id, profile, exposure, options)
    return summary(row)


@router.get("/{scan_id}", response_model=ScanOut)
def read_scan(request: Request, scan_id: ScanId, ctx: ReadOrg) -> ScanOut:
    """One scan: consent, findings, and how they reconcile with the current answers."""
    row = _row(ctx, scan_id)
    result = parsed_result(row)
    rec = None
    if result is not None:
        answers = {a.question_id: a.value for a in repo.answers(ctx.session, ctx.org)}
        rec = reconcile(answers, result, exposure_of(request.app.state.catalog())).model_dump(mode="json")
    ctx.audit("scan.view", target=f"scan:{row.id}")
    ctx.session.commit()
    return ScanOut(
        **summary(row).model_dump(),
        consent=list(row.consent),
        problems=list(row.problems),
        result=row.result,
        reconciliation=rec,
    )


@router.get("/{scan_id}/diff", response_model=DiffOut)
def diff_scan(scan_id: ScanId, ctx: ReadOrg, against: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> DiffOut:
    """What changed from scan ``against`` (default: the previous finished scan) to this one."""
    after = _row(ctx, scan_id)
    before = _row(ctx, against) if against is not None else scan_repo.latest_done(ctx.session, ctx.org, before=after.id)
    if before is None:
        raise ApiProblem(404, "there is no earlier finished scan to compare with")
    old, new = parsed_result(before), parsed_result(after)
    if old is None or new is None:
        raise ApiProblem(409, "both scans must have finished with a result")
    ctx.audit("scan.diff", target=f"scan:{before.id},{after.id}")
    ctx.session.commit()
    return DiffOut(before=before.id, after=after.id, diff=diff_scans(old, new).model_dump(mode="json"))
