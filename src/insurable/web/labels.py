"""Interface names for the engine's ids (verdicts, control states, NIS2 classes, relations)."""

from __future__ import annotations

from insurable.web.i18n import _

VERDICTS = {
    "insurable": _("Insurable"),
    "insurable_with_conditions": _("Insurable with conditions"),
    "refer": _("Referred to an underwriter"),
    "incomplete": _("Incomplete: required answers missing"),
    "declined": _("Declined"),
}
CONTROL_STATES = {
    "in_place": _("in place"),
    "partial": _("partial"),
    "missing": _("missing"),
    "not_applicable": _("not applicable"),
}
NIS2_CLASSES = {
    "essential": _("Essential entity"),
    "important": _("Important entity"),
    "out_of_scope": _("Not in scope of NIS2"),
    "in_scope_neither": _("In scope of NIS2, neither essential nor important"),
    "not_assessed": _("NIS2 not assessed: a fact is missing"),
}
NIS2_SIZES = {
    "micro": _("micro enterprise"),
    "small": _("small enterprise"),
    "medium": _("medium-sized enterprise"),
    "large": _("large enterprise"),
}
RELATIONS = {
    "owner": _("owner"),
    "member": _("member"),
    "broker": _("broker"),
    "underwriter": _("underwriter"),
    "admin": _("administrator"),
}
