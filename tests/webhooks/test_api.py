"""The webhooks API: the same actions as the page, the secret in two answers only."""

from __future__ import annotations

import time_machine

from hubbub.webhooks.models import WebhookEndpoint
from tests.api.conftest import Api
from tests.webhooks.conftest import NOW, Receiver


def test_create_list_change_and_delete(alice_api: Api):
    with time_machine.travel(NOW, tick=False):  # summer: Paris is UTC+2
        created = alice_api.post(
            "/workspaces/acme/webhooks",
            {"url": "https://hooks.example.com/in", "events": ["delivery.needs_attention"]},
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["delivery.needs_attention"]
    assert body["created_by"] == "alice@example.com"
    assert body["created_at"] == "2026-06-01T12:00:00+02:00"  # Acme is in Paris
    endpoint_id = body["id"]

    listed = alice_api.get("/workspaces/acme/webhooks").json()
    assert [e["id"] for e in listed] == [endpoint_id]
    assert "secret" not in listed[0]

    changed = alice_api.patch(
        f"/workspaces/acme/webhooks/{endpoint_id}", {"is_active": False, "description": "CRM"}
    )
    assert changed.status_code == 200
    assert (changed.json()["is_active"], changed.json()["description"]) == (False, "CRM")
    assert alice_api.get(f"/workspaces/acme/webhooks/{endpoint_id}").json()["is_active"] is False

    rotated = alice_api.post(f"/workspaces/acme/webhooks/{endpoint_id}/rotate-secret")
    assert rotated.json()["secret"] == WebhookEndpoint.objects.get().secret
    assert rotated.json()["secret"] != body["secret"]

    assert alice_api.delete(f"/workspaces/acme/webhooks/{endpoint_id}").status_code == 204
    assert alice_api.get(f"/workspaces/acme/webhooks/{endpoint_id}").status_code == 404


def test_bad_input_names_the_field(alice_api: Api):
    answer = alice_api.post("/workspaces/acme/webhooks", {"url": "https://10.0.0.1/in"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "url"
    assert "private or local address" in answer.json()["detail"]
    answer = alice_api.post(
        "/workspaces/acme/webhooks", {"url": "https://hooks.example.com/in", "events": ["nope"]}
    )
    assert (answer.status_code, answer.json()["field"]) == (400, "events")


def test_test_event_and_messages(alice_api: Api, hook, receiver: Receiver):
    endpoint, _secret = hook
    tested = alice_api.post(f"/workspaces/acme/webhooks/{endpoint.pk}/test")
    assert tested.status_code == 200
    assert (tested.json()["status"], tested.json()["response_status"]) == ("sent", 200)
    messages = alice_api.get(f"/workspaces/acme/webhooks/{endpoint.pk}/messages").json()
    assert [m["event"] for m in messages] == ["webhook.test"]
    assert messages[0]["id"] == receiver.requests[0].headers["webhook-id"]
    assert messages[0]["payload"]["workspace"] == "acme"
    assert (
        alice_api.get(f"/workspaces/acme/webhooks/{endpoint.pk}/messages", status="failed").json()
        == []
    )
    bad = alice_api.get(f"/workspaces/acme/webhooks/{endpoint.pk}/messages", status="lost")
    assert bad.status_code == 400


def test_an_editor_is_refused(bob_api: Api):
    answer = bob_api.post("/workspaces/acme/webhooks", {"url": "https://hooks.example.com/in"})
    assert answer.status_code == 403
    assert "Editor" in answer.json()["detail"]
    assert not WebhookEndpoint.objects.exists()
