"""Render an :class:`~insurable.underwriting.model.Assessment` as Markdown (also shown as text).

One renderer for both formats keeps the CLI text, the Markdown file and (later) the HTML report
saying the same thing.
"""

from __future__ import annotations

from typing import Any

from insurable.reports.findings import FindingsSection, section_markdown
from insurable.reports.labels import label, money, number, percent
from insurable.reports.parts import cost_text, premium_text, step_fields, summary_sentences, term_text
from insurable.text import Lang
from insurable.underwriting.model import Assessment, PlanItem, RatingStep, RuleOutcome


def _value(value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _outcome(item: RuleOutcome, lang: Lang) -> str:
    parts = [f"**{item.text.get(lang)}**"]
    extra = []
    if item.coverage:
        extra.append(item.coverage)
    if item.effect == "sublimit" and item.amount_eur is not None:
        extra.append(money(item.amount_eur, lang))
    if item.effect in ("deductible_floor", "capacity_cap") and item.amount_eur is not None:
        extra.append(money(item.amount_eur, lang))
    if item.days is not None and item.effect == "subjectivity":
        extra.append(f"{item.days} {label('days', lang)}")
    if item.factor is not None:
        extra.append(f"x{item.factor:g}")
    if extra:
        parts.append(f"({'; '.join(extra)})")
    facts = []
    for fact in item.facts:
        shown = _value(fact.value, lang)
        if fact.assumed:
            shown += f" ({label('assumed', lang)})"
        facts.append(f"`{fact.id}` = {shown}")
    line = " ".join(parts)
    line += f"  \n  {label('rule', lang)} `{item.rule_id}`"
    if facts:
        line += f"; {label('because', lang)} " + ", ".join(facts)
    if item.sources:
        line += f"; {label('source', lang)}: " + "; ".join(f"{s.title} [{s.tag}]" for s in item.sources)
    return f"- {line}"


def _section(title: str, items: tuple[RuleOutcome, ...], lang: Lang) -> list[str]:
    if not items:
        return []
    return [f"## {title}", "", *(_outcome(i, lang) for i in items), ""]


def _delta(item: PlanItem, lang: Lang) -> str:
    if item.premium_delta_eur is None:
        return f"{money(item.premium_before_eur, lang)} -> {money(item.premium_after_eur, lang)}"
    sign = "+" if item.premium_delta_eur > 0 else ""
    return f"{sign}{money(item.premium_delta_eur, lang)} ({sign}{percent(item.premium_delta_pct, lang)})"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _path(a: Assessment, lang: Lang) -> list[str]:
    lines = [f"## {label('path', lang)}", "", f"_{label('path_rank', lang)}_", ""]
    if a.verdict == "incomplete":
        return [*lines, label("path_incomplete", lang), ""]
    if not a.path:
        return [*lines, label("no_path", lang), ""]
    head = [f.__getitem__(0) for f in step_fields(a.path[0], lang)]
    lines += ["| # | " + label("control", lang) + " | " + " | ".join(head) + " |", "|" + "---|" * (len(head) + 2)]
    for step in a.path:
        name = step.name.get(lang) + (f" ({label('legally_required', lang)})" if step.legally_required else "")
        cells = [_cell(value) for _, value in step_fields(step, lang)]
        lines.append(f"| {step.step} | {_cell(name)} (`{step.control_id}`) | " + " | ".join(cells) + " |")
    lines += ["", f"### {label('what_to_do', lang)}", ""]
    for step in a.path:
        lines.append(f"{step.step}. **{step.name.get(lang)}** (`{step.control_id}`): {step.remediation.get(lang)}")
    return [*lines, ""]


def _blockers(a: Assessment, lang: Lang) -> list[str]:
    if not a.blockers:
        return []
    lines = [f"## {label('blockers', lang)}", ""]
    for b in a.blockers:
        lines.append(
            f"- **{b.outcome.text.get(lang)}** ({label('kind_' + b.kind, lang)}; `{b.outcome.rule_id}`)  \n"
            f"  {label('what_instead', lang)}: {b.advice.get(lang)}"
        )
    return [*lines, ""]


def _missing(a: Assessment, lang: Lang) -> list[str]:
    if not a.missing:
        return []
    lines = [f"## {label('missing_answers', lang)}", ""]
    for m in a.missing:
        req = f" **{label('required', lang)}**" if m.required else ""
        lines.append(f"- `{m.question_id}`: {m.effect}{req} ({', '.join(f'`{r}`' for r in m.rule_ids)})")
    return [*lines, ""]


def _terms(a: Assessment, lang: Lang) -> list[str]:
    if not a.policy_terms:
        return []
    return [
        f"## {label('policy_terms', lang)}",
        "",
        *(f"- {term_text(t, lang)} (`{t.rule_id}`)" for t in a.policy_terms),
        "",
    ]


def _plan(plan: tuple[PlanItem, ...], lang: Lang) -> list[str]:
    if not plan:
        return []
    head = [
        label("control", lang),
        label("status", lang),
        label("verdict", lang),
        label("premium", lang),
        label("deductible", lang),
        label("max_limit", lang),
        label("cost", lang),
        label("ncsc", lang),
        label("nis2_letter", lang),
    ]
    rows = [
        f"## {label('plan_alone', lang)}",
        "",
        "| # | " + " | ".join(head) + " |",
        "|" + "---|" * (len(head) + 1),
    ]
    for n, item in enumerate(plan, 1):
        verdict = label(item.verdict_after, lang)
        if item.verdict_after != item.verdict_before:
            verdict = f"{label(item.verdict_before, lang)} -> **{verdict}**"
        name = item.name.get(lang) + (f" ({label('legally_required', lang)})" if item.legally_required else "")
        deductible = money(item.deductible_after_eur, lang)
        if item.deductible_after_eur != item.deductible_before_eur:
            deductible = f"{money(item.deductible_before_eur, lang)} -> **{deductible}**"
        limit = money(item.limit_after_eur, lang)
        if item.limit_after_eur != item.limit_before_eur:
            limit = f"{money(item.limit_before_eur, lang)} -> **{limit}**"
        rows.append(
            f"| {n} | {name} (`{item.control_id}`) | {label(item.status, lang)} | {verdict} | {_delta(item, lang)} "
            f"| {deductible} | {limit} | {_cell(cost_text(item.cost, lang))} | {_cell(item.ncsc_measure.get(lang))} "
            f"| {', '.join(item.nis2_art21)} |"
        )
    rows.append("")
    return rows


def render_markdown(a: Assessment, lang: Lang = "en", findings: FindingsSection | None = None) -> str:
    """The whole assessment as Markdown in ``lang``: an e-mail-ready summary first, then the details.

    ``findings``: the outside-in scan's section (issue 16), shown after the decisions it feeds.
    """
    lines = [
        f"# {label('title', lang)}: {a.organisation}",
        "",
        f"> {label('indicative', lang)}",
        "",
        f"## {label('summary', lang)}",
        "",
        *(f"- {line}" for line in summary_sentences(a, lang)),
        "",
        f"- **{label('verdict', lang)}:** {label(a.verdict, lang)}",
        f"- **{label('hazard_class', lang)}:** {a.hazard_class_name.get(lang)} (`{a.hazard_class}`)",
        f"- **{label('premium', lang)}:** {premium_text(a, lang)}",
        f"- **{label('deductible', lang)}:** {money(a.deductible_eur, lang)} "
        f"({label('requested', lang)} {money(a.requested_deductible_eur, lang)})",
        f"- **{label('requested_limit', lang)}:** {money(a.requested_limit_eur, lang)}",
        f"- **{label('max_limit', lang)}:** {money(a.max_limit_eur, lang)}",
        f"- **{label('tower', lang)}:** {a.tower_insurers}",
        "",
    ]
    lines += _missing(a, lang)
    lines += _section(label("declines", lang), a.declines, lang)
    lines += _section(label("referrals", lang), a.referrals, lang)
    lines += _section(label("exclusions", lang), a.exclusions, lang)
    lines += _section(label("sublimits", lang), a.sublimits, lang)
    lines += _section(label("subjectivities", lang), a.subjectivities, lang)
    lines += _section(label("deductible_rules", lang), a.deductible_rules, lang)
    lines += _section(label("capacity_rules", lang), a.capacity_rules, lang)
    if findings is not None:
        lines += section_markdown(findings, lang)
    lines += _path(a, lang)
    lines += _blockers(a, lang)
    lines += _plan(a.plan, lang)
    lines += _terms(a, lang)
    lines += [f"## {label('rating', lang)}", ""]
    lines += [_step(s, lang) for s in a.rating] + [""]
    lines += _section(label("modifiers", lang), a.modifiers, lang)
    lines += _section(label("classification", lang), a.classification, lang)
    lines += _section(label("standard_exclusions", lang), a.standard_exclusions, lang)
    if a.nis2:
        lines += _nis2(a.nis2, lang)
    if a.nis2_check:
        lines += [f"- **{label('nis2_check', lang)}:** {a.nis2_check.text.get(lang)}", ""]
    if a.loss:
        lines += _loss(a.loss, a, lang)
    if a.assumed_answers:
        lines += [
            f"_{label('assumed_note', lang)}: " + ", ".join(f"`{q}`" for q in a.assumed_answers) + "._",
            "",
        ]
    lines += [f"_{label('guideline', lang)}: `{a.guideline}`_", ""]
    if a.input_sha256:
        lines += [f"_{label('input', lang)}: `{a.input_sha256}`; {label('format', lang)} {a.format_version}_", ""]
    return "\n".join(lines)


def _step(step: RatingStep, lang: Lang) -> str:
    name = label(f"step_{step.name}", lang)
    value = money(step.value, lang) if step.name in ("base", "minimum_premium") else f"x{number(step.value, lang, 4)}"
    rules = f" ({', '.join(f'`{r}`' for r in step.rule_ids)})" if step.rule_ids else ""
    if step.name == "minimum_premium":
        rules = f" ({label('applied' if step.detail == 'applied' else 'not_reached', lang)})"
    return f"- {name}: {value}{rules}"


def _nis2(n: dict[str, Any], lang: Lang) -> list[str]:
    lines = [
        f"## {label('nis2', lang)}",
        "",
        f"- **{label('nis2_class', lang)}:** `{n.get('classification')}`",
        f"- **{label('nis2_size', lang)}:** `{n.get('size_category')}` ({label('employees', lang)} "
        f"{number(n.get('headcount_used') or 0, lang)}, {label('turnover', lang)} "
        f"{money(n.get('turnover_used_eur'), lang)}, {label('balance', lang)} "
        f"{money(n.get('balance_sheet_used_eur'), lang)})",
        f"- **{label('nis2_basis', lang)}:** " + "; ".join(n.get("legal_basis") or ["-"]),
        f"- **{label('nis2_fine', lang)}:** {money(n.get('fine_cap_eur'), lang)}",
    ]
    reasons = [r.get(lang, "") for r in n.get("reasons") or [] if isinstance(r, dict)]
    lines += [f"- {r}" for r in reasons if r]
    if n.get("duties"):
        lines.append(f"- **{label('nis2_duties', lang)}:** " + ", ".join(f"`{d}`" for d in n["duties"]))
    for note in n.get("notes") or []:
        text = note.get("text", {}).get(lang, "") if isinstance(note, dict) else ""
        lines.append(f"- _[{note.get('tag', '')}] {text}_")
    return [*lines, ""]


def _loss(loss: dict[str, Any], a: Assessment, lang: Lang) -> list[str]:
    lines = [
        f"## {label('loss', lang)}",
        "",
        f"- **{label('mean_loss', lang)}:** {money(loss.get('mean_annual_loss'), lang)} "
        f"({number(loss.get('trials') or 0, lang)} {label('trial_years', lang)}, seed {loss.get('seed')})",
        f"- **{label('loss_100', lang)}:** {money(loss.get('loss_1_in_100'), lang)}",
        f"- **{label('retained_insured', lang)}:** {money(loss.get('retained_mean'), lang)} / "
        f"{money(loss.get('insured_mean'), lang)}",
        f"- **{label('technical_premium', lang)}:** {money(loss.get('technical_premium'), lang)} "
        f"({label('premium', lang)}: {money(a.premium.point_eur if a.premium else None, lang)})",
        "",
    ]
    options = loss.get("deductible_options") or []
    if options:
        lines += [
            f"| {label('deductible', lang)} | {label('retained_mean', lang)} | {label('insured_mean', lang)} "
            f"| {label('technical_premium', lang)} |",
            "|---|---|---|---|",
        ]
        for o in options:
            lines.append(
                f"| {money(o.get('deductible'), lang)} | {money(o.get('retained_mean'), lang)} "
                f"| {money(o.get('insured_mean'), lang)} | {money(o.get('technical_premium'), lang)} |"
            )
        lines.append("")
    return lines
