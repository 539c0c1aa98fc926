"""The composition of one assessment: NIS2 -> underwriting engine -> loss section -> fix-path.

:func:`insurable.underwriting.engine.assess` is one pass over the rules; this module composes the
rest around it, so no module imports back into the one that calls it. The CLI, the API's submission
and the web app call :func:`assess` here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.loader import Catalog
from insurable.profile import Organisation
from insurable.text import Text
from insurable.underwriting import engine
from insurable.underwriting.fixpath import fix_path
from insurable.underwriting.model import Assessment, Nis2Check
from insurable.underwriting.plan import improvement_plan

#: Loss-model trials per fix-path step: every step uses the same seed, so the differences between
#: steps are stable even where the level itself is noisy (common random numbers).
PATH_TRIALS = 2_000

__all__ = ["PATH_TRIALS", "assess", "input_sha256"]


def input_sha256(org: Organisation) -> str:
    """A stable hash of the organisation as read (profile and answers), to tie a report to its input."""
    canonical = json.dumps(org.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def assess(
    org: Organisation,
    catalog: Catalog,
    *,
    guideline: GuidelineFile | None = None,
    with_plan: bool = True,
    loss_trials: int | None = 50_000,
    loss_seed: int | None = None,
    path_trials: int | None = PATH_TRIALS,
    evidence: Mapping[str, Any] | None = None,
) -> Assessment:
    """The whole assessment of ``org``: verdict and terms, NIS2, loss section, fix-path and plan.

    ``loss_trials=None`` (or a catalogue without ``perils.yaml``) leaves out the loss model; then the
    fix-path ranks on the engine alone. ``path_trials`` sets the loss model's trials per path step.
    ``evidence`` (a saved scan's findings, :mod:`insurable.evidence`) is read by ``finding`` rules in
    every pass; fixing a control does not close what a scan observed.
    """
    nis2 = None
    required: frozenset[str] = frozenset()
    if "nis2.yaml" in catalog.files:
        nis2, required = engine.nis2_outcome(org, catalog)
    result = engine.assess(org, catalog, guideline=guideline, legally_required=required, nis2=nis2, evidence=evidence)
    with_loss = bool(loss_trials) and "perils.yaml" in catalog.files
    update: dict[str, object] = {
        "input_sha256": input_sha256(org),
        "nis2_check": nis2_check(org, nis2) if nis2 else None,
    }
    if with_loss and loss_trials:
        from insurable.lossmodel.section import loss_section

        update["loss"] = loss_section(org, catalog, result, trials=loss_trials, seed=loss_seed)
    if with_plan and result.verdict != "incomplete":  # completeness before judgement: no path on blanks
        retained = None
        if with_loss and path_trials:
            from insurable.lossmodel.section import expected_retained_loss, retained_key

            simulated: dict[tuple[Any, ...], float] = {}

            def retained(o: Organisation, a: Assessment) -> float:
                # Steps whose answers no loss-model effect reads (and whose terms are unchanged) give
                # the same simulation: run each distinct one once.
                key = retained_key(o, catalog, a, trials=path_trials, seed=loss_seed)
                if key not in simulated:
                    simulated[key] = expected_retained_loss(o, catalog, a, trials=path_trials, seed=loss_seed)
                return simulated[key]

        alone: dict[str, Assessment] = {}
        path, blockers = fix_path(
            org,
            catalog,
            result,
            guideline=guideline,
            required=required,
            retained=retained,
            alone=alone,
            evidence=evidence,
        )
        update["path"] = path
        update["blockers"] = blockers
        update["plan"] = improvement_plan(
            org, catalog, result, guideline=guideline, required=required, alone=alone, evidence=evidence
        )
    return result.model_copy(update=update)


#: How the questionnaire's declared status reads against the classification's outcome.
_DECLARED = {"essential": "essential", "important": "important", "not_in_scope": "out_of_scope"}


def nis2_check(org: Organisation, nis2: dict[str, object]) -> Nis2Check | None:
    """Compare the declared NIS2 status with the tool's classification (``None`` when nothing was declared)."""
    declared = org.answers.get("q.org.nis2_status")
    classified = str(nis2.get("classification"))
    if not isinstance(declared, str):
        return None
    if declared == "unknown":
        return Nis2Check(
            declared=declared,
            classified=classified,
            agrees=False,
            text=Text(
                nl=f"U gaf aan uw NIS2-status niet te weten; deze tool komt uit op '{classified}'. "
                "Controleer dat met 'insurable nis2' en neem het over in de vragenlijst.",
                en=f"You said you do not know your NIS2 status; this tool finds '{classified}'. "
                "Check it with 'insurable nis2' and use it in the questionnaire.",
            ),
        )
    agrees = _DECLARED.get(declared) == classified
    if agrees:
        text = Text(
            nl=f"De opgegeven NIS2-status ({declared}) komt overeen met de classificatie van deze tool.",
            en=f"The declared NIS2 status ({declared}) matches this tool's classification.",
        )
    else:
        text = Text(
            nl=f"Opgegeven NIS2-status '{declared}', maar deze tool komt uit op '{classified}'. Een verzekeraar "
            "leest de opgave als verklaring: laat het nagaan (insurable nis2) voordat u de aanvraag indient.",
            en=f"Declared NIS2 status '{declared}', but this tool finds '{classified}'. An insurer reads the "
            "answer as a declaration: have it checked (insurable nis2) before you apply.",
        )
    return Nis2Check(declared=declared, classified=classified, agrees=agrees, text=text)
