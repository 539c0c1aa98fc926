"""The structure of a CISO Assistant library file, as a JSON Schema (the part ``export ciso-assistant``
writes): library header, ``reference_controls``, ``framework`` with ``requirement_nodes`` and their
``questions``, and ``requirement_mapping_sets``. Written from CISO Assistant's library documentation
(tools/README.md and the library objects pages of intuitem/ciso-assistant-community); the tests also
check what a schema cannot say (parents and referenced urns exist, depth follows the parent)."""

from __future__ import annotations

from typing import Any

URN = {"type": "string", "pattern": r"^urn:[a-z0-9_-]+:risk:[a-z_]+:[^\s]+$"}
_TRANSLATIONS = {
    "type": "object",
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
}
_CHOICE = {
    "type": "object",
    "required": ["urn", "value"],
    "properties": {"urn": URN, "value": {"type": "string"}, "add_score": {"type": "number"}},
    "additionalProperties": False,
}
_QUESTION = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"enum": ["unique_choice", "multiple_choice", "text", "date"]},
        "text": {"type": "string", "minLength": 1},
        "choices": {"type": "array", "minItems": 2, "items": _CHOICE},
    },
    "additionalProperties": False,
}
_NODE = {
    "type": "object",
    "required": ["urn", "assessable", "depth"],
    "properties": {
        "urn": URN,
        "assessable": {"type": "boolean"},
        "depth": {"type": "integer", "minimum": 1},
        "parent_urn": URN,
        "ref_id": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "annotation": {"type": "string"},
        "reference_controls": {"type": "array", "items": URN},
        "questions": {"type": "object", "propertyNames": URN, "additionalProperties": _QUESTION},
        "translations": _TRANSLATIONS,
    },
    "additionalProperties": False,
}
_REFERENCE_CONTROL = {
    "type": "object",
    "required": ["urn", "ref_id", "name"],
    "properties": {
        "urn": URN,
        "ref_id": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "category": {"enum": ["policy", "process", "technical", "physical", "procedure"]},
        "csf_function": {"enum": ["govern", "identify", "protect", "detect", "respond", "recover"]},
        "translations": _TRANSLATIONS,
    },
    "additionalProperties": False,
}
_MAPPING = {
    "type": "object",
    "required": ["source_requirement_urn", "target_requirement_urn", "relationship"],
    "properties": {
        "source_requirement_urn": URN,
        "target_requirement_urn": URN,
        "relationship": {"enum": ["equal", "subset", "superset", "intersect", "not_related"]},
        "rationale": {"enum": ["syntactic", "semantic", "functional"]},
        "strength_of_relationship": {"type": "integer", "minimum": 0, "maximum": 10},
    },
    "additionalProperties": False,
}


def library_schema() -> dict[str, Any]:
    """The JSON Schema of the library file (published as schemas/ciso-assistant-library.schema.json)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://insurable.example/schemas/ciso-assistant-library.schema.json",
        "title": "CISO Assistant library as insurable export ciso-assistant writes it",
        "type": "object",
        "required": ["urn", "locale", "ref_id", "name", "version", "provider", "objects"],
        "properties": {
            "urn": URN,
            "locale": {"type": "string", "pattern": "^[a-z]{2}$"},
            "ref_id": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "copyright": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "publication_date": {"type": "string", "format": "date"},
            "provider": {"type": "string"},
            "packager": {"type": "string"},
            "translations": _TRANSLATIONS,
            "dependencies": {"type": "array", "items": URN},
            "objects": {
                "type": "object",
                "properties": {
                    "reference_controls": {"type": "array", "items": _REFERENCE_CONTROL},
                    "framework": {
                        "type": "object",
                        "required": ["urn", "ref_id", "name", "requirement_nodes"],
                        "properties": {
                            "urn": URN,
                            "ref_id": {"type": "string"},
                            "name": {"type": "string"},
                            "description": {"type": "string"},
                            "translations": _TRANSLATIONS,
                            "requirement_nodes": {"type": "array", "minItems": 1, "items": _NODE},
                        },
                        "additionalProperties": False,
                    },
                    "requirement_mapping_sets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["urn", "ref_id", "source_framework_urn", "target_framework_urn"],
                            "properties": {
                                "urn": URN,
                                "ref_id": {"type": "string"},
                                "name": {"type": "string"},
                                "description": {"type": "string"},
                                "source_framework_urn": URN,
                                "target_framework_urn": URN,
                                "requirement_mappings": {"type": "array", "items": _MAPPING},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }
