"""The plain-language summary on top of the results page and the report (issue 12, item 6).

Written for the owner of a bakery, not for an underwriter: what the verdict means and what happens
next, the first three steps of the fix-path with their euro effect, the NIS2 status with its first
duty, and one sentence on why the premium is higher than the expected annual loss. Every figure is
read from the assessment snapshot; nothing is computed here that the engine did not already decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from insurable.underwriting import Assessment
from insurable.web.i18n import Formatter, Msg, _

#: What each verdict means for the applicant, and what happens next.
MEANING: dict[str, str] = {
    "insurable": _("Insurers are likely to offer cover on standard terms."),
    "insurable_with_conditions": _("Insurers are likely to offer cover, provided you meet the conditions below."),
    "refer": _("An underwriter has to look at your case before an insurer can offer cover."),
    "incomplete": _("Some required answers are missing, so no judgement is possible yet."),
    "declined": _("As things stand, insurers are unlikely to offer cover."),
}
NEXT: dict[str, str] = {
    "insurable": _("Next: send this report to your broker and ask for quotes."),
    "insurable_with_conditions": _(
        "Next: plan the conditions (below) and send this report to your broker, who asks insurers for quotes."
    ),
    "refer": _(
        "Next: send this report to your broker. They put your case to an underwriter, who decides on cover "
        "and terms. The steps below make a yes more likely."
    ),
    "incomplete": _("Next: answer the missing questions and submit again."),
    "declined": _("Next: the steps below are what would change this; discuss them with your broker."),
}


@dataclass
class Step:
    """One fix-path step as the summary shows it."""

    name: Any
    remediation: Any
    verdict_before: str
    verdict_after: str
    value_eur: float
    premium_saving_eur: float | None
    legally_required: bool


@dataclass
class Summary:
    verdict: str
    meaning: str
    next: str
    steps: list[Step] = field(default_factory=list)
    nis2_class: str | None = None
    nis2_first_duty: Any = None
    premium_vs_loss: Msg | None = None


def summarise(a: Assessment, duties: dict[str, Any], fmt: Formatter) -> Summary:
    """The plain-language summary of assessment ``a`` (``duties``: NIS2 duty id -> catalogue entry)."""
    out = Summary(a.verdict, MEANING[a.verdict], NEXT[a.verdict])
    for p in a.path[:3]:
        saving = None
        if p.premium_before_eur is not None and p.premium_after_eur is not None:
            saving = p.premium_before_eur - p.premium_after_eur
        out.steps.append(
            Step(
                p.name,
                p.remediation,
                p.verdict_before,
                p.verdict_after,
                p.value_eur,
                saving,
                p.legally_required,
            )
        )
    if a.nis2:
        out.nis2_class = str(a.nis2.get("classification"))
        first = next(iter(a.nis2.get("duties") or ()), None)
        out.nis2_first_duty = duties.get(first) if first else None
    loss = a.loss or {}
    mean, tail = loss.get("mean_annual_loss"), loss.get("loss_1_in_100")
    if a.premium is not None and isinstance(mean, int | float) and isinstance(tail, int | float):
        out.premium_vs_loss = Msg(
            _(
                "The premium (%(premium)s a year) is more than your expected annual loss (%(mean)s) because "
                "insurance pays for the rare bad year too: once in a hundred years a loss of %(tail)s or more, "
                "plus the insurer's costs and capital."
            ),
            premium=fmt.money(a.premium.point_eur),
            mean=fmt.money(mean),
            tail=fmt.money(tail),
        )
    return out
