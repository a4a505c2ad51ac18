"""Saved replies, tags, teams and saved views: who may change them, and what is checked."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.inbox import actions
from hubbub.inbox.models import SavedReply, SavedView, Tag, Team
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    analyst,
    editor,
    member,
    moderator,
    owner,
    stranger,
)

pytestmark = pytest.mark.django_db


def test_saved_replies_in_both_languages(owner):
    en = actions.save_reply(owner, "Thanks", "en", "Thanks {first_name}!")
    fr = actions.save_reply(owner, "Thanks", "fr", "Merci {first_name} !")
    assert en.created_by == owner.user and fr.language == "fr"
    with pytest.raises(ActionError, match="already a saved reply “Thanks” in this language"):
        actions.save_reply(owner, "Thanks", "en", "again")
    actions.save_reply(owner, "Thanks", "en", "Thank you {first_name}!", reply=en)
    assert SavedReply.objects.get(pk=en.pk).text == "Thank you {first_name}!"
    actions.delete_saved_reply(owner, fr)
    assert list(SavedReply.objects.values_list("language", flat=True)) == ["en"]
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == [
        "saved_reply.save",
        "saved_reply.save",
        "saved_reply.save",
        "saved_reply.delete",
    ]


def test_saved_reply_checks(owner):
    with pytest.raises(ActionError, match="Give the saved reply a title"):
        actions.save_reply(owner, " ", "en", "x")
    with pytest.raises(ActionError, match="Write the text"):
        actions.save_reply(owner, "x", "en", " ")
    with pytest.raises(ActionError, match="Choose the language of the reply: en, fr"):
        actions.save_reply(owner, "x", "de", "x")


def test_settings_need_the_configure_permission(editor, moderator, analyst):
    for access in (editor, moderator, analyst):
        with pytest.raises(PermissionDenied):
            actions.save_reply(access, "x", "en", "x")
        with pytest.raises(PermissionDenied):
            actions.save_tag(access, "x")
        with pytest.raises(PermissionDenied):
            actions.save_team(access, "x", [])
    assert (
        not SavedReply.objects.exists() and not Tag.objects.exists() and not Team.objects.exists()
    )


def test_another_workspaces_settings_are_refused(owner, stranger):
    reply = actions.save_reply(stranger, "x", "en", "x")
    tag = actions.save_tag(stranger, "x")
    team = actions.save_team(stranger, "x", [stranger.user.pk])
    view = actions.save_view(stranger, "x", "status=open", shared=True)
    for call in (
        lambda: actions.save_reply(owner, "y", "en", "y", reply=reply),
        lambda: actions.delete_saved_reply(owner, reply),
        lambda: actions.save_tag(owner, "y", tag=tag),
        lambda: actions.delete_tag(owner, tag),
        lambda: actions.save_team(owner, "y", [], team=team),
        lambda: actions.delete_team(owner, team),
        lambda: actions.save_view(owner, "y", "", shared=True, view=view),
        lambda: actions.delete_view(owner, view),
    ):
        with pytest.raises(ActionError, match="another workspace"):
            call()
    assert SavedReply.objects.get().title == "x" and Tag.objects.get().name == "x"
    assert Team.objects.get().name == "x" and SavedView.objects.get().name == "x"


def test_tags(owner):
    tag = actions.save_tag(owner, "Billing", "#2563eb")
    with pytest.raises(ActionError, match="already a tag “billing”"):
        actions.save_tag(owner, "billing")
    with pytest.raises(ActionError, match="#rrggbb"):
        actions.save_tag(owner, "Other", "blue")
    actions.save_tag(owner, "Invoices", tag=tag)
    assert Tag.objects.get().name == "Invoices" and Tag.objects.get().colour == "#2563eb"
    actions.delete_tag(owner, tag)
    assert not Tag.objects.exists()


def test_teams_take_only_members(owner, editor, charlie, globex):
    team = actions.save_team(owner, "Support", [owner.user.pk, editor.user.pk])
    assert set(team.members.all()) == {owner.user, editor.user}
    with pytest.raises(ActionError, match="Only members of this workspace"):
        actions.save_team(owner, "Support", [charlie.pk], team=team)
    actions.save_team(owner, "Care", [editor.user.pk], team=team)
    team.refresh_from_db()
    assert team.name == "Care" and list(team.members.all()) == [editor.user]
    actions.delete_team(owner, team)
    assert not Team.objects.exists()


def test_views_are_ones_own_or_shared_by_a_manager(owner, editor, analyst):
    mine = actions.save_view(analyst, "Mine", "?status=open&assignee=me", shared=False)
    assert mine.owner == analyst.user and mine.query == "status=open&assignee=me"
    with pytest.raises(PermissionDenied):
        actions.save_view(editor, "Everyone's", "status=open", shared=True)
    shared = actions.save_view(owner, "Everyone's", "status=open", shared=True)
    assert shared.owner is None
    with pytest.raises(PermissionDenied, match="someone else's"):
        actions.delete_view(editor, mine)
    with pytest.raises(PermissionDenied):
        actions.delete_view(editor, shared)
    actions.delete_view(analyst, mine)
    actions.delete_view(owner, shared)
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(action="view.delete").count() == 2
