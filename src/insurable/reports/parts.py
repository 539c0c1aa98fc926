"""The pieces every assessment report says the same way: verdict, premium, the summary sentences, a
fix-path step, a cost, a policy term. Markdown, text and e-mail are layouts of these pieces, so they
cannot drift apart."""

from __future__ import annotations

from insurable.reports.labels import label, money, number
from insurable.text import Lang
from insurable.underwriting.model import Assessment, ControlCost, PathStep, RuleOutcome


def verdict_text(verdict: str, lang: Lang) -> str:
    return label(verdict, lang)


def premium_text(a: Assessment, lang: Lang) -> str:
    if a.premium is None:
        return label("premium_none", lang) if a.verdict == "declined" else "-"
    p = a.premium
    return f"{money(p.point_eur, lang)} ({money(p.low_eur, lang)} - {money(p.high_eur, lang)})"


def cost_text(cost: ControlCost | None, lang: Lang) -> str:
    if cost is None:
        return "-"
    one_off = f"{money(cost.one_off_low_eur, lang)}-{number(cost.one_off_high_eur, lang)}"
    yearly = f"{money(cost.yearly_low_eur, lang)}-{number(cost.yearly_high_eur, lang)}"
    effort = label(f"effort_{cost.effort}", lang)
    return (
        f"{one_off} {label('one_off', lang)} + {yearly} {label('per_year', lang)} "
        f"({label('effort', lang)} {effort}; {cost.band} {label('employees', lang)})"
    )


#: Beyond this many years a payback is shown as "more than": the step pays in conditions, not money.
PAYBACK_HORIZON_YEARS = 10


def payback_text(step: PathStep, lang: Lang) -> str:
    """Years until premium saving + lower expected loss repay the first-year cost (money alone)."""
    if step.payback_years is None or step.payback_years > PAYBACK_HORIZON_YEARS:
        return f"> {PAYBACK_HORIZON_YEARS} {label('years', lang)} ({label('money_alone', lang)})"
    return f"{number(step.payback_years, lang, 1)} {label('years', lang)}"


def _amount(value: float | None, lang: Lang) -> str:
    return label("none", lang) if value is None else money(value, lang)


def change(before: float | None, after: float | None, lang: Lang) -> str:
    """``EUR a -> EUR b``, or one amount when nothing changed (``none`` where there is no amount)."""
    if before == after:
        return _amount(after, lang)
    return f"{_amount(before, lang)} -> {_amount(after, lang)}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def verdict_change(before: str, after: str, lang: Lang) -> str:
    if before == after:
        return verdict_text(after, lang)
    return f"{verdict_text(before, lang)} -> {verdict_text(after, lang)}"


def lifted_text(step: PathStep, lang: Lang) -> str:
    return "; ".join(r.text.get(lang).rstrip(".") for r in step.lifted) or "-"


def step_fields(step: PathStep, lang: Lang) -> list[tuple[str, str]]:
    """The figures of one fix-path step, labelled, in reading order."""
    fields = [
        (label("verdict", lang), verdict_change(step.verdict_before, step.verdict_after, lang)),
        (label("premium", lang), change(step.premium_before_eur, step.premium_after_eur, lang)),
        (label("deductible", lang), change(step.deductible_before_eur, step.deductible_after_eur, lang)),
        (label("max_limit", lang), change(step.limit_before_eur, step.limit_after_eur, lang)),
    ]
    if step.retained_loss_after_eur is not None:
        fields.append(
            (label("retained_loss", lang), change(step.retained_loss_before_eur, step.retained_loss_after_eur, lang))
        )
    fields += [
        (label("lifts", lang), lifted_text(step, lang)),
        (label("cost", lang), cost_text(step.cost, lang)),
        (label("payback", lang), payback_text(step, lang)),
    ]
    return fields


def term_text(term: RuleOutcome, lang: Lang) -> str:
    """One policy term in a line: what it says and its parameter."""
    params = []
    if term.coverage:
        params.append(term.coverage)
    if term.hours is not None:
        params.append(f"{number(term.hours, lang)} {label('hours', lang)}")
    if term.effect == "indemnity_period" and term.days is not None:
        params.append(f"{term.days} {label('days', lang)}")
    if term.effect == "retroactive_date" and term.days is not None:
        params.append(f"{label('retro_days', lang)} {term.days} {label('days', lang)}")
    if term.effect == "coinsurance" and term.factor is not None:
        params.append(f"{label('coinsurance', lang)} {number(100 * term.factor, lang)} %")
    if term.effect == "retention" and term.amount_eur is not None:
        params.append(f"{label('retention', lang)} {money(term.amount_eur, lang)}")
    return f"{term.text.get(lang)} ({'; '.join(params)})" if params else term.text.get(lang)


def summary_sentences(a: Assessment, lang: Lang, steps: int = 3) -> list[str]:
    """A short summary, e-mail ready: the verdict, the terms, the first steps, what no control lifts."""
    lines = [
        f"{label('verdict', lang)}: {verdict_text(a.verdict, lang)}.",
        f"{label('premium', lang)}: {premium_text(a, lang)}; {label('deductible', lang).lower()} "
        f"{money(a.deductible_eur, lang)}; {label('max_limit', lang).lower()} {money(a.max_limit_eur, lang)}.",
    ]
    required = [m for m in a.missing if m.required]
    if required:
        lines.append(
            f"{len(required)} {label('missing_count', lang)} ({label('required', lang)}): "
            + ", ".join(m.question_id for m in required[:5])
            + ("..." if len(required) > 5 else "")
            + "."
        )
    for step in a.path[:steps]:
        lines.append(
            f"{label('step', lang)} {step.step}: {step.name.get(lang)} - "
            f"{verdict_change(step.verdict_before, step.verdict_after, lang)}, "
            f"{label('premium', lang).lower()} {change(step.premium_before_eur, step.premium_after_eur, lang)}; "
            f"{label('cost', lang).lower()} {cost_text(step.cost, lang)}; "
            f"{label('payback', lang).lower()} {payback_text(step, lang)}."
        )
    if a.blockers:
        lines.append(
            _sentence(
                f"{label('blockers', lang)}: " + "; ".join(b.outcome.text.get(lang).rstrip(".") for b in a.blockers[:3])
            )
        )
    if a.nis2_check is not None and not a.nis2_check.agrees:
        lines.append(a.nis2_check.text.get(lang))
    return lines
