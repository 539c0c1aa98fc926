"""Insurance words explained for a non-expert (issue 12, item 6): shown as a tooltip on the word
(``title``, and a link to the glossary at the foot of the page so a phone user can tap it)."""

from __future__ import annotations

from insurable.web.i18n import _

#: term id -> (the word, what it means). Interface text, so it goes through gettext like the rest.
TERMS: dict[str, tuple[str, str]] = {
    "premium": (_("Premium"), _("What you pay the insurer each year for the cover.")),
    "deductible": (_("Deductible"), _("The part of each claim you pay yourself before the insurer pays.")),
    "limit": (_("Limit"), _("The most the insurer pays in a policy year.")),
    "sublimit": (_("Sublimit"), _("A lower maximum for one kind of loss, within the limit.")),
    "exclusion": (_("Exclusion"), _("A kind of loss the policy does not pay for.")),
    "subjectivity": (
        _("Condition (subjectivity)"),
        _("Something you must do, often within a set number of days, for the cover to hold."),
    ),
    "hazard_class": (
        _("Hazard class"),
        _("How risky the insurer considers your kind of business, before looking at your security."),
    ),
    "expected_loss": (
        _("Expected annual loss"),
        _("What cyber incidents are estimated to cost you in an average year, over many simulated years."),
    ),
    "return_period": (
        _("1-in-100-year loss"),
        _("A yearly loss so large that it is exceeded only once in a hundred years on average."),
    ),
    "referral": (
        _("Referral"),
        _("The guideline cannot decide on its own: an underwriter (a person at the insurer) decides."),
    ),
}
