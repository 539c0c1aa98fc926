"""``insurable assess`` carries the NIS2 v2 outcomes: a DORA bank's Art. 21 controls stay legally
required (under DORA) without an NIS2 fine ceiling; an entity without an EU link has none."""

from __future__ import annotations

from pathlib import Path

import yaml

from insurable.assessment import assess
from insurable.catalog import Catalog
from insurable.profile import parse_organisation

EXAMPLE = Path(__file__).parents[2] / "examples" / "hospital.yaml"


def _org(**update: object):
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    data.update(update)
    return parse_organisation(data)


def test_dora_bank_controls_stay_legally_required_under_dora(catalog: Catalog):
    a = assess(_org(nis2_entity_types=["A1.3.0.1"]), catalog, with_plan=False, loss_trials=None)
    assert a.nis2 is not None
    assert a.nis2["classification"] == "essential"
    assert a.nis2["lex_specialis"] == "lex.dora"
    assert a.nis2["fine_cap_eur"] is None
    assert "art21.2.j" in a.nis2["displaced_duties"] and "art21.2.j" not in a.nis2["duties"]
    required = {c.control_id for c in a.controls if c.legally_required}
    assert {"ctl.mfa", "ctl.backup", "ctl.incident_response"} <= required


def test_no_eu_link_means_nothing_legally_required(catalog: Catalog):
    a = assess(_org(country="US", nis2_flags={"eu_services": False}), catalog, with_plan=False, loss_trials=None)
    assert a.nis2 is not None
    assert a.nis2["classification"] == "out_of_scope"
    assert a.nis2["provisional_classification"] == "essential"
    assert not any(c.legally_required for c in a.controls)


def test_registrar_has_no_art21_controls_but_registrar_duties(catalog: Catalog):
    a = assess(
        _org(nis2_entity_types=[], nis2_flags={"domain_registration": "registrar"}),
        catalog,
        with_plan=False,
        loss_trials=None,
    )
    assert a.nis2 is not None
    assert a.nis2["classification"] == "in_scope_neither"
    assert "art28.domain_data" in a.nis2["duties"]
    assert not any(c.legally_required for c in a.controls)
