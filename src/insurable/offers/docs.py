"""The generated parts of docs/offers.md: the checklist with each rule's sources, the wording
patterns per field, and the worked example (checked by tests/offers/test_offer_docs.py; regenerate
with ``INSURABLE_REGEN=1 pytest tests/offers/test_offer_docs.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from insurable.catalog.loader import Catalog
from insurable.catalog.offers import OfferChecklistFile, OfferWordingFile

__all__ = ["BLOCKS", "render_checklist", "render_example", "render_patterns", "with_blocks"]

EXAMPLE_TRIALS = 20_000


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_checklist(catalog: Catalog) -> str:
    model = catalog.get("offer_checklist.yaml", OfferChecklistFile)
    sources = catalog.sources()
    lines = ["| Rule | Point (en / nl) | Origin | Why | Sources |", "|---|---|---|---|---|"]
    for r in model.rules:
        cited = ", ".join(f"[{s}]({sources[s].url})" if sources[s].url else s for s in r.sources)
        lines.append(
            f"| `{r.id}` | {_cell(r.point.en)}<br>_{_cell(r.point.nl)}_ | {r.origin} | {_cell(r.why.en)} | {cited} |"
        )
    charge = model.tail_charge
    lines += ["", f"Tail charge: {charge.explanation.en} Sources: {', '.join(charge.sources)}."]
    return "\n".join(lines)


def render_patterns(catalog: Catalog) -> str:
    model = catalog.get("offer_wording.yaml", OfferWordingFile)
    fields: dict[str, dict[str, int]] = {}
    for p in model.patterns:
        fields.setdefault(p.field, {"nl": 0, "en": 0})[p.language] += len(p.patterns)
    lines = ["| Field | Dutch patterns | English patterns |", "|---|---|---|"]
    lines += [f"| `{f}` | {c['nl']} | {c['en']} |" for f, c in fields.items()]
    return "\n".join(lines)


def render_example(catalog: Catalog, root: Path) -> str:
    from insurable.intake import read_organisation
    from insurable.lossmodel.organisation import DEFAULT_SEED
    from insurable.offers.check import context_for
    from insurable.offers.compare import compare_offers
    from insurable.offers.read import read_offer
    from insurable.offers.report import render_comparison

    org = read_organisation(root / "examples" / "dutch-msp.yaml", catalog)
    offers = [read_offer(p, catalog) for p in sorted((root / "examples" / "offers").glob("*.yaml"))]
    comparison = compare_offers(
        org, offers, catalog, context_for(org, catalog), trials=EXAMPLE_TRIALS, seed=DEFAULT_SEED
    )
    text = render_comparison(comparison, "en")
    head = text.split("\n## Checklist:")[0].rstrip()  # the table and the reasons; the checklists follow in the CLI
    body = head.replace("# Comparison of offers", "#### Comparison of offers", 1).replace(
        "## Why this order", "#### Why this order"
    )
    return body


BLOCKS = ("checklist", "patterns", "example")


def with_blocks(text: str, catalog: Catalog, root: Path) -> str:
    """``text`` with every generated block between its ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    renderers: dict[str, Callable[[], str]] = {
        "checklist": lambda: render_checklist(catalog),
        "patterns": lambda: render_patterns(catalog),
        "example": lambda: render_example(catalog, root),
    }
    for name, render in renderers.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in text and end in text:
            before, rest = text.split(start, 1)
            _, after = rest.split(end, 1)
            text = f"{before}{start}\n{render()}\n{end}{after}"
    return text
