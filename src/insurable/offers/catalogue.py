"""Reference checks for the offer catalogues (registered in ``catalog.references.EXTRA_CHECKS``):
every checklist rule has its evaluator and every evaluator its rule; every wording pattern compiles,
has a ``value`` group where it reads a value, and names an offer field or a coverage's field."""

from __future__ import annotations

import re

from insurable.catalog.loader import Catalog
from insurable.catalog.offers import OfferChecklistFile, OfferWordingFile
from insurable.errors import Problem

__all__ = ["check_offer_catalogues"]

#: Per-coverage fields a pattern may fill (``cov.extortion.sublimit_eur``).
COVERAGE_FIELDS = frozenset(
    {"covered", "sublimit_eur", "deductible_eur", "coinsurance", "waiting_period_hours", "indemnity_period_days"}
)


def check_offer_catalogues(catalog: Catalog) -> list[Problem]:
    from insurable.offers.check import CHECKLIST_FILE, EVALUATORS
    from insurable.offers.model import Offer

    problems: list[Problem] = []
    checklist = catalog.files.get(CHECKLIST_FILE)
    if isinstance(checklist, OfferChecklistFile):
        file = str(catalog.paths.get(CHECKLIST_FILE, CHECKLIST_FILE))
        ids = [r.id for r in checklist.rules]
        for i, rule in enumerate(checklist.rules):
            if rule.id not in EVALUATORS:
                problems.append(
                    Problem(f"rules[{i}].id", f"no evaluator for {rule.id!r} in insurable.offers.check", file)
                )
            if not rule.messages:
                problems.append(Problem(f"rules[{i}].messages", "needs at least one message", file))
        for missing in sorted(set(EVALUATORS) - set(ids)):
            problems.append(Problem("rules", f"evaluator {missing!r} has no rule in the checklist", file))
    wording = catalog.files.get("offer_wording.yaml")
    if isinstance(wording, OfferWordingFile):
        file = str(catalog.paths.get("offer_wording.yaml", "offer_wording.yaml"))
        coverages = {c.id for c in catalog.coverages.coverages} if "coverages.yaml" in catalog.files else set()
        for i, pattern in enumerate(wording.patterns):
            head, _, tail = pattern.field.rpartition(".")
            if pattern.field.startswith("cov."):
                if head not in coverages or tail not in COVERAGE_FIELDS:
                    problems.append(
                        Problem(f"patterns[{i}].field", f"{pattern.field!r}: unknown coverage or field", file)
                    )
            elif pattern.field.split(".")[0] not in Offer.model_fields:
                problems.append(Problem(f"patterns[{i}].field", f"{pattern.field!r} is no offer field", file))
            for j, regex in enumerate(pattern.anchors):
                try:
                    re.compile(regex, re.IGNORECASE)
                except re.error as exc:
                    problems.append(Problem(f"patterns[{i}].anchors[{j}]", f"does not compile: {exc}", file))
            for j, regex in enumerate(pattern.patterns):
                try:
                    compiled = re.compile(regex, re.IGNORECASE)
                except re.error as exc:
                    problems.append(Problem(f"patterns[{i}].patterns[{j}]", f"does not compile: {exc}", file))
                    continue
                if pattern.kind != "flag" and "value" not in compiled.groupindex:
                    problems.append(Problem(f"patterns[{i}].patterns[{j}]", "needs a (?P<value>...) group", file))
    return problems
