"""OpenAPI links: how the id in one answer feeds the next request (stateful schemathesis follows them).

FastAPI names operations ``<function>_<path with non-word characters as _>_<method>``; a test
checks that every link below resolves to an operation of the published schema.
"""

from __future__ import annotations

from typing import Any

ORG = "/api/v1/organisations/{org_id}"


def operation_id(function: str, path: str, method: str) -> str:
    return f"{function}{''.join(c if c.isalnum() else '_' for c in path)}_{method}"


def _links(source: str, targets: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {
        function: {"operationId": operation_id(function, path, method), "parameters": {"org_id": source}}
        for function, path, method in targets
    }


#: From a new organisation to what can be done with it.
ORGANISATION_CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created",
        "links": _links(
            "$response.body#/id",
            [
                ("get_organisation", ORG, "get"),
                ("get_profile", f"{ORG}/profile", "get"),
                ("patch_profile", f"{ORG}/profile", "patch"),
                ("list_answers", f"{ORG}/answers", "get"),
                ("submit", f"{ORG}/assessments", "post"),
                ("history", f"{ORG}/assessments", "get"),
                ("list_members", f"{ORG}/members", "get"),
                ("invite_member", f"{ORG}/members", "post"),
                ("list_shares", f"{ORG}/shares", "get"),
                ("organisation_audit", f"{ORG}/audit", "get"),
            ],
        ),
    }
}

#: From a submitted assessment to reading it back.
ASSESSMENT_CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created",
        "links": {
            "read_assessment": {
                "operationId": operation_id("read_assessment", f"{ORG}/assessments/{{assessment_id}}", "get"),
                "parameters": {"org_id": "$request.path.org_id", "assessment_id": "$response.body#/id"},
            }
        },
    }
}
