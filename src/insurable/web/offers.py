"""Web pages for offers (issue 14): list, enter (YAML) or upload (PDF) per organisation, confirm the
extracted values beside the quote they came from, and compare offers.

Kept simple on purpose (the web v2 branch restyles the rest of the app). The pages use the same
helpers, validation and audit lines as the API (:mod:`insurable.api.routes.offers`); their labels
are the bilingual ones of :mod:`insurable.offers.report` (Dutch and English side by side), so no
new gettext strings are needed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.datastructures import UploadFile

from insurable.api.deps import MAX_ID
from insurable.errors import InputError
from insurable.offers.liability import PART_LABELS, STANDING_LABELS
from insurable.store import repo
from insurable.store.offer_models import StoredOffer
from insurable.store.types import utcnow
from insurable.web.app_support import catalog, db, redirect
from insurable.web.i18n import pick_lang
from insurable.web.render import page
from insurable.web.session import CSRF_FIELD, WebError, can, check_csrf, org_for, require

router = APIRouter(include_in_schema=False)
OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
OfferId = Annotated[int, Path(ge=1, le=MAX_ID)]

#: Trial-years of a comparison on the web page: answers in a second or two.
WEB_TRIALS = 20_000
MAX_UPLOAD_BYTES = 10_000_000

LABELS: dict[str, dict[str, str]] = {
    "offers": {"nl": "Offertes", "en": "Offers"},
    "intro": {
        "nl": "Voer een offerte in (YAML, zie docs/offers.md) of upload een polis-PDF; bevestig de gelezen waarden "
        "en vergelijk offertes op wat u zelf draagt.",
        "en": "Enter an offer (YAML, see docs/offers.md) or upload a policy PDF; confirm the values read from it "
        "and compare offers by what you keep.",
    },
    "insurer": {"nl": "Verzekeraar", "en": "Insurer"},
    "product": {"nl": "Product", "en": "Product"},
    "source": {"nl": "Herkomst", "en": "Source"},
    "status": {"nl": "Status", "en": "Status"},
    "confirmed": {"nl": "bevestigd", "en": "confirmed"},
    "draft": {"nl": "concept: bevestigen", "en": "draft: confirm"},
    "compare": {"nl": "Vergelijk geselecteerde offertes", "en": "Compare selected offers"},
    "upload": {"nl": "Polis-PDF uploaden", "en": "Upload a policy PDF"},
    "enter": {"nl": "Offerte invoeren (YAML)", "en": "Enter an offer (YAML)"},
    "save": {"nl": "Opslaan", "en": "Save"},
    "read": {"nl": "Lezen", "en": "Read"},
    "none": {"nl": "Nog geen offertes.", "en": "No offers yet."},
    "problems": {"nl": "Dit kan nog niet worden opgeslagen:", "en": "This cannot be saved yet:"},
    "field": {"nl": "Veld", "en": "Field"},
    "value": {"nl": "Waarde", "en": "Value"},
    "quote": {"nl": "Citaat uit de PDF", "en": "Quote from the PDF"},
    "page": {"nl": "Pagina", "en": "Page"},
    "confirm": {"nl": "Waarden bevestigen", "en": "Confirm values"},
    "confirm_help": {
        "nl": "Controleer elke waarde tegen het citaat ernaast. Lege velden worden weggelaten; niet gevonden en "
        "dubbelzinnige velden vult u zelf in.",
        "en": "Check every value against the quote beside it. Empty fields are left out; fill in what was not found "
        "or is ambiguous yourself.",
    },
    "found": {"nl": "gevonden", "en": "found"},
    "ambiguous": {"nl": "dubbelzinnig", "en": "ambiguous"},
    "not_found": {"nl": "niet gevonden", "en": "not found"},
    "checklist": {"nl": "Checklist", "en": "Checklist"},
    "data": {"nl": "Gegevens (YAML)", "en": "Data (YAML)"},
    "markdown": {"nl": "Als Markdown", "en": "As Markdown"},
    "back": {"nl": "Terug naar offertes", "en": "Back to offers"},
    "pick_two": {"nl": "Kies een of meer bevestigde offertes.", "en": "Pick one or more confirmed offers."},
    "delete": {"nl": "Verwijderen", "en": "Delete"},
    "form_title": {"nl": "Offerte invullen", "en": "Enter an offer"},
    "form_link": {"nl": "Offerte veld voor veld invullen", "en": "Enter an offer field by field"},
    "edit": {"nl": "Bewerken", "en": "Edit"},
    "form_intro": {
        "nl": "Neem de waarden over uit de offerte of polis. Bedragen mag u schrijven zoals u gewend bent "
        "(1.000.000, € 2,5 mln, 250k). Velden met * zijn verplicht; een dekking die u niet aanvinkt, is niet gedekt.",
        "en": "Copy the values from the quote or policy. Write amounts as you are used to (1,000,000, € 2.5 mln, "
        "250k). Fields marked * are required; a coverage you do not tick is not covered.",
    },
    "form_problems": {
        "nl": "De offerte is niet opgeslagen; zie de meldingen bij de velden",
        "en": "The offer was not saved; see the messages next to the fields",
    },
    "coverages_help": {
        "nl": "Vink elke dekking aan die de offerte noemt, met haar eigen sublimiet, eigen risico en eigen aandeel.",
        "en": "Tick every coverage the offer names, with its own sublimit, deductible and coinsurance.",
    },
    "included": {"nl": "opgenomen", "en": "included"},
    "coverages_title": {"nl": "Dekkingen", "en": "Coverages"},
    "liability": {"nl": "Aansprakelijkheid: wie betaalt", "en": "Liability: who pays"},
    "liability_left": {"nl": "Aansprakelijkheid niet gedekt", "en": "Liability left uncovered"},
    "not_stated": {"nl": "niet vermeld", "en": "not stated"},
    "choose": {"nl": "kiezen", "en": "choose"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "indicative": {
        "nl": "Indicatief: geen advies en geen aanbod van een verzekeraar. Lees altijd de polisvoorwaarden zelf.",
        "en": "Indicative: not advice and not an insurer's offer. Always read the policy wording itself.",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in LABELS.items()}


def _csrf(ctx: Any) -> str:
    login = ctx.principal.login
    return login.csrf_token if login is not None else ""


def _row(session: Any, org_id: int, offer_id: int) -> StoredOffer:
    row: StoredOffer | None = session.get(StoredOffer, offer_id)
    if row is None or row.org_id != org_id:
        raise WebError(404, "not_found")
    return row


def _list_page(request: Request, ctx: Any, rows: list[StoredOffer], problems: list[Any] | None = None,
               entered: str = "", status_code: int = 200) -> Response:  # fmt: skip
    lang = pick_lang(request)
    return page(
        request,
        "offers.html",
        status_code=status_code,
        ctx=ctx,
        rows=rows,
        L=_labels(lang),
        can_edit=can(ctx.relation, "edit"),
        csrf=_csrf(ctx),
        problems=problems,
        entered=entered,
    )


@router.get("/orgs/{org_id}/offers", response_class=HTMLResponse)
def offers_page(org_id: OrgId, request: Request) -> Response:
    """The organisation's offers, with forms to enter, upload and compare them."""
    from insurable.api.routes.offers import offer_rows

    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read", viewing="offers.list", target="offers")
        return _list_page(request, ctx, offer_rows(session, org_id))


@router.post("/orgs/{org_id}/offers", response_class=HTMLResponse)
async def enter_offer(org_id: OrgId, request: Request) -> Response:
    """Store an offer typed or pasted as YAML; every problem is shown with its field."""
    from insurable.api.routes.offers import offer_rows, store_offer
    from insurable.catalog.yamlio import parse_yaml_document
    from insurable.offers.read import offer_problems

    form = await request.form()
    text = str(form.get("offer") or "")
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        try:
            document = parse_yaml_document(text, "offer")
            data = document.data
            problems = [(p.path, p.reason) for p in document.problems]
        except InputError as exc:
            data, problems = None, [(p.path, p.reason) for p in exc.problems]
        offer = None
        if not problems:
            offer, found = offer_problems(data, catalog(request))
            problems = [(p.path, p.reason) for p in found]
        if problems or offer is None:
            return _list_page(request, ctx, offer_rows(session, org_id), problems, text, status_code=422)
        row = store_offer(ctx, offer)  # type: ignore[arg-type]
        repo.audit(session, ctx.user, "offer.create", org_id=org_id, target=f"offer:{row.id}", via="web")
        session.commit()
        return redirect(f"/orgs/{org_id}/offers/{row.id}")


@router.post("/orgs/{org_id}/offers/upload", response_class=HTMLResponse)
async def upload_offer(org_id: OrgId, request: Request) -> Response:
    """Read an uploaded policy PDF into a draft, then show the confirm page."""
    from insurable.api.routes.offers import offer_rows
    from insurable.catalog.offers import OfferWordingFile
    from insurable.offers.extract import WORDING_FILE, draft_offer, extract_fields
    from insurable.offers.pdf import page_texts

    form = await request.form()
    upload = form.get("file")
    content = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
    name = FsPath(upload.filename or "policy.pdf").name if isinstance(upload, UploadFile) else "policy.pdf"
    await form.close()  # the spooled upload file
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        if not content or len(content) > MAX_UPLOAD_BYTES:
            reason = "choose a PDF file" if not content else f"larger than {MAX_UPLOAD_BYTES // 1_000_000} MB"
            return _list_page(request, ctx, offer_rows(session, org_id), [("file", reason)], status_code=422)
        with tempfile.TemporaryDirectory() as tmp:
            path = FsPath(tmp) / "upload.pdf"
            path.write_bytes(content)
            try:
                pages = page_texts(path)
            except InputError as exc:
                problems = [("file", p.reason) for p in exc.problems]
                return _list_page(request, ctx, offer_rows(session, org_id), problems, status_code=422)
        cat = catalog(request)
        wording = cat.get(WORDING_FILE, OfferWordingFile)
        vocabulary = {a.id: (a.name.nl, a.name.en) for a in cat.vocabulary.activities}
        extraction = extract_fields(pages, wording, vocabulary=vocabulary, file=name)
        draft = draft_offer(extraction, "extracted")
        row = StoredOffer(
            org_id=org_id,
            created_by=ctx.user.id,
            source="extracted",
            confirmed=False,
            insurer=str(draft.get("insurer") or "")[:200],
            product=str(draft.get("product") or name)[:200],
            data=draft,
            extraction=extraction.model_dump(mode="json"),
        )
        session.add(row)
        session.flush()
        repo.audit(session, ctx.user, "offer.extract", org_id=org_id, target=f"offer:{row.id}",
                   detail={"file": name[:100], "pages": extraction.pages}, via="web")  # fmt: skip
        session.commit()
        return redirect(f"/orgs/{org_id}/offers/{row.id}")


def _offer_page(request: Request, ctx: Any, row: StoredOffer, problems: list[Any] | None = None,
                entered: dict[str, str] | None = None, status_code: int = 200) -> Response:  # fmt: skip
    from insurable.offers.check import check_offer, context_for
    from insurable.offers.read import parse_offer

    lang = pick_lang(request)
    cat = catalog(request)
    checklist = None
    if row.confirmed:
        from insurable.api.routes.offers import organisation_of

        try:
            offer = parse_offer(dict(row.data), cat)
            checklist = check_offer(offer, context_for(organisation_of(ctx), cat), cat)
        except InputError:
            checklist = None  # a profile the checklist cannot read yet: the page still shows the offer
    proposals = (row.extraction or {}).get("proposals", [])
    values = entered or {p["field"]: _shown(p.get("value")) for p in proposals if p.get("status") == "found"}
    return page(
        request,
        "offer.html",
        status_code=status_code,
        ctx=ctx,
        row=row,
        L=_labels(lang),
        proposals=proposals,
        values=values,
        checklist=checklist,
        statuses={k: v[lang] for k, v in _status_labels().items()},
        data_yaml=yaml.safe_dump(row.data, allow_unicode=True, sort_keys=False),
        can_edit=can(ctx.relation, "edit"),
        csrf=_csrf(ctx),
        problems=problems,
    )


def _status_labels() -> dict[str, dict[str, str]]:
    from insurable.offers.report import STATUS_LABELS

    return STATUS_LABELS


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and 0 < value < 1:
        return f"{value * 100:g}%"
    return str(value)


def _multi(form: Any) -> dict[str, list[str]]:
    """A submitted form as name -> every string value (checkbox groups send several)."""
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}


def _form_page(request: Request, ctx: Any, action: str, values: dict[str, Any], errors: dict[str, Any],
               status_code: int = 200) -> Response:  # fmt: skip
    from insurable.offers.form import offer_form

    lang = pick_lang(request)
    sections = offer_form(catalog(request))
    groups: list[tuple[str, Any, list[Any]]] = []
    names: dict[str, str] = {"coverages": LABELS["coverages_title"][lang]}
    targets: dict[str, str] = {"coverages": "of-coverages"}
    for s in sections:
        key = s.group or s.key
        if not groups or groups[-1][0] != key:
            title = s.title if not s.group else _group_title(s.group)
            groups.append((key, title, []))
        groups[-1][2].append(s)
        for f in ((s.toggle,) if s.toggle else ()) + s.fields:
            prefix = f"{s.title.get(lang)}: " if s.toggle is not None else ""
            names[f.name] = prefix + f.label.get(lang)
            targets[f.name] = f.dom_id
    return page(request, "offer_form.html", status_code=status_code, ctx=ctx, L=_labels(lang), groups=groups,
                values=values, errors=errors, names=names, targets=targets, action=action, csrf=_csrf(ctx))  # fmt: skip


def _group_title(group: str) -> Any:
    from insurable.offers.form import SECTION_TITLES
    from insurable.text import Text

    nl, en = SECTION_TITLES[group]
    return Text(nl=nl, en=en)


@router.get("/orgs/{org_id}/offers/new", response_class=HTMLResponse)
def new_offer_form(org_id: OrgId, request: Request) -> Response:
    """An empty offer form: every field of the offer format, one by one."""
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "edit")
        return _form_page(request, ctx, f"/orgs/{org_id}/offers/new", {}, {})


@router.post("/orgs/{org_id}/offers/new", response_class=HTMLResponse)
async def save_new_offer(org_id: OrgId, request: Request) -> Response:
    """Store an offer entered field by field; on any problem nothing is stored and every problem is
    shown beside its field."""
    from insurable.api.routes.offers import store_offer
    from insurable.offers.form import read_form

    form = await request.form()
    submitted = _multi(form)
    lang = pick_lang(request)
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        offer, _, errors = read_form(submitted, catalog(request), lang)
        if errors or offer is None:
            values = {k: (v if len(v) != 1 else v[0]) for k, v in submitted.items()}
            return _form_page(request, ctx, f"/orgs/{org_id}/offers/new", values, errors, status_code=422)
        row = store_offer(ctx, offer)  # type: ignore[arg-type]
        repo.audit(session, ctx.user, "offer.create", org_id=org_id, target=f"offer:{row.id}",
                   detail={"form": "fields"}, via="web")  # fmt: skip
        session.commit()
        return redirect(f"/orgs/{org_id}/offers/{row.id}")


@router.get("/orgs/{org_id}/offers/{offer_id}/edit", response_class=HTMLResponse)
def edit_offer_form(org_id: OrgId, offer_id: OfferId, request: Request) -> Response:
    """The offer form pre-filled with a stored offer (a draft as far as it was read)."""
    from insurable.offers.form import form_values
    from insurable.offers.read import offer_problems

    lang = pick_lang(request)
    cat = catalog(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "edit")
        row = _row(session, org_id, offer_id)
        offer, _ = offer_problems(dict(row.data), cat)
        data = offer.model_dump(mode="json") if offer is not None else dict(row.data)
        return _form_page(request, ctx, f"/orgs/{org_id}/offers/{row.id}/edit", form_values(data, cat, lang), {})


@router.post("/orgs/{org_id}/offers/{offer_id}/edit", response_class=HTMLResponse)
async def save_edited_offer(org_id: OrgId, offer_id: OfferId, request: Request) -> Response:
    """Store the edited offer (it is then confirmed); on any problem nothing changes."""
    from insurable.offers.form import read_form

    form = await request.form()
    submitted = _multi(form)
    lang = pick_lang(request)
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        row = _row(session, org_id, offer_id)
        offer, _, errors = read_form(submitted, catalog(request), lang, previous=dict(row.data))
        if errors or offer is None:
            values = {k: (v if len(v) != 1 else v[0]) for k, v in submitted.items()}
            action = f"/orgs/{org_id}/offers/{row.id}/edit"
            return _form_page(request, ctx, action, values, errors, status_code=422)
        action_name = "offer.update" if row.confirmed else "offer.confirm"
        row.data = offer.model_dump(mode="json", exclude_defaults=True)
        row.insurer, row.product = offer.insurer[:200], offer.product[:200]
        row.confirmed = True
        row.updated_at = utcnow()
        repo.audit(session, ctx.user, action_name, org_id=org_id, target=f"offer:{row.id}",
                   detail={"form": "fields"}, via="web")  # fmt: skip
        session.commit()
        return redirect(f"/orgs/{org_id}/offers/{row.id}")


@router.get("/orgs/{org_id}/offers/compare", response_class=HTMLResponse)
def compare_page(
    org_id: OrgId, request: Request, offer: Annotated[list[int] | None, Query(max_length=8)] = None
) -> Response:
    """The comparison of the selected confirmed offers (same seed), ranked by total cost of risk."""
    return _compare(org_id, request, offer or [], "html")


@router.get("/orgs/{org_id}/offers/compare.{kind}")
def compare_download(
    org_id: OrgId, kind: str, request: Request, offer: Annotated[list[int] | None, Query(max_length=8)] = None
) -> Response:
    """The same comparison as Markdown (``md``, the CLI's ``--format markdown``), a printable PDF
    (``pdf``, WeasyPrint, no external resources) or an editable Word file (``docx``, python-docx)."""
    if kind not in ("md", "pdf", "docx"):
        raise WebError(404, "not_found")
    return _compare(org_id, request, offer or [], kind)


def _compare(org_id: int, request: Request, ids: list[int], kind: str) -> Response:
    from insurable.api.routes.offers import _confirmed, offer_rows, organisation_of
    from insurable.lossmodel.organisation import DEFAULT_SEED
    from insurable.offers.check import context_for
    from insurable.offers.compare import compare_offers
    from insurable.offers.report import render_comparison

    lang = pick_lang(request)
    cat = catalog(request)
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        if not ids:
            return _list_page(
                request, ctx, offer_rows(session, org_id), [("offer", LABELS["pick_two"][lang])], status_code=422
            )
        try:
            offers = [o for _, o in _confirmed(ctx, ids, cat)]  # type: ignore[arg-type]
            org = organisation_of(ctx)  # type: ignore[arg-type]
            comparison = compare_offers(org, offers, cat, context_for(org, cat), trials=WEB_TRIALS, seed=DEFAULT_SEED)
        except InputError as exc:
            problems = [(p.path, p.reason) for p in exc.problems]
            return _list_page(request, ctx, offer_rows(session, org_id), problems, status_code=422)
        repo.audit(session, ctx.user, "offers.compare", org_id=org_id, target="offers",
                   detail={"offers": ids, "trials": WEB_TRIALS, "seed": DEFAULT_SEED}, via="web")  # fmt: skip
        session.commit()
        if kind == "md":
            return PlainTextResponse(render_comparison(comparison, lang), media_type="text/markdown; charset=utf-8")
        if kind == "docx":
            from insurable.offers.docx import comparison_docx  # python-docx loads lxml: only when asked

            return Response(
                comparison_docx(comparison, lang),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                headers={
                    "Content-Disposition": 'attachment; filename="offers-comparison.docx"',
                    "Content-Language": lang,
                },
            )
        if kind == "pdf":
            from weasyprint import HTML  # imported when first needed: it loads Pango

            from insurable.web.render import environment

            statuses = {k: v[lang] for k, v in _status_labels().items()}
            html = (
                environment(lang)
                .get_template("offers_compare_print.html")
                .render(
                    ctx=ctx,
                    L=_labels(lang),
                    c=comparison,
                    ids=ids,
                    statuses=statuses,
                    lang=lang,
                    parts=PART_LABELS,
                    standings=STANDING_LABELS,
                )  # fmt: skip
            )
            return Response(
                HTML(string=html).write_pdf(),
                media_type="application/pdf",
                headers={
                    "Content-Disposition": 'attachment; filename="offers-comparison.pdf"',
                    "Content-Language": lang,
                },
            )
        return page(request, "offers_compare.html", ctx=ctx, L=_labels(lang), c=comparison, ids=ids,
                    statuses={k: v[lang] for k, v in _status_labels().items()},
                    parts=PART_LABELS, standings=STANDING_LABELS)  # fmt: skip


@router.get("/orgs/{org_id}/offers/{offer_id}", response_class=HTMLResponse)
def offer_page(org_id: OrgId, offer_id: OfferId, request: Request) -> Response:
    """One offer: for a draft, each extracted value beside its quote to confirm; else the checklist."""
    with db(request) as session:
        ctx = org_for(session, require(request, session), org_id, "read")
        row = _row(session, org_id, offer_id)
        repo.audit(session, ctx.user, "offer.view", org_id=org_id, target=f"offer:{row.id}", via="web")
        session.commit()
        return _offer_page(request, ctx, row)


@router.post("/orgs/{org_id}/offers/{offer_id}/confirm", response_class=HTMLResponse)
async def confirm_offer(org_id: OrgId, offer_id: OfferId, request: Request) -> Response:
    """Confirm (or correct) the extracted values; the offer is stored once it validates."""
    from insurable.catalog.offers import OfferWordingFile
    from insurable.offers.extract import WORDING_FILE, Extraction, confirmed_data, field_kinds
    from insurable.offers.read import offer_problems

    form = await request.form()
    entered = {k[2:]: str(v) for k, v in form.multi_items() if k.startswith("f:") and isinstance(v, str)}
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        row = _row(session, org_id, offer_id)
        if row.extraction is None:
            raise WebError(404, "not_found")
        cat = catalog(request)
        extraction = Extraction.model_validate(row.extraction)
        kinds = field_kinds(cat.get(WORDING_FILE, OfferWordingFile))
        offer_id_text = str(form.get("offer_id") or row.data.get("id") or "offer").strip() or "offer"
        data, read_problems = confirmed_data(extraction, entered, kinds, offer_id_text)
        problems: list[tuple[str, str]] = list(read_problems)
        offer = None
        if not problems:
            offer, found = offer_problems(data, cat)
            problems = [(p.path, p.reason) for p in found]
        if problems or offer is None:
            return _offer_page(request, ctx, row, problems, entered, status_code=422)
        row.data = offer.model_dump(mode="json", exclude_defaults=True)
        row.insurer, row.product = offer.insurer[:200], offer.product[:200]
        row.confirmed = True
        row.updated_at = utcnow()
        repo.audit(session, ctx.user, "offer.confirm", org_id=org_id, target=f"offer:{row.id}", via="web")
        session.commit()
        return redirect(f"/orgs/{org_id}/offers/{row.id}")


@router.post("/orgs/{org_id}/offers/{offer_id}/delete")
async def delete_offer(org_id: OrgId, offer_id: OfferId, request: Request) -> Response:
    form = await request.form()
    with db(request) as session:
        who = require(request, session)
        check_csrf(request, who, str(form.get(CSRF_FIELD) or ""))
        ctx = org_for(session, who, org_id, "edit")
        row = _row(session, org_id, offer_id)
        session.delete(row)
        repo.audit(session, ctx.user, "offer.delete", org_id=org_id, target=f"offer:{offer_id}", via="web")
        session.commit()
        return redirect(f"/orgs/{org_id}/offers")
