"""The OpenAPI description at /api/v1/openapi.json is whole: every reference in it points to a
part of the document, so a client generated from it (or a schema-driven tester) reads every
route's body. The meeting record's attendance rows pointed to "#/$defs/AttendanceIn", which the
document does not have."""

from __future__ import annotations

import pytest


def _refs(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.append(node["$ref"])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.mark.django_db
def test_every_reference_of_the_openapi_document_resolves(client):
    document = client.get("/api/v1/openapi.json").json()
    refs = _refs(document, [])
    assert refs  # the responses refer to their schemas
    unresolved = []
    for ref in sorted(set(refs)):
        try:
            _resolve(document, ref)
        except (KeyError, AssertionError):
            unresolved.append(ref)
    assert unresolved == []


@pytest.mark.django_db
def test_the_meeting_record_body_documents_its_attendance_rows(client):
    document = client.get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/party/meetings/{meeting_id}/record"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    row = body["properties"]["attendance"]["items"]
    assert set(row["properties"]) == {"member_id", "status", "reason"}
    assert set(row["required"]) == {"member_id", "status"}
