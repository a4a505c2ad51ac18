"""Outgoing events of the inbox: "conversation.created" to signed webhooks, and the
"inbox.new_conversation" alert to destinations (fresh conversations only, not a backfill)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import respx
import time_machine

from hubbub.inbox import events
from hubbub.inbox.models import Conversation, Customer, Identity
from hubbub.networks.models import Channel
from hubbub.notify import actions
from hubbub.webhooks import actions as webhook_actions
from tests.notify.conftest import SLACK_URL

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def conversation(acme) -> Conversation:
    channel = Channel(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )
    channel.credentials = {"handle": "acme.bsky.social", "app_password": "x"}
    channel.save()
    customer = Customer.objects.create(workspace=acme, name="Dan")
    identity = Identity.objects.create(
        workspace=acme,
        customer=customer,
        network="bluesky",
        external_id="did:plc:dan",
        handle="dan.bsky.social",
        name="Dan <Admin>",
    )
    return Conversation.objects.create(
        workspace=acme,
        channel=channel,
        kind="mention",
        thread_key="t1",
        identity=identity,
        customer=customer,
        subject="x" * 200,  # the longest a subject is (Conversation.subject)
        opened_at=NOW,
        last_message_at=NOW,
    )


def test_a_new_conversation_is_announced_signed_to_subscribed_endpoints(
    owner, conversation, django_capture_on_commit_callbacks
):
    webhook_actions.create_endpoint(
        owner, "https://hooks.example.com/crm", "CRM", ["conversation.created"]
    )
    webhook_actions.create_endpoint(
        owner, "https://hooks.example.com/posts", "Posts", ["delivery.published"]
    )
    with respx.mock(assert_all_mocked=True) as router, time_machine.travel(NOW, tick=False):
        crm = router.post("https://hooks.example.com/crm").respond(200)
        with django_capture_on_commit_callbacks(execute=True):
            events.conversation_created(conversation)
    [call] = crm.calls
    assert call.request.headers["webhook-signature"].startswith("v1,")
    body = json.loads(call.request.content)
    assert body["event"] == "conversation.created"
    data = body["data"]
    assert (data["id"], data["kind"], data["status"]) == (conversation.pk, "mention", "open")
    assert data["customer"] == {"handle": "dan.bsky.social", "name": "Dan <Admin>"}
    assert len(data["subject"]) == 140 and data["subject"].endswith("…")
    assert data["url"].endswith(f"/w/acme/inbox/{conversation.pk}/")


def test_nothing_is_queued_when_nobody_listens(conversation, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        events.conversation_created(conversation)


def test_fresh_conversations_alert_destinations_but_a_backfill_does_not(
    owner, conversation, django_capture_on_commit_callbacks
):
    actions.create_destination(
        owner, "slack", "#inbox", {"webhook_url": SLACK_URL}, ["inbox.new_conversation"]
    )
    with respx.mock(assert_all_mocked=True) as router:
        slack = router.post(SLACK_URL).respond(200, text="ok")
        for later in (timedelta(minutes=2), timedelta(days=2)):
            with (
                time_machine.travel(NOW + later, tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                events.conversation_created(conversation)
    [call] = slack.calls
    assert (
        "New conversation from dan.bsky.social on Bluesky"
        in json.loads(call.request.content)["text"]
    )


def test_a_broken_webhook_never_breaks_ingestion(conversation, monkeypatch):
    from hubbub.webhooks import sending

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(events, "_listened", lambda *a: True)
    monkeypatch.setattr(sending, "queue_event", explode)
    events.conversation_created(conversation)  # logged, not raised


def test_a_batch_looks_up_listeners_once_per_workspace_and_announces_each(
    owner, conversation, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    second = Conversation.objects.create(
        workspace=conversation.workspace,
        channel=conversation.channel,
        kind="comment",
        thread_key="t2",
        identity=conversation.identity,
        customer=conversation.customer,
        subject="Where is my order?",
        opened_at=NOW,
        last_message_at=NOW,
    )
    # Nobody listens: two lookups for the whole batch, however many conversations it holds.
    with django_assert_max_num_queries(2):
        events.conversations_created([conversation, second])
    webhook_actions.create_endpoint(
        owner, "https://hooks.example.com/crm", "CRM", ["conversation.created"]
    )
    with respx.mock(assert_all_mocked=True) as router, time_machine.travel(NOW, tick=False):
        crm = router.post("https://hooks.example.com/crm").respond(200)
        with django_capture_on_commit_callbacks(execute=True):
            events.conversations_created([conversation, second])
    ids = sorted(json.loads(call.request.content)["data"]["id"] for call in crm.calls)
    assert ids == sorted([conversation.pk, second.pk])
