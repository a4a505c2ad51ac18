"""The inbox's shared settings: saved replies, tags, teams and saved views."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.inbox.actions_common import audit, same_workspace
from hubbub.inbox.actions_conversation import TAG_MAX
from hubbub.inbox.models import SavedReply, SavedView, Tag, Team

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _required(value: str, field: str, message: str) -> str:
    value = " ".join(value.split()) if field != "text" else value.strip()
    if not value:
        raise ActionError(message, field=field)
    return value


def _longest(value: str, field: str, maximum: int) -> None:
    if len(value) > maximum:
        raise ActionError(_("At most %(max)s characters, please.") % {"max": maximum}, field=field)


def _reply_fields(reply: SavedReply) -> dict[str, Any]:
    return {"title": reply.title, "language": reply.language, "text": reply.text}


def save_reply(
    access: Access, title: str, language: str, text: str, reply: SavedReply | None = None
) -> SavedReply:
    """Create a saved reply, or change `reply`. The same title in English and French makes
    the pair the inbox picks from by the customer's language."""
    access.require("inbox.configure")
    same_workspace(access, reply)
    title = _required(title, "title", _("Give the saved reply a title."))
    _longest(title, "title", 100)
    text = _required(text, "text", _("Write the text of the saved reply."))
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ActionError(
            _("Choose the language of the reply: %(choices)s.") % {"choices": ", ".join(languages)},
            field="language",
        )
    twin = SavedReply.objects.filter(workspace=access.workspace, title=title, language=language)
    if reply is not None:
        twin = twin.exclude(pk=reply.pk)
    if twin.exists():
        raise ActionError(
            _("There is already a saved reply “%(title)s” in this language: change that one.")
            % {"title": title},
            field="title",
        )
    with transaction.atomic():
        before = _reply_fields(reply) if reply is not None else {}
        if reply is None:
            reply = SavedReply(workspace=access.workspace, created_by=access.user)
        reply.title, reply.language, reply.text = title, language, text
        reply.updated_at = timezone.now()
        reply.save()
        audit(access, "saved_reply.save", reply, before, _reply_fields(reply))
    return reply


def delete_saved_reply(access: Access, reply: SavedReply) -> None:
    access.require("inbox.configure")
    same_workspace(access, reply)
    with transaction.atomic():
        audit(access, "saved_reply.delete", reply, _reply_fields(reply))
        reply.delete()


def save_tag(access: Access, name: str, colour: str = "", tag: Tag | None = None) -> Tag:
    access.require("inbox.configure")
    same_workspace(access, tag)
    name = _required(name, "name", _("Give the tag a name."))
    _longest(name, "name", TAG_MAX)
    colour = colour.strip() or (tag.colour if tag is not None else "#6b7280")
    if not COLOUR.match(colour):
        raise ActionError(_("Write the colour as #rrggbb, e.g. #2563eb."), field="colour")
    twin = Tag.objects.filter(workspace=access.workspace, name__iexact=name)
    if tag is not None:
        twin = twin.exclude(pk=tag.pk)
    if twin.exists():
        raise ActionError(_("There is already a tag “%(name)s”.") % {"name": name}, field="name")
    with transaction.atomic():
        before = {"name": tag.name, "colour": tag.colour} if tag is not None else {}
        tag = tag or Tag(workspace=access.workspace)
        tag.name, tag.colour = name, colour
        tag.save()
        audit(access, "tag.save", tag, before, {"name": tag.name, "colour": tag.colour})
    return tag


def delete_tag(access: Access, tag: Tag) -> None:
    """Delete a tag: it comes off every conversation (they stay)."""
    access.require("inbox.configure")
    same_workspace(access, tag)
    with transaction.atomic():
        audit(access, "tag.delete", tag, {"name": tag.name, "colour": tag.colour})
        tag.delete()


def save_team(
    access: Access, name: str, member_ids: Iterable[int], team: Team | None = None
) -> Team:
    access.require("inbox.configure")
    same_workspace(access, team)
    name = _required(name, "name", _("Give the team a name."))
    _longest(name, "name", 100)
    ids = sorted({int(i) for i in member_ids})
    members = list(User.objects.filter(pk__in=ids, memberships__workspace=access.workspace))
    if len(members) != len(ids):
        raise ActionError(_("Only members of this workspace can be in a team."), field="members")
    twin = Team.objects.filter(workspace=access.workspace, name__iexact=name)
    if team is not None:
        twin = twin.exclude(pk=team.pk)
    if twin.exists():
        raise ActionError(_("There is already a team “%(name)s”.") % {"name": name}, field="name")
    with transaction.atomic():
        before: dict[str, Any] = {}
        if team is not None:
            before = {
                "name": team.name,
                "members": sorted(team.members.values_list("pk", flat=True)),
            }
        team = team or Team(workspace=access.workspace)
        team.name = name
        team.save()
        team.members.set(members)
        audit(access, "team.save", team, before, {"name": name, "members": ids})
    return team


def delete_team(access: Access, team: Team) -> None:
    """Delete a team: its conversations stay, assigned to nobody's team."""
    access.require("inbox.configure")
    same_workspace(access, team)
    with transaction.atomic():
        audit(access, "team.delete", team, {"name": team.name})
        team.delete()


def save_view(
    access: Access, name: str, query: str, shared: bool, view: SavedView | None = None
) -> SavedView:
    """A named set of inbox filters: the person's own, or shared with everyone (shared views
    are the workspace's settings: inbox.configure)."""
    access.require("inbox.view")
    same_workspace(access, view)
    if view is not None:
        _may_change_view(access, view)
    if shared:
        access.require("inbox.configure")
    name = _required(name, "name", _("Give the view a name."))
    _longest(name, "name", 100)
    query = query.strip().lstrip("?")
    _longest(query, "query", 2000)
    with transaction.atomic():
        before = _view_fields(view) if view is not None else {}
        view = view or SavedView(workspace=access.workspace)
        view.name, view.query = name, query
        view.owner = None if shared else access.user
        view.save()
        audit(access, "view.save", view, before, _view_fields(view))
    return view


def delete_view(access: Access, view: SavedView) -> None:
    access.require("inbox.view")
    same_workspace(access, view)
    _may_change_view(access, view)
    with transaction.atomic():
        audit(access, "view.delete", view, _view_fields(view))
        view.delete()


def _may_change_view(access: Access, view: SavedView) -> None:
    if view.owner_id is None:
        access.require("inbox.configure")
    elif view.owner_id != access.user.pk:
        raise PermissionDenied(_("This view is someone else's: only they can change it."))


def _view_fields(view: SavedView) -> dict[str, Any]:
    return {"name": view.name, "query": view.query, "shared": view.owner_id is None}
