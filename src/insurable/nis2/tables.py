"""Render the NIS2 catalogue as Markdown tables for review (docs/nis2.md, generated block).

Pure functions of the loaded catalogue; tests/nis2/test_nis2_docs.py fails when the block in
docs/nis2.md differs from :func:`render_tables` (regenerate with ``INSURABLE_REGEN=1``).
"""

from __future__ import annotations

from insurable.nis2.model import DecisionRow, Nis2File, NoteWhen, RowCondition

BEGIN = "<!-- BEGIN GENERATED: nis2 tables -->"
END = "<!-- END GENERATED: nis2 tables -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _condition(when: RowCondition) -> str:
    parts: list[str] = []
    if when.no_entity_type:
        parts.append("no Annex I/II type listed")
    if when.annex is not None or when.type_flag is not None or when.except_type_flags is not None:
        kind = "a listed type"
        if when.annex is not None:
            kind += " in Annex " + " or ".join(when.annex)
        if when.type_flag is not None:
            kind += f" with flag `{when.type_flag}`"
        if when.except_type_flags is not None:
            kind += " without flag " + " or ".join(f"`{f}`" for f in when.except_type_flags)
        parts.append(kind)
    if when.size is not None:
        parts.append("size " + " or ".join(when.size))
    if when.nis2_flags is not None:
        for name, value in when.nis2_flags:
            if value is not None:
                shown = str(value).lower() if isinstance(value, bool) else value
                parts.append(f"`nis2_flags.{name}` = {shown}")
    if when.public_administration_identified is not None:
        parts.append(
            "identified after the risk-based assessment: " + " or ".join(when.public_administration_identified)
        )
    if when.domain_registration is not None:
        parts.append("provides domain name registration services" if when.domain_registration else "no registrar")
    if when.eu_link is not None:
        parts.append("EU link (Art. 2(1)): " + " or ".join(when.eu_link))
    return " AND ".join(parts) or "always"


def _row(i: int, row: DecisionRow) -> str:
    gate = "gate: " if row.gate else ""
    return (
        f"| {i} | `{row.id}` | {gate}{_cell(_condition(row.when))} | **{row.classification}** | "
        f"{'; '.join(row.legal_basis)} | {_cell(row.reason.en)} |"
    )


def _note_when(when: NoteWhen) -> str:
    parts = [f"{name} = {', '.join(v) if isinstance(v, tuple) else v}" for name, v in when if v is not None]
    return "; ".join(parts)


def render_tables(nis2: Nis2File) -> str:
    """Size ceilings, decision table, entity types, duties, fines and notes as Markdown."""
    out = [BEGIN, "", f"Catalogue `{nis2.header.id}` version {nis2.header.version}.", ""]
    out += ["### Size ceilings (Recommendation 2003/361/EC Annex Art. 2)", ""]
    out += ["| Category | Staff below | Turnover at most (EUR) | and/or balance sheet at most (EUR) |"]
    out += ["|---|---|---|---|"]
    for c in nis2.size_ceilings:
        out.append(f"| {c.category} | {c.staff_below:g} | {c.turnover_eur:,.0f} | {c.balance_eur:,.0f} |")
    out += ["", "Anything that exceeds the medium ceilings is **large**.", ""]
    out += ["### Decision table", ""]
    out += [
        "First matching row decides; other matching rows of the same classification add their basis. "
        "Gate rows are read after the others and replace an in-scope outcome when they match.",
        "",
    ]
    out += ["| # | Row | When | Classification | Legal basis | Reason |", "|---|---|---|---|---|---|"]
    out += [_row(i, row) for i, row in enumerate(nis2.decision_table, start=1)]
    out += ["", "### Entity types (Annex I and II)", ""]
    out += ["| Id | Annex | Sector | Subsector | Type | Defined in | Flags |", "|---|---|---|---|---|---|---|"]
    for t in nis2.entity_types:
        sub = t.subsector.en if t.subsector is not None else ""
        flags = ", ".join(f"`{f}`" for f in t.flags)
        out.append(
            f"| `{t.id}` | {t.annex} | {_cell(t.sector.en)} | {_cell(sub)} | {_cell(t.name.en)} | "
            f"{_cell(t.legal_reference)} | {flags} |"
        )
    out += ["", "### Duties", ""]
    out += ["| Id | Article | Duty | Applies to | Controls |", "|---|---|---|---|---|"]
    for d in nis2.duties:
        applies = ", ".join(d.applies.classifications)
        if d.applies.type_flag is not None:
            applies += f"; with `{d.applies.type_flag}`"
        if d.applies.any_flag is not None:
            applies += "; with " + " or ".join(f"`{f}`" for f in d.applies.any_flag)
        controls = []
        if d.art21_letter is not None:
            controls.append(f"controls.yaml `nis2_art21` contains {d.art21_letter}")
        if d.art20:
            controls.append("controls marked `nis2_art20`")
        controls += [f"`{c}`" for c in d.controls]
        out.append(f"| `{d.id}` | {d.article} | {_cell(d.title.en)} | {applies} | {'; '.join(controls)} |")
    out += ["", "### Sector acts (Art. 4(1))", ""]
    out += ["| Id | Act | Governs types with | Unless | Legal basis | Takes over | Fine ceiling |"]
    out += ["|---|---|---|---|---|---|---|"]
    for lex in nis2.lex_specialis:
        unless = f"`nis2_flags.{lex.exempt_flag}`" if lex.exempt_flag else ""
        out.append(
            f"| `{lex.id}` | {_cell(lex.act.en)} | `{lex.type_flag}` (every listed type) | {unless} | "
            f"{'; '.join(lex.legal_basis)} | {', '.join(f'`{d}`' for d in lex.displaces)} | "
            f"{'taken over' if lex.displaces_fine else 'stays'} |"
        )
    out += ["", "### Fine ceilings (Art. 34)", ""]
    head = ("Classification", "Article", "For infringements of", "Fixed (EUR)", "Share of worldwide turnover")
    out += ["| " + " | ".join(head) + " | Other infringements |"]
    out += ["|---|---|---|---|---|---|"]
    for f in nis2.fines:
        out.append(
            f"| {f.classification} | {f.article} | {' or '.join(f.infringements)} | {f.fixed_eur:,.0f} | "
            f"{f.turnover_share:.1%} | {f.other_penalties} |"
        )
    out += ["", "### Notes", ""]
    out += ["| Id | Tag | Shown when | Note | Sources |", "|---|---|---|---|---|"]
    for n in nis2.notes:
        out.append(
            f"| `{n.id}` | [{n.tag}] | {_cell(_note_when(n.when))} | {_cell(n.text.en)} | {', '.join(n.sources)} |"
        )
    out += ["", END]
    return "\n".join(out)


def replace_block(document: str, block: str) -> str:
    """``document`` with the text between BEGIN and END (inclusive) replaced by ``block``."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + block + document[end:]
