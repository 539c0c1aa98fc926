"""Submitting for assessment and reading the immutable snapshots it produces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from insurable.api.deps import MAX_ID, ReadOrg, SubmitOrg
from insurable.api.links import ASSESSMENT_CREATED
from insurable.api.problems import ApiProblem
from insurable.api.scanning import evidence_for
from insurable.api.schemas import AssessmentOut, AssessmentSummary
from insurable.api.submission import snapshot
from insurable.catalog.questionnaire import validate_answers
from insurable.errors import InputError
from insurable.profile import ASSESSMENT_FIELDS, missing_fields, parse_organisation
from insurable.store import repo
from insurable.store.models import Assessment

router = APIRouter(prefix="/organisations/{org_id}/assessments", tags=["assessments"])


def _summary(a: Assessment) -> AssessmentSummary:
    return AssessmentSummary.model_validate(a, from_attributes=True)


@router.post("", response_model=AssessmentOut, status_code=201, responses=ASSESSMENT_CREATED)
def submit(request: Request, ctx: SubmitOrg) -> AssessmentOut:
    """Assess the current profile and answers and keep the result as an immutable snapshot.

    The organisation's latest finished scan, if any, is evidence: rules fire on its findings as on
    answers, and the snapshot's ``scan_id`` names the scan used.

    Every missing profile field and every invalid answer is reported at once (422, one entry per
    field). The snapshot records the catalogue versions that produced it.
    """
    catalog = request.app.state.catalog()
    answers = {a.question_id: a.value for a in repo.answers(ctx.session, ctx.org)}
    snapshot_input = {**ctx.org.profile, "answers": answers}
    organisation = parse_organisation(snapshot_input)
    problems = missing_fields(organisation, ASSESSMENT_FIELDS)
    problems += validate_answers(answers, catalog.questionnaire)
    if problems:
        raise InputError(problems)
    # The latest finished scan's findings are facts for the rules (issue 16); the snapshot names it.
    scan, evidence = evidence_for(ctx.session, ctx.org, catalog)
    ctx.session.commit()  # end the read: the assessment is computed outside any transaction
    assessor = request.app.state.assessor
    outcome = (
        assessor(organisation, catalog, evidence=evidence) if scan is not None else assessor(organisation, catalog)
    )
    row = snapshot(ctx.org.id, ctx.user.id, snapshot_input, outcome, catalog)
    row.scan_id = scan.id if scan is not None else None
    ctx.session.add(row)
    ctx.session.flush()
    detail: dict[str, object] = {"verdict": row.verdict}
    if scan is not None:
        detail |= {"scan": scan.id, "scan_hash": scan.content_hash}
    ctx.audit("assessment.submit", target=f"assessment:{row.id}", detail=detail)
    ctx.session.commit()
    return AssessmentOut.model_validate(row, from_attributes=True)


@router.get("", response_model=list[AssessmentSummary])
def history(ctx: ReadOrg, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[AssessmentSummary]:
    """Submitted assessments, newest first."""
    rows = repo.assessments(ctx.session, ctx.org, limit=limit)
    ctx.audit("assessments.list", target="assessments")
    ctx.session.commit()
    return [_summary(a) for a in rows]


@router.get("/{assessment_id}", response_model=AssessmentOut)
def read_assessment(assessment_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: ReadOrg) -> AssessmentOut:
    """One assessment snapshot: verdict, premium, deductible, limit, exclusions, reasons, plan, NIS2, loss."""
    found = repo.assessment(ctx.session, ctx.org, assessment_id)
    if found is None:
        raise ApiProblem(404, "no such assessment")
    ctx.audit("assessment.view", target=f"assessment:{found.id}")
    ctx.session.commit()
    return AssessmentOut.model_validate(found, from_attributes=True)
