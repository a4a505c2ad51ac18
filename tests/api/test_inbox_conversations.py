"""The inbox through the API: the list (filters, search, pages), one conversation, replies,
notes, assignment, status, tags, priority, bulk, moderation of messages and customers."""

# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation, Direction, Message, Note, SavedReply, Status
from hubbub.networks.models import Channel
from hubbub.publishing.models import DeliveryStatus
from tests.api.conftest import Api, session_api
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    NOW,
    chan,
    clock,
    conversation,
    inbox_network,
    make_conversation,
)

pytestmark = pytest.mark.django_db
C = "/workspaces/acme/conversations"


@pytest.fixture
def as_role(acme: Workspace, make_user: Callable[..., User]) -> Callable[[str], Api]:
    """as_role("analyst") → an API client of a new member of Acme in that role."""

    def make(role: str) -> Api:
        user = make_user(f"{role}@example.com")
        Membership.objects.create(workspace=acme, user=user, role=role)
        return session_api(user)

    return make


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def several(chan: Channel, alice: User, clock) -> list[Conversation]:
    made = []
    texts = [
        "Mon colis est arrivé abîmé",
        "Where is my order? It is late",
        "Merci pour l'été !",
        "The box arrived open, please refund",
    ]
    for index, text in enumerate(texts):
        conversation = make_conversation(
            chan, text=text, external_id=f"x{index}", author=f"p{index}"
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=NOW - timedelta(hours=4 - index)
        )
        made.append(conversation)
    Conversation.objects.filter(pk=made[1].pk).update(assignee=alice, status=Status.PENDING)
    return made


def test_the_list_filters_searches_and_orders(alice_api, several):
    a, b, c, d = (x.pk for x in several)
    assert ids(alice_api.get(C)) == [d, c, b, a]
    assert ids(alice_api.get(C, order="oldest")) == [a, b, c, d]
    assert ids(alice_api.get(C, status="pending")) == [b]
    assert ids(alice_api.get(C, status="open,closed")) == [d, c, a]
    assert ids(alice_api.get(C, assignee="me")) == [b]
    assert ids(alice_api.get(C, assignee="none")) == [d, c, a]
    item = alice_api.get(C, assignee="me").json()["items"][0]
    assert item["assignee"] == "alice@example.com"
    assert item["status"] == "pending"
    assert item["author"]["handle"] == "@p1"
    assert item["last_message_at"] == "2026-06-01T09:00:00+02:00"  # Paris time, with offset


def test_search_ignores_case_and_accents_and_keeps_phrases(alice_api, several):
    a, _b, c, d = (x.pk for x in several)
    assert ids(alice_api.get(C, q="abime")) == [a]
    assert ids(alice_api.get(C, q="ÉTÉ")) == [c]
    assert ids(alice_api.get(C, q="ete merci")) == [c]
    assert ids(alice_api.get(C, q='"box arrived"')) == [d]
    assert ids(alice_api.get(C, q='"arrived box"')) == []
    assert ids(alice_api.get(C, q="refund", status="closed")) == []


def test_pages_follow_the_cursor_to_the_end(alice_api, several):
    first = alice_api.get(C, limit=3).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    second = alice_api.get(C, limit=3, cursor=first["next_cursor"]).json()
    assert [i["id"] for i in second["items"]] == [several[0].pk]
    assert second["next_cursor"] is None


def test_bad_list_parameters_are_named(alice_api, several):
    response = alice_api.get(C, status="done")
    assert response.status_code == 400
    assert response.json()["field"] == "status"
    assert "open, pending, closed" in response.json()["detail"]
    response = alice_api.get(C, cursor="nonsense")
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"
    response = alice_api.get(C, order="newest")
    assert response.status_code == 400
    assert "recent, oldest, due" in response.json()["detail"]
    assert alice_api.get(C, limit=201).status_code == 422


def test_a_client_viewer_may_not_read_the_inbox(as_role, several):
    response = as_role(Role.CLIENT_VIEWER).get(C)
    assert response.status_code == 403
    assert "inbox.view" in response.json()["detail"]
    assert as_role(Role.ANALYST).get(C).status_code == 200


# --- one conversation ---------------------------------------------------------------------


def test_one_conversation_with_messages_notes_and_due(alice_api, conversation, alice, clock):
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due_at=NOW + timedelta(minutes=30)
    )
    Note.objects.create(conversation=conversation, author=alice, text="VIP customer")
    body = alice_api.get(f"{C}/{conversation.pk}").json()
    assert [m["text"] for m in body["messages"]] == ["Where is my order?"]
    assert body["messages"][0]["direction"] == "in"
    assert body["messages"][0]["author"]["name"] == "Carol Jones"
    assert [n["text"] for n in body["notes"]] == ["VIP customer"]
    assert body["due"]["kind"] == "first_response"
    assert body["due"]["due_at"] == "2026-06-01T12:30:00+02:00"
    assert body["due"]["seconds_left"] == 1800
    assert body["due"]["breached"] is False
    messages = alice_api.get(f"{C}/{conversation.pk}/messages").json()
    assert messages["total"] == 1
    assert messages["items"][0]["id"] == body["messages"][0]["id"]


def test_another_workspaces_conversation_is_not_found(alice_api, globex, inbox_network):
    theirs = make_conversation(
        Channel.objects.create(workspace=globex, network="fakeinbox", external_id="g", handle="@g"),
        author="dave",
    )
    for path in ("", "/messages"):
        response = alice_api.get(f"{C}/{theirs.pk}{path}")
        assert response.status_code == 404
        assert "this workspace" in response.json()["detail"]
    response = alice_api.post(f"{C}/{theirs.pk}/status", {"status": "closed"})
    assert response.status_code == 404
    assert Conversation.objects.get(pk=theirs.pk).status == Status.OPEN


# --- replies ------------------------------------------------------------------------------


def test_a_reply_is_created_with_its_delivery(alice_api, conversation, clock):
    response = alice_api.post(f"{C}/{conversation.pk}/replies", {"text": "On its way!"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "out"
    assert body["text"] == "On its way!"
    assert body["sent_by"] == "alice@example.com"
    assert body["delivery"]["status"] == DeliveryStatus.SCHEDULED
    assert body["in_reply_to"] == "m1"
    stored = Message.objects.get(pk=body["id"])
    assert stored.direction == Direction.OUTBOUND
    assert Conversation.objects.get(pk=conversation.pk).status == Status.PENDING
    assert AuditEntry.objects.filter(action="conversation.reply", via="api").exists()


def test_a_saved_reply_is_filled_in(alice_api, conversation, acme, clock):
    saved = SavedReply.objects.create(
        workspace=acme, title="Thanks", language="en", text="Thanks {first_name}!"
    )
    response = alice_api.post(f"{C}/{conversation.pk}/replies", {"saved_reply_id": saved.pk})
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "Thanks Carol!"


def test_a_bad_reply_is_refused_with_a_reason(alice_api, conversation, globex, clock):
    response = alice_api.post(f"{C}/{conversation.pk}/replies", {"text": "   "})
    assert response.status_code == 400
    assert response.json()["detail"]
    other = SavedReply.objects.create(workspace=globex, title="G", language="en", text="x")
    response = alice_api.post(
        f"{C}/{conversation.pk}/replies", {"text": "hi", "saved_reply_id": other.pk}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "saved_reply_id"
    response = alice_api.post(
        f"{C}/{conversation.pk}/replies", {"text": "hi", "to_message_id": 999999}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "to_message_id"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_an_analyst_may_read_but_not_reply(as_role, conversation, clock):
    analyst = as_role(Role.ANALYST)
    assert analyst.get(f"{C}/{conversation.pk}").status_code == 200
    response = analyst.post(f"{C}/{conversation.pk}/replies", {"text": "hi"})
    assert response.status_code == 403
    assert "inbox.reply" in response.json()["detail"]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


# --- working the conversation -------------------------------------------------------------


def test_notes_assignment_status_tags_and_priority(alice_api, conversation, bob, clock):
    url = f"{C}/{conversation.pk}"
    response = alice_api.post(f"{url}/notes", {"text": "Ask @bob about it"})
    assert response.status_code == 201, response.content
    assert response.json()["mentions"] == ["bob@example.com"]

    response = alice_api.post(f"{url}/assign", {"user_id": bob.pk})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "bob@example.com"
    assert alice_api.post(f"{url}/assign", {"user_id": None}).json()["assignee"] is None

    response = alice_api.post(f"{url}/tags", {"add": ["billing", "VIP"]})
    assert response.json()["tags"] == ["VIP", "billing"]
    response = alice_api.post(f"{url}/tags", {"remove": ["vip"]})
    assert response.json()["tags"] == ["billing"]

    assert alice_api.post(f"{url}/priority", {"priority": 3}).json()["priority"] == 3
    closed = alice_api.post(f"{url}/status", {"status": "closed"}).json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert alice_api.get(C, status="closed", tag="billing").json()["items"][0]["id"] == (
        conversation.pk
    )


def test_working_a_conversation_refuses_bad_values_by_name(alice_api, conversation, charlie, clock):
    url = f"{C}/{conversation.pk}"
    response = alice_api.post(f"{url}/notes", {"text": ""})
    assert (response.status_code, response.json()["field"]) == (400, "text")
    response = alice_api.post(f"{url}/assign", {"user_id": charlie.pk})
    assert (response.status_code, response.json()["field"]) == (400, "user_id")
    response = alice_api.post(f"{url}/assign", {"team_id": 424242})
    assert (response.status_code, response.json()["field"]) == (400, "team_id")
    response = alice_api.post(f"{url}/status", {"status": "done"})
    assert response.status_code == 400
    assert "open, pending, closed" in response.json()["detail"]
    response = alice_api.post(f"{url}/priority", {"priority": 7})
    assert (response.status_code, response.json()["field"]) == (400, "priority")
    assert Conversation.objects.get(pk=conversation.pk).status == Status.OPEN


def test_bulk_reports_each_conversation(alice_api, chan, globex, inbox_network, clock):
    mine = [make_conversation(chan, external_id=f"b{i}", author=f"b{i}") for i in range(2)]
    theirs = make_conversation(
        Channel.objects.create(workspace=globex, network="fakeinbox", external_id="g", handle="@g")
    )
    response = alice_api.post(
        f"{C}/bulk", {"ids": [c.pk for c in mine] + [theirs.pk], "op": "close"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["done"] == 2
    assert [str(theirs.pk) in e for e in response.json()["errors"]] == [True]
    assert set(Conversation.objects.filter(status=Status.CLOSED)) == set(mine)
    response = alice_api.post(f"{C}/bulk", {"ids": [mine[0].pk], "op": "explode"})
    assert (response.status_code, response.json()["field"]) == (400, "op")
    response = alice_api.post(f"{C}/bulk", {"ids": [], "op": "close"})
    assert (response.status_code, response.json()["field"]) == (400, "ids")


# --- messages on the network --------------------------------------------------------------


def test_like_hide_unhide_and_delete_go_through_the_network(
    alice_api, conversation, inbox_network, clock
):
    message = conversation.messages.get()
    url = f"/workspaces/acme/messages/{message.pk}"
    assert alice_api.post(f"{url}/like").json()["liked_at"] is not None
    assert alice_api.post(f"{url}/hide").json()["hidden_at"] is not None
    assert alice_api.post(f"{url}/unhide").json()["hidden_at"] is None
    assert alice_api.post(f"{url}/delete").json()["deleted_at"] is not None
    assert [a[0] for a in inbox_network.actions] == ["like", "hide", "hide", "delete_comment"]


def test_an_editor_may_like_but_not_moderate(bob_api, conversation, inbox_network, clock):
    url = f"/workspaces/acme/messages/{conversation.messages.get().pk}"
    assert bob_api.post(f"{url}/like").status_code == 200
    for verb in ("hide", "unhide", "delete"):
        response = bob_api.post(f"{url}/{verb}")
        assert response.status_code == 403
        assert "inbox.moderate" in response.json()["detail"]
    assert [a[0] for a in inbox_network.actions] == ["like"]


def test_a_network_that_cannot_hide_says_so(alice_api, acme, inbox_network, clock):
    readonly = Channel.objects.create(
        workspace=acme, network="readonly", external_id="r", handle="@r"
    )
    message = make_conversation(readonly).messages.get()
    response = alice_api.post(f"/workspaces/acme/messages/{message.pk}/hide")
    assert response.status_code == 400
    assert "Readonlygram" in response.json()["detail"]


# --- customers ----------------------------------------------------------------------------


def test_a_customer_with_their_identities_and_conversations(alice_api, conversation, globex):
    customer = conversation.customer
    body = alice_api.get(f"/workspaces/acme/customers/{customer.pk}").json()
    assert [i["handle"] for i in body["identities"]] == ["@carol"]
    assert [c["id"] for c in body["conversations"]] == [conversation.pk]
    response = alice_api.get("/workspaces/globex/customers/1")
    assert response.status_code == 404
