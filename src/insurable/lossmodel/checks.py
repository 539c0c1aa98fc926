"""Catalogue check the loss model needs (registered in ``catalog.references.EXTRA_CHECKS``).

Common random numbers make a control lower the loss in every trial-year only when it lowers the
frequency and the severity each, not just their product (docs/lossmodel.md): an effect that fires
with the control in place must have frequency <= 1 and severity <= 1, one that fires without it
>= 1 each.
"""

from __future__ import annotations

from insurable.catalog.loader import Catalog
from insurable.catalog.perils import PerilsFile
from insurable.errors import Problem


def check_effect_dimensions(catalog: Catalog) -> list[Problem]:
    """Every effect linked to a control moves frequency and severity the same way as the control."""
    model = catalog.files.get("perils.yaml")
    if not isinstance(model, PerilsFile):
        return []
    file = str(catalog.paths.get("perils.yaml", catalog.directory / "perils.yaml"))
    problems: list[Problem] = []
    for i, peril in enumerate(model.perils):
        for j, effect in enumerate(peril.effects):
            if effect.control is None:
                continue
            for name in ("frequency", "severity"):
                value = getattr(effect, name)
                wrong = value > 1 if effect.in_place else value < 1
                if wrong:
                    state = "in place" if effect.in_place else "missing"
                    problems.append(
                        Problem(
                            f"perils[{i}].effects[{j}].{name}",
                            f"{effect.id} fires with {effect.control} {state} and multiplies the {name} by "
                            f"{value:g}: having the control must not raise the frequency or the severity "
                            "(each on its own, so that it lowers the loss in every simulated year)",
                            file,
                        )
                    )
    return problems
