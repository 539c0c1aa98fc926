"""``insurable assess --brief``: the assessment on one screen (80 columns, about 40 lines).

The verdict, the premium range, the deductible, the limit and tower, the first exclusions and
subjectivities, the NIS2 status with its first duty, the first five fix-path steps with their euro
effect and one line on premium versus expected loss. Every figure is read from the assessment (nothing
is computed here that the engine did not decide) and carries the rule ids that produced it; the full
report (``insurable assess`` without ``--brief``) has the reasons and sources. Plain text or Markdown,
Dutch or English; no colour codes, so it reads the same in a pipe, a mail or a ticket.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from insurable.reasons import _, gettext
from insurable.reports.labels import label, money, number
from insurable.reports.parts import change, premium_text, verdict_change, verdict_text
from insurable.text import Lang
from insurable.underwriting.model import Assessment, RuleOutcome

#: How many exclusions, subjectivities, fix-path steps and rule ids a line shows before "+n more".
TOP_TERMS = 3
TOP_STEPS = 5
TOP_RULES = 3

T_TITLE = _("Insurability in brief (indicative)")
T_VERDICT = _("Verdict")
T_PREMIUM = _("Premium (indicative, a year)")
T_DEDUCTIBLE = _("Deductible")
T_REQUESTED = _("requested %(amount)s")
T_LIMIT = _("Limit per insurer")
T_TOWER = _("tower of %(count)s insurer(s)")
T_EXCLUSIONS = _("Exclusions")
T_SUBJECTIVITIES = _("Subjectivities")
T_NONE = _("none")
T_MORE = _("+%(count)s more")
T_RULES = _("rules")
T_DAYS = _("%(days)s days")
T_MISSING = _("Missing required answers")
T_NIS2 = _("NIS2")
T_FIRST_DUTY = _("first duty: %(duty)s")
T_PATH = _("Fix-path, first %(shown)s of %(total)s steps (cumulative; saving = premium + expected retained loss)")
T_NO_PATH = _("Fix-path: no control improves verdict, conditions or premium.")
T_STEP = _("saves %(effect)s a year; premium %(premium)s")
T_VS_LOSS = _(
    "Premium %(premium)s a year vs expected annual loss %(mean)s (1-in-100 year: %(tail)s; "
    "loss model, %(trials)s trial years, seed %(seed)s)."
)
T_FULL = _("Full report with reasons and sources: insurable assess %(file)s --lang %(lang)s")


@dataclass
class Line:
    """One entry of the brief: a label (or none), its text, and sub-items (numbered or bulleted)."""

    label: str | None
    text: str
    items: list[str] = field(default_factory=list)
    numbered: bool = False


def _rules(outcomes: tuple[RuleOutcome, ...] | list[str], lang: Lang) -> str:
    ids = list(dict.fromkeys(o if isinstance(o, str) else o.rule_id for o in outcomes))
    if not ids:
        return ""
    shown = ", ".join(ids[:TOP_RULES])
    if len(ids) > TOP_RULES:
        shown += " " + gettext(lang, T_MORE) % {"count": len(ids) - TOP_RULES}
    return f" [{gettext(lang, T_RULES)}: {shown}]"


def _terms(outcomes: tuple[RuleOutcome, ...], lang: Lang) -> list[str]:
    items = []
    for o in outcomes[:TOP_TERMS]:
        days = f" ({gettext(lang, T_DAYS) % {'days': o.days}})" if o.days is not None else ""
        items.append(f"{o.text.get(lang).rstrip('.')}{days} [{o.rule_id}]")
    if len(outcomes) > TOP_TERMS:
        items.append(gettext(lang, T_MORE) % {"count": len(outcomes) - TOP_TERMS})
    return items


def _nis2(a: Assessment, duties: dict[str, Any], lang: Lang) -> Line | None:
    if not a.nis2:
        return None
    from insurable.cli.nis2_cmd import LABELS

    classification = str(a.nis2.get("classification"))
    shown = LABELS[classification][lang] if classification in LABELS else classification
    text = f"{shown} [{classification}]"
    first = next(iter(a.nis2.get("duties") or ()), None)
    if first is not None:
        duty = duties.get(first)
        named = f"{duty.article} {duty.title.get(lang)} [{first}]" if duty is not None else f"[{first}]"
        text += "; " + gettext(lang, T_FIRST_DUTY) % {"duty": named}
    return Line(gettext(lang, T_NIS2), text)


def _path(a: Assessment, lang: Lang) -> Line:
    if a.verdict == "incomplete" or not a.path:
        return Line(None, label("path_incomplete", lang) if a.verdict == "incomplete" else gettext(lang, T_NO_PATH))
    steps = a.path[:TOP_STEPS]
    items = []
    for s in steps:
        premium = change(s.premium_before_eur, s.premium_after_eur, lang)
        effect = gettext(lang, T_STEP) % {"effect": money(s.value_eur, lang), "premium": premium}
        verdict = ""
        if s.verdict_before != s.verdict_after:
            verdict = f"{verdict_change(s.verdict_before, s.verdict_after, lang)}; "
        items.append(f"{s.name.get(lang)} [{s.control_id}]: {verdict}{effect}")
    head = gettext(lang, T_PATH) % {"shown": len(steps), "total": len(a.path)}
    return Line(None, head, items, numbered=True)


def _versus_loss(a: Assessment, lang: Lang) -> Line | None:
    loss = a.loss or {}
    mean, tail = loss.get("mean_annual_loss"), loss.get("loss_1_in_100")
    if a.premium is None or not isinstance(mean, int | float) or not isinstance(tail, int | float):
        return None
    params = {
        "premium": money(a.premium.point_eur, lang),
        "mean": money(mean, lang),
        "tail": money(tail, lang),
        "trials": number(loss.get("trials") or 0, lang),
        "seed": f"{loss.get('seed')}",
    }
    return Line(None, gettext(lang, T_VS_LOSS) % params)


def brief_lines(a: Assessment, lang: Lang, duties: dict[str, Any], file: str) -> tuple[str, list[Line]]:
    """The title and the entries of the brief, in reading order."""
    rating_rules = [r for step in a.rating for r in step.rule_ids] + [m.rule_id for m in a.modifiers]
    verdict_rules = a.declines + a.referrals + a.subjectivities + a.exclusions
    lines = [
        Line(None, label("indicative", lang)),
        Line(gettext(lang, T_VERDICT), verdict_text(a.verdict, lang) + _rules(verdict_rules, lang)),
        Line(gettext(lang, T_PREMIUM), premium_text(a, lang) + _rules(rating_rules, lang)),
        Line(
            gettext(lang, T_DEDUCTIBLE),
            f"{money(a.deductible_eur, lang)} ("
            + gettext(lang, T_REQUESTED) % {"amount": money(a.requested_deductible_eur, lang)}
            + ")"
            + _rules(a.deductible_rules, lang),
        ),
        Line(
            gettext(lang, T_LIMIT),
            f"{money(a.max_limit_eur, lang)} ("
            + gettext(lang, T_REQUESTED) % {"amount": money(a.requested_limit_eur, lang)}
            + "); "
            + gettext(lang, T_TOWER) % {"count": a.tower_insurers}
            + _rules(a.capacity_rules, lang),
        ),
    ]
    required = list(dict.fromkeys(m.question_id for m in a.missing if m.required))
    if required:
        shown = ", ".join(required[:TOP_STEPS])
        if len(required) > TOP_STEPS:
            shown += " " + gettext(lang, T_MORE) % {"count": len(required) - TOP_STEPS}
        lines.append(Line(gettext(lang, T_MISSING), f"{len(required)}: {shown}"))
    for title, outcomes in ((T_EXCLUSIONS, a.exclusions), (T_SUBJECTIVITIES, a.subjectivities)):
        text = f"{len(outcomes)}" if outcomes else gettext(lang, T_NONE)
        lines.append(Line(gettext(lang, title), text, _terms(outcomes, lang)))
    nis2 = _nis2(a, duties, lang)
    if nis2 is not None:
        lines.append(nis2)
    lines.append(_path(a, lang))
    versus = _versus_loss(a, lang)
    if versus is not None:
        lines.append(versus)
    lines.append(Line(None, gettext(lang, T_FULL) % {"file": file, "lang": lang}))
    return f"{gettext(lang, T_TITLE)}: {a.organisation}", lines


def render_text(title: str, lines: list[Line], width: int = 80) -> str:
    """Plain text at ``width`` columns: labels first, sub-items indented, long lines wrapped."""
    out = [*textwrap.wrap(title, width), ""]
    for line in lines:
        head = f"{line.label}: {line.text}" if line.label else line.text
        out += textwrap.wrap(head, width, subsequent_indent="  ", break_on_hyphens=False)
        for n, item in enumerate(line.items, 1):
            mark = f"  {n}. " if line.numbered else "  - "
            out += textwrap.wrap(item, width, initial_indent=mark, subsequent_indent=" " * len(mark))
    return "\n".join(out) + "\n"


def render_markdown(title: str, lines: list[Line]) -> str:
    """Markdown: the title as a heading, each entry a paragraph or a list with its items."""
    out = [f"# {title}", ""]
    for line in lines:
        out.append(f"**{line.label}:** {line.text}" if line.label else line.text)
        if line.items:
            out.append("")
            out += [f"{n}. {item}" if line.numbered else f"- {item}" for n, item in enumerate(line.items, 1)]
        out.append("")
    return "\n".join(out)


def brief(a: Assessment, lang: Lang, duties: dict[str, Any], file: str, markdown: bool = False, width: int = 80) -> str:
    """The brief of assessment ``a`` as text (``width`` columns) or Markdown."""
    title, lines = brief_lines(a, lang, duties, file)
    return render_markdown(title, lines) if markdown else render_text(title, lines, width)
