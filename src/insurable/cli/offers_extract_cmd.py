"""``insurable offers extract POLICY.pdf``: propose an offer file from a policy's text layer, every
value with its page and quote, for the user to confirm (docs/offers.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from insurable.cli.app import console, fail, guarded, load_catalog_option
from insurable.errors import Problem

STATUS_STYLE = {"found": "green", "ambiguous": "yellow", "not_found": "dim"}


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "offer"


def extract(
    pdf: Annotated[Path, typer.Argument(help="Policy wording or quote as PDF (with a text layer).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the draft offer YAML (default: PDF name .offer.yaml).")
    ] = None,
    language: Annotated[str, typer.Option("--language", help="nl, en or auto.")] = "auto",
    fmt: Annotated[str, typer.Option("--format", help="text or json (the proposals).")] = "text",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = False,
    catalog_dir: Annotated[
        Path | None, typer.Option("--catalog", help="Catalogue directory (default: packaged).")
    ] = None,
) -> None:
    """Read a policy PDF: found / not found / ambiguous per field, each value with page and quote, and
    a draft offer file to confirm."""
    from insurable.catalog.offers import OfferWordingFile
    from insurable.offers.extract import WORDING_FILE, draft_offer, extract_fields
    from insurable.offers.pdf import page_texts

    problems: list[Problem] = []
    if language not in ("nl", "en", "auto"):
        problems.append(Problem("--language", "must be nl, en or auto"))
    if fmt not in ("text", "json"):
        problems.append(Problem("--format", "must be text or json"))
    target = out or pdf.with_suffix(".offer.yaml")
    if target.exists() and not force:
        problems.append(Problem("--out", "file exists; use --force to overwrite", str(target)))
    if problems:
        fail(problems)
    catalog = load_catalog_option(catalog_dir)
    wording = guarded(lambda: catalog.get(WORDING_FILE, OfferWordingFile))
    vocabulary = {a.id: (a.name.nl, a.name.en) for a in catalog.vocabulary.activities}
    pages = guarded(lambda: page_texts(pdf))
    extraction = extract_fields(
        pages,
        wording,
        language=None if language == "auto" else language,  # type: ignore[arg-type]
        vocabulary=vocabulary,
        file=str(pdf),
    )
    data = draft_offer(extraction, _slug(pdf.stem.replace(".offer", "")))
    lines = [
        f"# Draft offer extracted from {pdf.name} by `insurable offers extract` ({extraction.language}).",
        "# Every value below was read from the clause quoted with it. CONFIRM each one against the PDF,",
        "# fill in what was not found, then run: insurable offers check ORG.yaml THIS_FILE",
    ]
    for p in extraction.proposals:
        if p.status == "found":
            continue
        lines.append(f"# {p.status.upper()}: {p.field}: {p.reason}")
        for c in p.candidates:
            lines.append(f"#   candidate {c.value!r} (p. {c.clause.page}): {c.clause.quote[:160]}")
        for u in p.unreadable[:3]:
            lines.append(f"#   unreadable clause (p. {u.page}): {u.quote[:160]}")
    text = "\n".join(lines) + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail([Problem("--out", f"cannot write: {exc.strerror or exc}", str(target))])
    if fmt == "json":
        payload = extraction.model_dump(mode="json")
        payload["draft"] = str(target)
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{pdf.name}: {extraction.pages} page(s), language {extraction.language}")
    for col in ("Field", "Status", "Value", "Page", "Quote / reason"):
        table.add_column(col)
    for p in extraction.proposals:
        quote = p.clause.quote if p.clause else (p.unreadable[0].quote if p.unreadable else p.reason)
        page = str(p.clause.page) if p.clause else (str(p.unreadable[0].page) if p.unreadable else "")
        value = "" if p.status != "found" else str(p.value)
        table.add_row(p.field, f"[{STATUS_STYLE[p.status]}]{p.status}[/]", value, page, quote[:200])
    console.print(table)
    counts = {s: sum(1 for p in extraction.proposals if p.status == s) for s in STATUS_STYLE}
    console.print(
        f"{counts['found']} found, {counts['ambiguous']} ambiguous, {counts['not_found']} not found. "
        f"Draft written to {target}: confirm every value against the PDF."
    )
