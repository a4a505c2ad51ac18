"""The OpenAPI description lists every endpoint, with schemas, and its pages render."""

from __future__ import annotations

import importlib
from typing import Any

from django.test import Client

from hubbub.api.main import api
from hubbub.networks.registry import NETWORKS, network_module

EXPECTED = {
    "/api/me": {"get"},
    "/api/workspaces": {"get", "post"},
    "/api/workspaces/{slug}": {"get", "patch", "delete"},
    "/api/workspaces/{slug}/members": {"get"},
    "/api/workspaces/{slug}/members/{member_id}": {"patch", "delete"},
    "/api/workspaces/{slug}/invitations": {"get", "post"},
    "/api/workspaces/{slug}/invitations/{invitation_id}": {"delete"},
    "/api/workspaces/{slug}/invitations/{invitation_id}/resend": {"post"},
    "/api/workspaces/{slug}/channels": {"get"},
    "/api/workspaces/{slug}/channels/{channel_id}": {"get", "delete"},
    "/api/workspaces/{slug}/channels/{channel_id}/check": {"post"},
    "/api/workspaces/{slug}/channels/telegram": {"post"},
    "/api/workspaces/{slug}/channels/wordpress": {"post"},
    "/api/workspaces/{slug}/channels/newsletter": {"post"},
    "/api/workspaces/{slug}/channels/newsletter/{channel_id}/subscribers": {"get", "post"},
    "/api/workspaces/{slug}/channels/newsletter/{channel_id}/subscribers/import": {"post"},
    "/api/workspaces/{slug}/channels/newsletter/{channel_id}/subscribers/export.csv": {"get"},
    "/api/workspaces/{slug}/channels/discord": {"post"},
    "/api/workspaces/{slug}/channels/slack": {"post"},
    "/api/workspaces/{slug}/channels/matrix": {"post"},
    "/api/workspaces/{slug}/audit": {"get"},
    "/api/workspaces/{slug}/tokens": {"get", "post"},
    "/api/workspaces/{slug}/tokens/{token_id}": {"delete"},
    "/api/workspaces/{slug}/posts": {"get", "post"},
    "/api/workspaces/{slug}/posts/{post_id}": {"get", "patch"},
    "/api/workspaces/{slug}/posts/{post_id}/schedule": {"post"},
    "/api/workspaces/{slug}/posts/{post_id}/cancel": {"post"},
    "/api/workspaces/{slug}/deliveries": {"get"},
    "/api/workspaces/{slug}/deliveries/{delivery_id}/send-now": {"post"},
    "/api/workspaces/{slug}/deliveries/{delivery_id}/reschedule": {"post"},
    "/api/workspaces/{slug}/deliveries/{delivery_id}/cancel": {"post"},
    "/api/workspaces/{slug}/publishing": {"get"},
    "/api/workspaces/{slug}/publishing/pause": {"post"},
    "/api/workspaces/{slug}/publishing/resume": {"post"},
    "/api/workspaces/{slug}/calendar": {"get"},
    "/api/workspaces/{slug}/channels/{channel_id}/queue-slots": {"get", "put"},
    "/api/workspaces/{slug}/next-free-slot": {"get"},
    "/api/workspaces/{slug}/posts/{post_id}/recurrence": {"post", "delete"},
    "/api/workspaces/{slug}/posts/import": {"post"},
    "/api/workspaces/{slug}/posts/export.csv": {"get"},
    "/api/workspaces/{slug}/posts/{post_id}/submit": {"post"},
    "/api/workspaces/{slug}/posts/{post_id}/approve": {"post"},
    "/api/workspaces/{slug}/posts/{post_id}/reject": {"post"},
    "/api/workspaces/{slug}/posts/{post_id}/comment": {"post"},
    "/api/workspaces/{slug}/posts/{post_id}/approval": {"get"},
    "/api/workspaces/{slug}/approvals": {"get"},
    "/api/workspaces/{slug}/approval-workflow": {"get", "put"},
    "/api/workspaces/{slug}/posts/{post_id}/review-links": {"post"},
    "/api/workspaces/{slug}/review-links/{link_id}": {"delete"},
    "/api/workspaces/{slug}/campaigns": {"get", "post"},
    "/api/workspaces/{slug}/campaigns/{campaign_id}": {"patch"},
    "/api/workspaces/{slug}/media": {"post"},
    "/api/workspaces/{slug}/webhooks": {"get", "post"},
    "/api/workspaces/{slug}/webhooks/{endpoint_id}": {"get", "patch", "delete"},
    "/api/workspaces/{slug}/webhooks/{endpoint_id}/rotate-secret": {"post"},
    "/api/workspaces/{slug}/webhooks/{endpoint_id}/test": {"post"},
    "/api/workspaces/{slug}/webhooks/{endpoint_id}/messages": {"get"},
}

# Later areas list their paths beside their tests (tests/<area>/openapi_paths.py: EXPECTED).
for _name in ("tests.inbox.openapi_paths",):
    try:
        EXPECTED.update(importlib.import_module(_name).EXPECTED)
    except ModuleNotFoundError as exc:  # an area not written yet
        if exc.name != _name:
            raise


def openapi() -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def test_it_lists_every_core_endpoint(db):
    paths = openapi()["paths"]
    for path, methods in EXPECTED.items():
        assert path in paths, f"{path} is missing from the OpenAPI description"
        assert set(paths[path]) == methods, path


def test_it_lists_every_network_connect_endpoint(db):
    paths = openapi()["paths"]
    for name in NETWORKS:
        if network_module(name, "api") is not None:
            assert any(p.startswith(f"/api/workspaces/{{slug}}/channels/{name}") for p in paths)


def test_every_operation_documents_its_answers_and_path_parameters(db):
    for path, operations in openapi()["paths"].items():
        declared = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert ok, f"{where} documents no success answer"
            in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            # A parameter of the URL read from the query instead is a routing bug.
            assert in_path == declared, f"{where}: path parameters {in_path} != {declared}"


def test_request_and_answer_bodies_have_schemas(db):
    paths = openapi()["paths"]
    invite = paths["/api/workspaces/{slug}/invitations"]["post"]
    body = invite["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/InvitationIn"}
    schemas = openapi()["components"]["schemas"]
    assert set(schemas["InvitationIn"]["required"]) == {"email", "role"}
    assert "token" in schemas["TokenCreatedOut"]["properties"]
    assert "token" not in schemas["TokenOut"]["properties"]
    assert schemas["ErrorOut"]["required"] == ["detail"]


def test_the_docs_page_renders(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_schema_is_the_one_served(db):
    assert openapi()["info"]["title"] == api.title
