"""Status, assignment, priority, tags, notes with @mentions, and bulk actions."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry, Notification
from hubbub.core.roles import Role
from hubbub.inbox import actions
from hubbub.inbox.models import Conversation, Note, Priority, Status, Tag, Team
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    NOW,
    analyst,
    chan,
    clock,
    conversation,
    editor,
    inbox_network,
    make_conversation,
    member,
    moderator,
    other_conversation,
    owner,
    sla_calls,
    stranger,
)

pytestmark = pytest.mark.django_db


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


# --- status ------------------------------------------------------------------------------------


def test_closing_and_reopening(owner, conversation, clock, sla_calls):
    actions.set_status(owner, conversation, Status.CLOSED)
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED and conversation.closed_at == NOW
    actions.set_status(owner, conversation, Status.OPEN)
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.closed_at is None
    assert sla_calls == [("on_closed", conversation.pk), ("recompute", conversation.pk)]
    [closed, reopened] = audited("conversation.status")
    assert (closed.before, closed.after) == ({"status": "open"}, {"status": "closed"})
    assert reopened.after == {"status": "open"}


def test_the_same_status_again_changes_nothing(owner, conversation, sla_calls):
    actions.set_status(owner, conversation, Status.OPEN)
    assert audited("conversation.status") == [] and sla_calls == []


def test_an_unknown_status_is_refused(owner, conversation):
    with pytest.raises(ActionError, match="Unknown status 'done': use one of open, pending"):
        actions.set_status(owner, conversation, "done")


def test_status_needs_permission_and_the_workspace(
    analyst, owner, conversation, other_conversation
):
    with pytest.raises(PermissionDenied):
        actions.set_status(analyst, conversation, Status.CLOSED)
    with pytest.raises(ActionError, match="another workspace"):
        actions.set_status(owner, other_conversation, Status.CLOSED)
    assert Conversation.objects.get(pk=other_conversation.pk).status == Status.OPEN


# --- assignment --------------------------------------------------------------------------------


def test_assigning_tells_the_assignee(owner, editor, conversation):
    team = Team.objects.create(workspace=owner.workspace, name="Billing")
    mail.outbox.clear()
    actions.assign(owner, conversation, editor.user, team)
    conversation.refresh_from_db()
    assert conversation.assignee == editor.user and conversation.team == team
    notice = Notification.objects.get(user=editor.user, kind="inbox.assigned")
    assert notice.text == "Alice Martin assigned you the conversation with Carol Jones."
    assert notice.url == f"/w/acme/inbox/{conversation.pk}/"
    assert len(mail.outbox) == 1
    [entry] = audited("conversation.assign")
    assert entry.after == {"assignee": editor.user.pk, "team": team.pk}


def test_taking_a_conversation_oneself_tells_nobody(editor, conversation):
    actions.assign(editor, conversation, editor.user)
    assert not Notification.objects.exists()


def test_unassigning(owner, editor, conversation):
    actions.assign(owner, conversation, editor.user)
    actions.assign(owner, conversation, None)
    conversation.refresh_from_db()
    assert conversation.assignee is None
    assert len(audited("conversation.assign")) == 2


def test_assigning_outside_the_workspace_is_refused(owner, conversation, charlie, globex):
    with pytest.raises(ActionError, match="Charlie Petit is not a member"):
        actions.assign(owner, conversation, charlie)
    team = Team.objects.create(workspace=globex, name="Theirs")
    with pytest.raises(ActionError, match="another workspace"):
        actions.assign(owner, conversation, None, team)
    assert Conversation.objects.get(pk=conversation.pk).assignee is None


def test_assigning_needs_permission(analyst, conversation):
    with pytest.raises(PermissionDenied):
        actions.assign(analyst, conversation, analyst.user)


# --- priority and tags ---------------------------------------------------------------------------


def test_priority(owner, conversation, sla_calls):
    actions.set_priority(owner, conversation, Priority.URGENT)
    assert Conversation.objects.get(pk=conversation.pk).priority == Priority.URGENT
    assert sla_calls == [("recompute", conversation.pk)]
    assert audited("conversation.priority")[0].after == {"priority": 3}
    with pytest.raises(ActionError, match="Unknown priority"):
        actions.set_priority(owner, conversation, 9)


def test_priority_needs_permission_and_the_workspace(
    analyst, owner, conversation, other_conversation
):
    with pytest.raises(PermissionDenied):
        actions.set_priority(analyst, conversation, 2)
    with pytest.raises(ActionError):
        actions.set_priority(owner, other_conversation, 2)


def test_tags_are_added_created_and_removed_by_name(owner, conversation, sla_calls):
    Tag.objects.create(workspace=owner.workspace, name="Billing")
    assert actions.set_tags(owner, conversation, ["billing", " angry  customer "]) == [
        "Billing",
        "angry customer",
    ]
    assert Tag.objects.filter(workspace=owner.workspace).count() == 2
    assert actions.set_tags(owner, conversation, [], ["BILLING"]) == ["angry customer"]
    [added, removed] = audited("conversation.tags")
    assert added.after == {"tags": ["Billing", "angry customer"]}
    assert removed.before == {"tags": ["Billing", "angry customer"]}
    assert sla_calls == [("recompute", conversation.pk)] * 2


def test_tags_need_permission_and_the_workspace(analyst, owner, conversation, other_conversation):
    with pytest.raises(PermissionDenied):
        actions.set_tags(analyst, conversation, ["x"])
    with pytest.raises(ActionError):
        actions.set_tags(owner, other_conversation, ["x"])
    assert not Tag.objects.exists()


# --- notes ---------------------------------------------------------------------------------------


def test_a_note_tells_the_colleagues_it_mentions(owner, editor, member, conversation):
    colleague = member(Role.MODERATOR, "jean.dupont@example.com", "Jean Dupont")
    mail.outbox.clear()
    note = actions.add_note(
        owner,
        conversation,
        "@bob can you check? cc @JeanDupont, and me @alice. Not bob@example.com",
    )
    assert note.author == owner.user
    assert set(note.mentions.all()) == {editor.user, colleague.user, owner.user}
    told = Notification.objects.filter(kind="inbox.mention").order_by("user_id")
    assert [n.user for n in told] == [editor.user, colleague.user]  # not the author
    assert (
        told[0].text == "Alice Martin mentioned you in a note on the conversation with Carol Jones."
    )
    assert told[0].url == f"/w/acme/inbox/{conversation.pk}/"
    assert audited("conversation.note")[0].after["note"] == note.pk


def test_a_mention_of_someone_outside_the_workspace_tells_nobody(
    owner, conversation, charlie, globex
):
    note = actions.add_note(owner, conversation, "ask @charlie")
    assert list(note.mentions.all()) == []
    assert not Notification.objects.exists()


def test_notes_need_text_permission_and_the_workspace(
    analyst, owner, conversation, other_conversation
):
    with pytest.raises(ActionError, match="Write the note first"):
        actions.add_note(owner, conversation, "  ")
    with pytest.raises(PermissionDenied):
        actions.add_note(analyst, conversation, "hi")
    with pytest.raises(ActionError, match="another workspace"):
        actions.add_note(owner, other_conversation, "hi")
    assert not Note.objects.exists()


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_goes_through_and_reports_each_refusal(
    owner, chan, conversation, other_conversation, sla_calls
):
    second = make_conversation(chan, external_id="m2", author="dan")
    ids = [conversation.pk, other_conversation.pk, second.pk, 999_999]
    result = actions.bulk(owner, ids, "close")
    assert result.done == 2
    assert result.errors == [
        f"Conversation {other_conversation.pk}: not found in this workspace.",
        "Conversation 999999: not found in this workspace.",
    ]
    assert set(Conversation.objects.filter(status=Status.CLOSED).values_list("pk", flat=True)) == {
        conversation.pk,
        second.pk,
    }
    assert Conversation.objects.get(pk=other_conversation.pk).status == Status.OPEN
    assert len(audited("conversation.status")) == 2


def test_bulk_tag_assign_priority_and_reopen(owner, editor, chan, conversation, sla_calls):
    second = make_conversation(chan, external_id="m2", author="dan")
    ids = [conversation.pk, second.pk]
    assert actions.bulk(owner, ids, "tag", "vip").done == 2
    assert actions.bulk(owner, ids, "assign", editor.user.pk).done == 2
    assert actions.bulk(owner, ids, "priority", "2").done == 2
    assert actions.bulk(owner, ids, "close").done == 2
    assert actions.bulk(owner, ids, "reopen").done == 2
    assert actions.bulk(owner, ids, "untag", "vip").done == 2
    for c in Conversation.objects.filter(pk__in=ids):
        assert c.assignee == editor.user and c.priority == 2 and c.status == Status.OPEN
        assert list(c.tags.all()) == []


def test_bulk_collects_per_conversation_errors(owner, conversation, sla_calls):
    result = actions.bulk(owner, [conversation.pk], "priority", "9")
    assert result.done == 0
    assert result.errors[0].startswith(f"Conversation {conversation.pk}: Unknown priority")


def test_bulk_refuses_an_unknown_operation_or_assignee(owner, conversation, charlie, globex):
    with pytest.raises(ActionError, match="Unknown operation 'explode'"):
        actions.bulk(owner, [conversation.pk], "explode")
    with pytest.raises(ActionError, match="not a member"):
        actions.bulk(owner, [conversation.pk], "assign", charlie.pk)


def test_bulk_needs_permission(analyst, conversation):
    with pytest.raises(PermissionDenied):
        actions.bulk(analyst, [conversation.pk], "close")
    assert Conversation.objects.get(pk=conversation.pk).status == Status.OPEN
