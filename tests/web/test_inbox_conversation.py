"""A conversation's page: the thread with notes and events, replying (and the warning when a
colleague already is), the controls, like/hide/delete where the network can, and who may."""

from __future__ import annotations

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import actions
from hubbub.inbox.models import (
    Breach,
    Conversation,
    Direction,
    Message,
    Note,
    Rule,
    RuleHit,
    SavedReply,
    Status,
)
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox import conftest_actions, conftest_pages
from tests.inbox.conftest_actions import NOW
from tests.inbox.conftest_pages import FakeInboxConnector, conversation, message, minutes
from tests.web.conftest import count, messages_of, text

# Fixtures shared with the other inbox tests (pytest finds them on the module).
chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network
clock = conftest_actions.clock


@pytest.fixture
def client(alice: User, acme: Workspace, clock) -> Client:
    return signed_in(alice)


@pytest.fixture
def conv(chan: Channel) -> Conversation:
    return conversation(
        chan, "Where is my order?", handle="@carol", name="Carol Jones", at=NOW - minutes(30)
    )


def url(c: Conversation, tail: str = "") -> str:
    return f"/w/acme/inbox/{c.pk}/{tail}"


def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


def test_the_thread_interleaves_messages_notes_and_events(
    client, conv: Conversation, alice, acme
) -> None:
    message(
        conv,
        "Hello? Anyone?",
        at=NOW - minutes(20),
        external_id="m2",
        edited_at=NOW - minutes(19),
        original_text="Hello?",
    )
    message(conv, "never mind", at=NOW - minutes(15), external_id="m3", deleted_at=NOW)
    Note.objects.create(
        conversation=conv, author=alice, text="Check the depot first", created_at=NOW - minutes(18)
    )
    rule = Rule.objects.create(workspace=acme, name="Orders to billing", actions=[])
    RuleHit.objects.create(
        rule=rule,
        conversation=conv,
        message=conv.messages.earliest("created_at"),
        actions=[{"type": "tag", "value": "billing"}],
        created_at=NOW - minutes(29),
    )
    Breach.objects.create(
        workspace=acme,
        conversation=conv,
        kind="first_response",
        due_at=NOW - minutes(10),
        breached_at=NOW - minutes(10),
        channel=conv.channel,
    )
    response = client.get(url(conv))
    assert response.status_code == 200
    page = text(response)
    order = [
        "Where is my order?",
        "Rule “Orders to billing” applied: tag billing",
        "Hello? Anyone?",
        "Check the depot first",
        "never mind",
        "First response target breached",
    ]
    positions = [page.index(snippet) for snippet in order]
    assert positions == sorted(positions), page
    assert count(response, "message") == 3
    assert count(response, "note") == 1
    assert count(response, "edited") == 1 and count(response, "deleted") == 1
    assert "Before the edit" in page
    assert 'href="https://fake.example/m/m2"' in response.content.decode()
    # Times are the workspace's (Paris): 09:30 UTC is 11:30.
    assert "2026-06-01 11:30" in page
    # The side panel: the customer and their accounts.
    assert "Carol Jones" in page and "@carol" in page


def test_a_reply_is_queued_and_shows_with_its_delivery_status(
    client, conv: Conversation, inbox_network
) -> None:
    response = client.post(url(conv, "reply/"), {"text": "It ships tomorrow, sorry!"})
    assert response.status_code == 302
    assert response["Location"] == url(conv)
    assert messages_of(response) == ["Reply queued: its delivery status shows in the thread."]
    reply = Message.objects.get(conversation=conv, direction=Direction.OUTBOUND)
    assert reply.text == "It ships tomorrow, sorry!"
    assert reply.delivery is not None
    page = client.get(url(conv))
    assert "It ships tomorrow, sorry!" in text(page)
    status = page.content.decode().split('data-testid="delivery-status">')[1].split("<")[0]
    assert status == reply.delivery.get_status_display()
    conv.refresh_from_db()
    assert conv.status == Status.PENDING


def test_a_refused_reply_keeps_the_text_and_says_why(client, conv: Conversation) -> None:
    too_long = "x" * 301  # the fake network takes 300 characters
    response = client.post(url(conv, "reply/"), {"text": too_long})
    assert response.status_code == 400
    assert count(response, "reply-error") == 1
    assert too_long in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_the_reply_box_counts_against_the_networks_limit(client, conv: Conversation) -> None:
    page = client.get(url(conv)).content.decode()
    assert 'data-max="300"' in page
    assert 'data-counting="graphemes"' in page


def test_saved_replies_are_offered_filled_in(client, conv: Conversation, acme, alice) -> None:
    SavedReply.objects.create(
        workspace=acme, title="Sorry", language="en", text="Hi {first_name}, {agent} here."
    )
    SavedReply.objects.create(
        workspace=acme, title="Désolé", language="fr", text="Bonjour {first_name}"
    )
    page = client.get(url(conv)).content.decode()
    assert (
        'data-text="Hi Carol, Alice here."' in page
        or 'data-text="Hi Carol, Alice Martin here."' in page
    )
    assert 'data-text="Bonjour Carol"' in page
    # The conversation is in English: English replies are the ones offered first.
    assert '<option value="en" selected>' in page


def test_a_colleague_already_replying_is_shown(client, conv: Conversation, bob: User, acme) -> None:
    bobs = Access(user=bob, workspace=acme, role=Role.EDITOR)
    assert actions.start_replying(bobs, conv) is None
    page = client.get(url(conv))
    assert "Bob Durand is already replying." in text(page)
    # The heartbeat answers the same while Bob holds the lease...
    beat = client.post(url(conv, "replying/"))
    assert beat.status_code == 200
    assert "Bob Durand is already replying." in text(beat)
    # ... and takes it once Bob stops.
    actions.stop_replying(bobs, conv)
    beat = client.post(url(conv, "replying/"))
    assert text(beat) == ""
    conv.refresh_from_db()
    assert conv.replying_user is not None and conv.replying_user.email == "alice@example.com"
    client.post(url(conv, "replying/"), {"stop": "1"})
    conv.refresh_from_db()
    assert conv.replying_user is None


def test_status_priority_assign_tags_and_notes(client, conv: Conversation, bob: User) -> None:
    client.post(url(conv, "assign/"), {"assignee": bob.pk})
    client.post(url(conv, "priority/"), {"priority": "3"})
    client.post(url(conv, "tags/"), {"add": "billing, urgent"})
    client.post(url(conv, "tags/"), {"remove": "urgent"})
    response = client.post(url(conv, "note/"), {"text": "@bob can you take this?"})
    assert messages_of(response) == ["Note added."]
    done = client.post(url(conv, "status/"), {"status": "closed"})
    assert messages_of(done) == ["Status: Closed."]
    conv.refresh_from_db()
    assert conv.assignee == bob
    assert conv.priority == 3
    assert [t.name for t in conv.tags.all()] == ["billing"]
    assert conv.status == Status.CLOSED
    assert Note.objects.get(conversation=conv).text == "@bob can you take this?"
    bad = client.post(url(conv, "status/"), {"status": "exploded"})
    assert len(messages_of(bad)) == 1 and "exploded" in messages_of(bad)[0]


def test_like_hide_and_delete_go_to_the_network(client, conv: Conversation, inbox_network) -> None:
    first = conv.messages.get()
    page = client.get(url(conv))
    assert count(page, "like") == 1 and count(page, "hide") == 1 and count(page, "delete") == 1
    client.post(f"/w/acme/inbox/messages/{first.pk}/like/", {"next": url(conv)})
    client.post(f"/w/acme/inbox/messages/{first.pk}/hide/")
    client.post(f"/w/acme/inbox/messages/{first.pk}/delete/")
    assert [a[0] for a in FakeInboxConnector.actions] == ["like", "hide", "delete_comment"]
    first.refresh_from_db()
    assert first.liked_at is not None and first.hidden_at is not None


def test_an_editor_may_answer_but_not_hide_or_delete(
    conv: Conversation,
    bob: User,
    clock,
) -> None:
    client = signed_in(bob)
    page = client.get(url(conv))
    assert count(page, "like") == 1
    assert count(page, "hide") == 0 and count(page, "delete") == 0
    first = conv.messages.get()
    response = client.post(f"/w/acme/inbox/messages/{first.pk}/hide/")
    assert "does not allow inbox.moderate" in messages_of(response)[0]
    assert FakeInboxConnector.actions == []


def test_a_network_that_cannot_shows_no_buttons(client, acme, inbox_network) -> None:
    channel = Channel.objects.create(
        workspace=acme, network="readonly", external_id="r", handle="@acme"
    )
    conv = conversation(channel, "hi", at=NOW - minutes(5))
    page = client.get(url(conv))
    assert page.status_code == 200
    assert count(page, "like") == 0 and count(page, "hide") == 0 and count(page, "delete") == 0
    assert "Hubbub cannot reply on Readonlygram: answer on the network itself." in text(page)
    assert 'id="reply-form"' not in page.content.decode()


def test_an_analyst_reads_the_thread_without_a_reply_box(
    conv: Conversation,
    acme,
    make_user,
    clock,
) -> None:
    ana = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=ana, role=Role.ANALYST)
    client = signed_in(ana)
    page = client.get(url(conv))
    assert page.status_code == 200 and "Where is my order?" in text(page)
    assert 'id="reply-form"' not in page.content.decode()
    assert client.post(url(conv, "reply/"), {"text": "hi"}).status_code == 403


def test_another_workspaces_conversation_is_not_found(
    conv: Conversation,
    charlie,
    globex,
    clock,
) -> None:
    client = signed_in(charlie)
    assert client.get(f"/w/globex/inbox/{conv.pk}/").status_code == 404
    assert client.post(f"/w/globex/inbox/{conv.pk}/reply/", {"text": "x"}).status_code == 404
