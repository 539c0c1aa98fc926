"""Offers of an organisation (issue 14): enter, extract from a PDF, confirm, check and compare.

Every write validates the offer in the documented format (422 naming each field); every read and
write leaves an audit line (``offer.create``, ``offer.extract``, ``offer.confirm``, ``offer.delete``,
``offer.view``, ``offers.list``, ``offers.check``, ``offers.compare``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from insurable.api.deps import MAX_ID, EditOrg, OrgContext, ReadOrg
from insurable.api.problems import ApiProblem
from insurable.catalog.loader import Catalog
from insurable.errors import InputError, Problem
from insurable.offers.model import Offer
from insurable.offers.read import parse_offer
from insurable.profile import Organisation, parse_organisation
from insurable.store import repo
from insurable.store.offer_models import StoredOffer
from insurable.store.types import utcnow

router = APIRouter(prefix="/organisations/{org_id}/offers", tags=["offers"])

#: The comparison runs in the request: keep it to a size that answers in seconds.
MAX_API_TRIALS = 200_000
DEFAULT_API_TRIALS = 20_000
MAX_COMPARED = 8


class OfferSummary(BaseModel):
    id: int
    offer_id: str = Field(description="the offer's own id (data.id)")
    insurer: str
    product: str
    source: str
    confirmed: bool


class OfferOut(OfferSummary):
    data: dict[str, Any]
    extraction: dict[str, Any] | None = None


class CompareIn(BaseModel):
    offers: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=MAX_COMPARED, description="stored offer ids (rows)"
    )
    trials: int = Field(default=DEFAULT_API_TRIALS, ge=1, le=MAX_API_TRIALS)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)


def _out(row: StoredOffer, full: bool = True) -> OfferOut | OfferSummary:
    fields = {
        "id": row.id,
        "offer_id": str(row.data.get("id", "")),
        "insurer": row.insurer,
        "product": row.product,
        "source": row.source,
        "confirmed": row.confirmed,
    }
    if not full:
        return OfferSummary(**fields)
    return OfferOut(**fields, data=row.data, extraction=row.extraction)


def validated(data: Any, catalog: Catalog) -> Offer:
    """The offer in ``data``, or 422 with every problem (``data.`` prefixed paths)."""
    try:
        return parse_offer(dict(data) if isinstance(data, dict) else data, catalog)
    except InputError as exc:
        raise InputError([Problem(f"data.{p.path}".rstrip("."), p.reason) for p in exc.problems]) from exc


def offer_rows(session: Session, org_id: int) -> list[StoredOffer]:
    return list(session.scalars(select(StoredOffer).where(StoredOffer.org_id == org_id).order_by(StoredOffer.id)))


def offer_row(session: Session, org_id: int, offer_id: int) -> StoredOffer:
    row = session.get(StoredOffer, offer_id)
    if row is None or row.org_id != org_id:
        raise ApiProblem(404, "no such offer")
    return row


def organisation_of(ctx: OrgContext) -> Organisation:
    answers = {a.question_id: a.value for a in repo.answers(ctx.session, ctx.org)}
    return parse_organisation({**ctx.org.profile, "answers": answers})


def store_offer(ctx: OrgContext, offer: Offer, *, source: str = "entered", extraction: dict[str, Any] | None = None,
                confirmed: bool = True, data: dict[str, Any] | None = None) -> StoredOffer:  # fmt: skip
    row = StoredOffer(
        org_id=ctx.org.id,
        created_by=ctx.user.id,
        source=source,
        confirmed=confirmed,
        insurer=offer.insurer[:200],
        product=offer.product[:200],
        data=data if data is not None else offer.model_dump(mode="json", exclude_defaults=True),
        extraction=extraction,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


@router.post("", response_model=OfferOut, status_code=201)
def create_offer(request: Request, ctx: EditOrg, data: Annotated[dict[str, Any], Body()]) -> OfferOut | OfferSummary:
    """Store an offer in the documented format (schemas/offer.schema.json); 422 names every problem."""
    offer = validated(data, request.app.state.catalog())
    row = store_offer(ctx, offer)
    ctx.audit("offer.create", target=f"offer:{row.id}", detail={"insurer": row.insurer})
    ctx.session.commit()
    return _out(row)


@router.get("", response_model=list[OfferSummary])
def list_offers(ctx: ReadOrg) -> list[OfferOut | OfferSummary]:
    """The organisation's offers, oldest first."""
    rows = offer_rows(ctx.session, ctx.org.id)
    ctx.audit("offers.list", target="offers")
    ctx.session.commit()
    return [_out(r, full=False) for r in rows]


@router.post("/extract", response_model=OfferOut, status_code=201)
async def extract_offer(request: Request, ctx: EditOrg, file: UploadFile) -> OfferOut | OfferSummary:
    """Upload a policy PDF: the proposals (found / not found / ambiguous, each with page and quote) and
    a draft to confirm. A PDF without a text layer is refused (422)."""
    from insurable.catalog.offers import OfferWordingFile
    from insurable.offers.extract import WORDING_FILE, draft_offer, extract_fields
    from insurable.offers.pdf import page_texts

    catalog = request.app.state.catalog()
    content = await file.read()
    with tempfile.TemporaryDirectory() as tmp:
        path = FsPath(tmp) / "upload.pdf"
        path.write_bytes(content)
        try:
            pages = page_texts(path)
        except InputError as exc:
            raise InputError([Problem("file", p.reason) for p in exc.problems]) from exc
    wording = catalog.get(WORDING_FILE, OfferWordingFile)
    vocabulary = {a.id: (a.name.nl, a.name.en) for a in catalog.vocabulary.activities}
    name = FsPath(file.filename or "policy.pdf").name
    extraction = extract_fields(pages, wording, vocabulary=vocabulary, file=name)
    draft = draft_offer(extraction, "extracted")
    insurer = str(draft.get("insurer") or "")
    row = StoredOffer(
        org_id=ctx.org.id,
        created_by=ctx.user.id,
        source="extracted",
        confirmed=False,
        insurer=insurer[:200],
        product=str(draft.get("product") or name)[:200],
        data=draft,
        extraction=extraction.model_dump(mode="json"),
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("offer.extract", target=f"offer:{row.id}", detail={"file": name[:100], "pages": extraction.pages})
    ctx.session.commit()
    return _out(row)


@router.get("/check")
def check_offers(
    request: Request, ctx: ReadOrg, offer: Annotated[list[int], Query(min_length=1, max_length=MAX_COMPARED)]
) -> dict[str, Any]:
    """The checklist for each given (confirmed) offer against this organisation."""
    from insurable.offers.check import check_offer, context_for

    catalog = request.app.state.catalog()
    offers = _confirmed(ctx, offer, catalog)
    context = context_for(organisation_of(ctx), catalog)
    result = {
        "kind": "offers-check",
        "format_version": 1,
        "indicative": True,
        "nis2_classification": context.nis2_classification,
        "offers": [
            {
                "id": row_id,
                **o.summary(),
                "checklist": [r.model_dump(mode="json") for r in check_offer(o, context, catalog)],
            }
            for row_id, o in offers
        ],
    }
    ctx.audit("offers.check", target="offers", detail={"offers": offer})
    ctx.session.commit()
    return result


@router.post("/compare")
def compare(request: Request, ctx: ReadOrg, body: CompareIn) -> dict[str, Any]:
    """Compare offers (towers by ``layer.programme``) under the same seed; ranked by total cost of risk."""
    from insurable.lossmodel.organisation import DEFAULT_SEED
    from insurable.offers.check import context_for
    from insurable.offers.compare import compare_offers
    from insurable.profile import missing_fields

    catalog = request.app.state.catalog()
    offers = [o for _, o in _confirmed(ctx, body.offers, catalog)]
    org = organisation_of(ctx)
    missing = missing_fields(org, ("annual_turnover_eur",))
    if missing:
        raise InputError(missing)
    context = context_for(org, catalog)
    ctx.session.commit()  # end the read: the simulation runs outside any transaction
    seed = DEFAULT_SEED if body.seed is None else body.seed
    comparison = compare_offers(org, offers, catalog, context, trials=body.trials, seed=seed)
    ctx.audit(
        "offers.compare",
        target="offers",
        detail={
            "offers": body.offers,
            "trials": body.trials,
            "seed": seed,
            "ranking": [r.programme for r in comparison.results],
        },
    )
    ctx.session.commit()
    return comparison.to_json()


@router.get("/{offer_id}", response_model=OfferOut)
def read_offer(offer_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: ReadOrg) -> OfferOut | OfferSummary:
    """One offer with its data (and, for an extracted one, the extraction with its quotes)."""
    row = offer_row(ctx.session, ctx.org.id, offer_id)
    ctx.audit("offer.view", target=f"offer:{row.id}")
    ctx.session.commit()
    return _out(row)


@router.put("/{offer_id}", response_model=OfferOut)
def confirm_offer(
    request: Request,
    offer_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    ctx: EditOrg,
    data: Annotated[dict[str, Any], Body()],
) -> OfferOut | OfferSummary:
    """Replace an offer's data with the confirmed values (validated; 422 names every problem)."""
    row = offer_row(ctx.session, ctx.org.id, offer_id)
    offer = validated(data, request.app.state.catalog())
    row.data = offer.model_dump(mode="json", exclude_defaults=True)
    row.insurer, row.product = offer.insurer[:200], offer.product[:200]
    row.confirmed = True
    row.updated_at = utcnow()
    ctx.audit("offer.confirm", target=f"offer:{row.id}", detail={"insurer": row.insurer})
    ctx.session.commit()
    return _out(row)


@router.delete("/{offer_id}", status_code=204)
def delete_offer(offer_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: EditOrg) -> None:
    """Delete an offer (the audit trail keeps that it existed)."""
    row = offer_row(ctx.session, ctx.org.id, offer_id)
    ctx.session.delete(row)
    ctx.audit("offer.delete", target=f"offer:{offer_id}", detail={"insurer": row.insurer})
    ctx.session.commit()


def _confirmed(ctx: OrgContext, ids: list[int], catalog: Catalog) -> list[tuple[int, Offer]]:
    found: list[tuple[int, Offer]] = []
    problems: list[Problem] = []
    for i, offer_id in enumerate(ids):
        row = ctx.session.get(StoredOffer, offer_id)
        if row is None or row.org_id != ctx.org.id:
            raise ApiProblem(404, f"no such offer: {offer_id}")
        if not row.confirmed:
            problems.append(
                Problem(f"offers[{i}]", f"offer {offer_id} is an unconfirmed draft; confirm its values first")
            )
            continue
        found.append((row.id, parse_offer(dict(row.data), catalog)))
    if problems:
        raise InputError(problems)
    return found
