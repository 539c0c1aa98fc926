"""OSCAL (NIST Open Security Controls Assessment Language) 1.0.4 JSON: the controls catalogue as an
OSCAL *catalog* and an assessment as OSCAL *assessment-results*.

Written as plain JSON from our models and checked in tests against NIST's published JSON Schemas of
OSCAL 1.0.4 (packaged copies in tests/interchange/oscal/; no network). Identifiers are stable:
control ids are ours (``ctl.mfa``), UUIDs are UUIDv5 of the ids, so exporting twice gives the same file
(except the assessment's timestamps). Our mappings (BM ref, NIS2 Art. 21(2) letters, CIS v8, ISO/IEC
27001:2022, NIST CSF 2.0) are ``props`` in the ``NS`` namespace; sources are back-matter resources.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from insurable.catalog.controls import Control
from insurable.catalog.loader import Catalog, header_of
from insurable.profile import Organisation
from insurable.underwriting.model import Assessment

OSCAL_VERSION = "1.0.4"
NS = "https://insurable.example/ns/oscal"
_ROOT = uuid.UUID("6f1c1d1e-3c43-5d1b-9a55-1a2b3c4d5e6f")


def stable_uuid(*parts: str) -> str:
    """A UUIDv5 of ``parts``: the same id always gives the same UUID."""
    return str(uuid.uuid5(_ROOT, "/".join(parts)))


def _timestamp(day: dt.date) -> str:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).isoformat()


def _prop(name: str, value: str, ns: bool = True) -> dict[str, str]:
    return {"name": name, "value": value, **({"ns": NS} if ns else {})}


def _resources(catalog: Catalog, used: set[str]) -> list[dict[str, Any]]:
    out = []
    for source in sorted(catalog.sources().values(), key=lambda s: s.id):
        if source.id not in used:
            continue
        resource: dict[str, Any] = {
            "uuid": stable_uuid("source", source.id),
            "title": source.title,
            "props": [_prop("source-id", source.id), _prop("confidence", source.tag)],
        }
        if source.url:
            resource["rlinks"] = [{"href": source.url}]
        out.append(resource)
    return out


def _control(control: Control) -> dict[str, Any]:
    props = [_prop("label", control.ref, ns=False)]
    props += [_prop("nis2-art21", letter) for letter in control.nis2_art21]
    props += [_prop("cis-v8", ref) for ref in control.cis_v8]
    props += [_prop("iso27001-2022", ref) for ref in control.iso27001]
    props += [_prop("nist-csf-2.0", ref) for ref in control.nist_csf]
    if control.cost is not None:
        props.append(_prop("effort", control.cost.effort))
    part_id = control.id.replace(".", "_")
    return {
        "id": control.id,
        "class": "insurable-control",
        "title": control.name.en,
        "props": props,
        "links": [{"href": f"#{stable_uuid('source', s)}", "rel": "reference"} for s in control.sources],
        "parts": [
            {"id": f"{part_id}_smt", "name": "statement", "prose": control.description.en},
            {"id": f"{part_id}_gdn", "name": "guidance", "prose": control.remediation.en},
            {
                "id": f"{part_id}_nl",
                "name": "overview",
                "props": [_prop("lang", "nl")],
                "title": control.name.nl,
                "prose": f"{control.description.nl}\n\n{control.remediation.nl}",
            },
        ],
    }


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """The controls catalogue as an OSCAL catalog (English prose, Dutch in an ``overview`` part)."""
    controls = catalog.controls
    header = controls.header
    used = {s for c in controls.controls for s in c.sources}
    return {
        "catalog": {
            "uuid": stable_uuid("catalog", header.id, header.version),
            "metadata": {
                "title": header.title.en,
                "last-modified": _timestamp(header.date),
                "version": header.version,
                "oscal-version": OSCAL_VERSION,
                "props": [_prop("catalogue-id", header.id), _prop("licence", header.licence)],
                "remarks": "Indicative: insurable's consolidated control list, not an insurer's requirement.",
            },
            "controls": [_control(c) for c in controls.controls],
            "back-matter": {"resources": _resources(catalog, used)},
        }
    }


_STATE = {"in_place": "satisfied", "not_applicable": "satisfied"}


def assessment_results_document(
    org: Organisation, result: Assessment, catalog: Catalog, now: dt.datetime | None = None
) -> dict[str, Any]:
    """An assessment as OSCAL assessment-results: one finding per control (satisfied or not, with the
    questions met and unmet as an observation), the verdict and premium as result props."""
    at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    name = org.name or "organisation"
    run = stable_uuid("assessment", name, at)
    observations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for status in result.controls:
        obs_uuid = stable_uuid(run, "observation", status.control_id)
        observations.append(
            {
                "uuid": obs_uuid,
                "title": f"Answers for {status.control_id}",
                "description": "Questionnaire answers read for this control. Met: "
                + (", ".join(status.met) or "none")
                + ". Unmet: "
                + (", ".join(status.unmet) or "none")
                + ".",
                "props": [_prop("control-state", status.status)],
                "methods": ["INTERVIEW"],
                "collected": at,
            }
        )
        state = _STATE.get(status.status, "not-satisfied")
        findings.append(
            {
                "uuid": stable_uuid(run, "finding", status.control_id),
                "title": f"{status.ref} {status.name.en}",
                "description": f"{status.name.en}: {status.status.replace('_', ' ')}"
                + (" (legally required under NIS2 Art. 21)" if status.legally_required else ""),
                "target": {
                    "type": "objective-id",
                    "target-id": status.control_id,
                    "status": {"state": state, **({"reason": status.status} if state == "not-satisfied" else {})},
                },
                "related-observations": [{"observation-uuid": obs_uuid}],
            }
        )
    props = [
        _prop("verdict", result.verdict),
        _prop("hazard-class", result.hazard_class),
        _prop("guideline", result.guideline.replace(" ", "_")),
        _prop("indicative", "true"),
    ]
    if result.premium is not None:
        props.append(_prop("premium-point-eur", f"{result.premium.point_eur:.0f}"))
    versions = catalog.versions()
    return {
        "assessment-results": {
            "uuid": run,
            "metadata": {
                "title": f"Indicative insurability assessment of {name}",
                "last-modified": at,
                "version": result.format_version,
                "oscal-version": OSCAL_VERSION,
                "props": [_prop("catalogue", f"{k}_{v}") for k, v in sorted(versions.items())],
            },
            "import-ap": {
                "href": f"#{stable_uuid('catalog', header_of(catalog.controls).id)}",
                "remarks": "No assessment plan: the questionnaire is the plan; the controls catalog is "
                "`insurable export oscal catalog`.",
            },
            "results": [
                {
                    "uuid": stable_uuid(run, "result"),
                    "title": f"Insurability: {result.verdict.replace('_', ' ')}",
                    "description": "Controls evidenced by the questionnaire answers, as insurable's underwriting "
                    "engine reads them. Indicative, not an insurer's offer.",
                    "start": at,
                    "props": props,
                    "reviewed-controls": {
                        "control-selections": [
                            {"include-controls": [{"control-id": s.control_id} for s in result.controls]}
                        ]
                    },
                    "observations": observations,
                    "findings": findings,
                }
            ],
        }
    }
