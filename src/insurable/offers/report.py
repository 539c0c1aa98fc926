"""Markdown for the checklist review and the comparison, in Dutch or English (the CLI prints it as
text with Rich, or as Markdown; the web pages show the same data)."""

from __future__ import annotations

from insurable.offers.check import CheckResult
from insurable.offers.compare import Comparison, ProgrammeResult
from insurable.offers.liability import PART_LABELS, SHORT, STANDING_LABELS
from insurable.offers.model import Offer
from insurable.text import Lang

__all__ = [
    "PI_LABELS",
    "STATUS_LABELS",
    "comparison_rows",
    "evidence_text",
    "label",
    "liability_header",
    "liability_left",
    "liability_rows",
    "render_check",
    "render_comparison",
    "uncovered_lines",
]

STATUS_LABELS: dict[str, dict[str, str]] = {
    "met": {"nl": "in orde", "en": "met"},
    "partly": {"nl": "deels", "en": "partly"},
    "not_met": {"nl": "niet in orde", "en": "not met"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "not_applicable": {"nl": "n.v.t.", "en": "n/a"},
}

_T: dict[str, dict[str, str]] = {
    "check": {"nl": "Checklist", "en": "Checklist"},
    "point": {"nl": "Punt", "en": "Point"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "meaning": {"nl": "Wat het voor u betekent", "en": "What it means for you"},
    "evidence": {"nl": "Clausule", "en": "Clause"},
    "indicative": {
        "nl": "Indicatief: geen advies en geen aanbod van een verzekeraar. Lees altijd de polisvoorwaarden zelf.",
        "en": "Indicative: not advice and not an insurer's offer. Always read the policy wording itself.",
    },
    "compare": {"nl": "Vergelijking van offertes", "en": "Comparison of offers"},
    "rank": {"nl": "Rang", "en": "Rank"},
    "programme": {"nl": "Programma", "en": "Programme"},
    "insurer": {"nl": "Verzekeraar (product)", "en": "Insurer (product)"},
    "premium": {"nl": "Premie/jaar incl. assurantiebelasting", "en": "Premium/year incl. insurance tax"},
    "limit": {"nl": "Limiet", "en": "Limit"},
    "deductible": {"nl": "Eigen risico", "en": "Deductible"},
    "retained_mean": {"nl": "Verwacht eigen behoud/jaar", "en": "Expected retained loss/year"},
    "r100": {"nl": "Eigen behoud 1-op-100", "en": "Retained 1-in-100"},
    "r250": {"nl": "Eigen behoud 1-op-250", "en": "Retained 1-in-250"},
    "exhausted": {"nl": "Kans limiet uitgeput/jaar", "en": "P(limit exhausted)/year"},
    "tail": {"nl": "Staartopslag", "en": "Tail charge"},
    "total": {"nl": "Totale risicokosten", "en": "Total cost of risk"},
    "uncovered": {"nl": "Niet gedekt", "en": "Not covered"},
    "pi": {"nl": "Beroepsaansprakelijkheid/cyber", "en": "PI/cyber"},
    "checklist_counts": {"nl": "Checklist (in orde/deels/niet/onbekend)", "en": "Checklist (met/partly/not/unknown)"},
    "why": {"nl": "Waarom deze rangorde", "en": "Why this order"},
    "liability_uncovered": {"nl": "Aansprakelijkheid niet gedekt", "en": "Liability left uncovered"},
    "liability": {"nl": "Aansprakelijkheid: wie betaalt", "en": "Liability: who pays"},
    "loss": {"nl": "Schade", "en": "Loss"},
    "answered_by": {"nl": "Gedekt door", "en": "Answered by"},
    "none": {"nl": "geen", "en": "none"},
    "seed": {
        "nl": "Elk programma is met hetzelfde verliesmodel gesimuleerd ({trials:,} jaren, seed {seed}).",
        "en": "Every programme ran through the same loss model ({trials:,} years, seed {seed}).",
    },
}

PI_LABELS: dict[str, dict[str, str]] = {
    "met": {"nl": "sluit aan", "en": "fit"},
    "overlap": {"nl": "overlap", "en": "overlap"},
    "gap": {"nl": "gat", "en": "gap"},
    "no_pi": {"nl": "geen BA", "en": "no PI"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "not_applicable": {"nl": "n.v.t.", "en": "n/a"},
}


def _eur(value: float | None) -> str:
    return "-" if value is None else f"EUR {value:,.0f}".replace(",", ".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _evidence(result: CheckResult) -> str:
    return _cell(evidence_text(result))


def render_checklist(results: tuple[CheckResult, ...], lang: Lang) -> list[str]:
    lines = [
        f"| {_T['point'][lang]} | {_T['outcome'][lang]} | {_T['meaning'][lang]} | {_T['evidence'][lang]} |",
        "|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {_cell(r.point.get(lang))} `{r.rule}` | {STATUS_LABELS[r.status][lang]} | "
            f"{_cell(r.message.get(lang))} | {_evidence(r)} |"
        )
    return lines


def render_check(offer: Offer, results: tuple[CheckResult, ...], organisation: str, lang: Lang) -> str:
    title = f"{_T['check'][lang]}: {offer.insurer}, {offer.product} ({organisation})"
    lines = [f"# {title}", "", f"_{_T['indicative'][lang]}_", ""]
    lines += render_checklist(results, lang)
    return "\n".join(lines) + "\n"


def comparison_rows(comparison: Comparison, lang: Lang) -> list[tuple[str, list[str]]]:
    """The side-by-side rows (label, one cell per programme in rank order) that the Markdown and the
    DOCX report both show, so the two always say the same thing."""
    c = comparison
    return [
        (_T["rank"][lang], [str(r.rank) for r in c.results]),
        (
            _T["insurer"][lang],
            [" + ".join(f"{i} ({p})" for i, p in zip(r.insurers, r.products, strict=True)) for r in c.results],
        ),
        (_T["premium"][lang], [_eur(r.premium_gross_eur) for r in c.results]),
        (_T["limit"][lang], [_eur(r.limit_eur) for r in c.results]),
        (_T["deductible"][lang], [_eur(r.deductible_eur) for r in c.results]),
        (_T["retained_mean"][lang], [_eur(r.retained_mean_eur) for r in c.results]),
        (_T["r100"][lang], [_eur(r.retained_1_in_100_eur) for r in c.results]),
        (_T["r250"][lang], [_eur(r.retained_1_in_250_eur) for r in c.results]),
        (_T["exhausted"][lang], [f"{r.probability_limit_exhausted:.3%}" for r in c.results]),
        (_T["tail"][lang], [_eur(r.cost_of_risk.tail_charge_eur) for r in c.results]),
        (_T["total"][lang], [_eur(r.cost_of_risk.total_eur) for r in c.results]),
        (_T["uncovered"][lang], [", ".join(r.uncovered_coverages) or _T["none"][lang] for r in c.results]),
        (_T["pi"][lang], [PI_LABELS.get(r.pi_cyber, {lang: r.pi_cyber})[lang] for r in c.results]),
        (_T["liability_uncovered"][lang], [liability_left(r, lang) for r in c.results]),
        (
            _T["checklist_counts"][lang],
            [
                "/".join(str(r.checklist_counts.get(k, 0)) for k in ("met", "partly", "not_met", "unknown"))
                for r in c.results
            ],
        ),
    ]


def liability_left(result: ProgrammeResult, lang: Lang) -> str:
    """The kinds of liability loss the programme leaves with the firm (short labels)."""
    left = [SHORT[x.kind].get(lang) for x in result.liability if x.standing == "uncovered"]
    return ", ".join(left) or _T["none"][lang]


def liability_rows(result: ProgrammeResult, lang: Lang) -> list[tuple[str, str, str, str]]:
    """Per kind of liability loss: the loss, the parts that answer it, the outcome, and the
    checklist's word on it (with its rule id)."""
    return [
        (
            x.loss.get(lang),
            ", ".join(PART_LABELS[p].get(lang) for p in x.answered_by) or "-",
            STANDING_LABELS[x.standing].get(lang),
            f"{x.note.get(lang)} ({x.rule})",
        )
        for x in result.liability
    ]


def liability_header(lang: Lang) -> tuple[str, str, str, str]:
    return (_T["loss"][lang], _T["answered_by"][lang], _T["outcome"][lang], _T["meaning"][lang])


def uncovered_lines(result: ProgrammeResult, lang: Lang) -> list[str]:
    """One line per peril whose loss falls (in part) on coverages the programme does not cover."""
    return [
        f"{_T['uncovered'][lang]}: {p.name} ({p.share:.0%}, {', '.join(p.coverages)}) "
        f"~{_eur(p.expected_uncovered_eur)}/yr"
        for p in result.uncovered_perils
    ]


def evidence_text(result: CheckResult) -> str:
    """The clause a checklist result rests on, with its page (plain text, no Markdown)."""
    if result.evidence is None:
        return "-"
    page = f"p. {result.evidence.page}: " if result.evidence.page else ""
    return f'{page}"{result.evidence.quote}"'


def label(key: str, lang: Lang) -> str:
    """One of the report's bilingual labels."""
    return _T[key][lang]


def render_comparison(comparison: Comparison, lang: Lang) -> str:
    c = comparison
    lines = [f"# {_T['compare'][lang]}: {c.organisation}", "", f"_{_T['indicative'][lang]}_", ""]
    lines.append(_T["seed"][lang].format(trials=c.trials, seed=c.seed))
    lines.append("")
    lines.append(f"| {_T['programme'][lang]} | " + " | ".join(_cell(r.programme) for r in c.results) + " |")
    lines.append("|---|" + "---|" * len(c.results))
    for label_text, cells in comparison_rows(c, lang):
        if label_text == _T["total"][lang]:
            cells = [f"**{x}**" for x in cells]
        lines.append(f"| {label_text} | " + " | ".join(_cell(x) for x in cells) + " |")
    lines += ["", f"## {_T['why'][lang]}", ""]
    lines.append(c.tail_charge.explanation.get(lang))
    lines.append("")
    for r in c.results:
        lines.append(f"- **{r.programme}**: {r.reason.get(lang)}")
    for r in c.results:
        lines += ["", f"## {_T['check'][lang]}: {r.programme}", ""]
        if r.uncovered_perils:
            lines += [f"- {line}" for line in uncovered_lines(r, lang)]
            lines.append("")
        if r.liability:
            lines += [f"### {_T['liability'][lang]}", "", "| " + " | ".join(liability_header(lang)) + " |"]
            lines.append("|---|---|---|---|")
            lines += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in liability_rows(r, lang)]
            lines.append("")
        lines += render_checklist(r.checklist, lang)
    return "\n".join(lines) + "\n"
