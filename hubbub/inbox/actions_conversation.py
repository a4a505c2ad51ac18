"""Working a conversation: status, assignment, priority, tags, internal notes, and the same
on a selection at once (bulk)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership
from hubbub.core.notifications import notify
from hubbub.inbox.actions_common import audit, conversation_url, same_workspace, sla, who
from hubbub.inbox.models import Conversation, Note, Priority, Status, Tag, Team

# "@alice", "@Alice.Martin", "@bob-durand"; not the middle of an e-mail address.
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.\-]*)")
TAG_MAX = 60


def _member(access: Access, user: User) -> None:
    if not Membership.objects.filter(workspace=access.workspace, user=user).exists():
        raise ActionError(
            _("%(who)s is not a member of this workspace.") % {"who": user.display_name},
            field="assignee",
        )


def set_status(access: Access, conversation: Conversation, status: str) -> Conversation:
    """Open, pending or closed. Closing ends the resolution target; reopening starts the
    targets again from now."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    if status not in Status.values:
        raise ActionError(
            _("Unknown status '%(status)s': use one of %(choices)s.")
            % {"status": status, "choices": ", ".join(Status.values)},
            field="status",
        )
    before = conversation.status
    if before == status:
        return conversation
    now = timezone.now()
    with transaction.atomic():
        conversation.status = status
        fields = ["status", "updated_at"]
        conversation.updated_at = now
        if status == Status.CLOSED:
            conversation.closed_at = now
            conversation.replying_user, conversation.replying_until = None, None
            fields += ["closed_at", "replying_user", "replying_until"]
        elif before == Status.CLOSED:
            conversation.closed_at = None
            fields.append("closed_at")
        conversation.save(update_fields=fields)
        audit(access, "conversation.status", conversation, {"status": before}, {"status": status})
        if status == Status.CLOSED:
            sla("on_closed", conversation, now)
        else:
            sla("recompute", conversation)
    return conversation


def assign(
    access: Access, conversation: Conversation, user: User | None, team: Team | None = None
) -> Conversation:
    """Give the conversation to a member and/or a team (None: nobody). The new assignee is
    told, unless they assigned it to themselves."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    same_workspace(access, team)
    if user is not None:
        _member(access, user)
    before = {"assignee": conversation.assignee_id, "team": conversation.team_id}
    after = {"assignee": user.pk if user else None, "team": team.pk if team else None}
    if before == after:
        return conversation
    with transaction.atomic():
        conversation.assignee, conversation.team = user, team
        conversation.updated_at = timezone.now()
        conversation.save(update_fields=["assignee", "team", "updated_at"])
        audit(access, "conversation.assign", conversation, before, after)
    if user is not None and user.pk != access.user.pk and before["assignee"] != user.pk:
        actor, name = access.user.display_name, who(conversation)
        notify(
            [user],
            access.workspace,
            "inbox.assigned",
            lambda: (
                _("%(actor)s assigned you the conversation with %(who)s.")
                % {"actor": actor, "who": name}
            ),
            conversation_url(conversation),
        )
    return conversation


def set_priority(access: Access, conversation: Conversation, priority: int) -> Conversation:
    access.require("inbox.reply")
    same_workspace(access, conversation)
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = -1
    if priority not in Priority.values:
        raise ActionError(
            _("Unknown priority: use one of %(choices)s.")
            % {"choices": ", ".join(f"{v} ({label})" for v, label in Priority.choices)},
            field="priority",
        )
    before = conversation.priority
    if before == priority:
        return conversation
    with transaction.atomic():
        conversation.priority = priority
        conversation.updated_at = timezone.now()
        conversation.save(update_fields=["priority", "updated_at"])
        audit(
            access,
            "conversation.priority",
            conversation,
            {"priority": before},
            {"priority": priority},
        )
        sla("recompute", conversation)  # targets may differ by priority
    return conversation


def _tag_names(names: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = " ".join(str(name).split())
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise ActionError(
                _("A tag is at most %(max)s characters long.") % {"max": TAG_MAX}, field="tags"
            )
        if name.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(name)
    return cleaned


def _tags(access: Access, names: list[str], create: bool) -> list[Tag]:
    """The workspace's tags with these names (case-insensitive), created if asked."""
    found: list[Tag] = []
    for name in names:
        tag = Tag.objects.filter(workspace=access.workspace, name__iexact=name).first()
        if tag is None and create:
            tag = Tag.objects.create(workspace=access.workspace, name=name)
        if tag is not None:
            found.append(tag)
    return found


def set_tags(
    access: Access, conversation: Conversation, add: Iterable[str], remove: Iterable[str] = ()
) -> list[str]:
    """Add and remove tags by name (a new name creates the tag); returns the tags now on it."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    add_names, remove_names = _tag_names(add), _tag_names(remove)
    with transaction.atomic():
        before = sorted(conversation.tags.values_list("name", flat=True))
        to_add = _tags(access, add_names, create=True)
        to_remove = _tags(access, remove_names, create=False)
        conversation.tags.add(*to_add)
        conversation.tags.remove(*to_remove)
        after = sorted(conversation.tags.values_list("name", flat=True))
        if after != before:
            conversation.updated_at = timezone.now()
            conversation.save(update_fields=["updated_at"])
            audit(access, "conversation.tags", conversation, {"tags": before}, {"tags": after})
            sla("recompute", conversation)  # targets may differ by tag
    return after


def mentioned(access: Access, text: str) -> list[User]:
    """The members "@name" points at: the local part of their e-mail address, or their full
    name without spaces, case-insensitive ("@alice", "@AliceMartin")."""
    wanted = {m.group(1).rstrip(".-").lower() for m in MENTION.finditer(text)}
    if not wanted:
        return []
    members = User.objects.filter(memberships__workspace=access.workspace).order_by("pk")
    found = []
    for user in members:
        keys = {user.email.split("@")[0].lower(), "".join(user.full_name.split()).lower()}
        if keys & wanted:
            found.append(user)
    return found


def add_note(access: Access, conversation: Conversation, text: str) -> Note:
    """An internal note (never sent to the network); the colleagues it @mentions are told."""
    access.require("inbox.reply")
    same_workspace(access, conversation)
    text = text.strip()
    if not text:
        raise ActionError(_("Write the note first."), field="text")
    people = mentioned(access, text)
    with transaction.atomic():
        note = Note.objects.create(conversation=conversation, author=access.user, text=text)
        note.mentions.set(people)
        audit(
            access,
            "conversation.note",
            conversation,
            after={"note": note.pk, "mentions": [u.pk for u in people]},
        )
    others = [u for u in people if u.pk != access.user.pk]
    if others:
        actor, name = access.user.display_name, who(conversation)
        notify(
            others,
            access.workspace,
            "inbox.mention",
            lambda: (
                _("%(actor)s mentioned you in a note on the conversation with %(who)s.")
                % {"actor": actor, "who": name}
            ),
            conversation_url(conversation),
        )
    return note


# --- bulk --------------------------------------------------------------------------------------

BULK_OPS = ("close", "reopen", "tag", "untag", "assign", "priority")


@dataclass
class BulkResult:
    done: int = 0
    errors: list[str] = field(default_factory=list)


def _assignee(access: Access, value: Any) -> tuple[User | None, Team | None]:
    """assign's value: None or "" (nobody), a member's id, "me", or "team:<id>"."""
    if value in (None, "", "none"):
        return None, None
    if value == "me":
        return access.user, None
    text = str(value)
    if text.startswith("team:"):
        team = Team.objects.filter(workspace=access.workspace, pk=_int(text[5:])).first()
        if team is None:
            raise ActionError(_("That team does not exist in this workspace."), field="value")
        return None, team
    user = User.objects.filter(pk=_int(text), memberships__workspace=access.workspace).first()
    if user is None:
        raise ActionError(_("That person is not a member of this workspace."), field="value")
    return user, None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def bulk(access: Access, conversation_ids: Sequence[int], op: str, value: Any = None) -> BulkResult:
    """Apply one operation to each conversation separately: one that cannot (another
    workspace's, already deleted, a refusal) is reported by number, the rest go through."""
    access.require("inbox.reply")
    if op not in BULK_OPS:
        raise ActionError(
            _("Unknown operation '%(op)s': use one of %(choices)s.")
            % {"op": op, "choices": ", ".join(BULK_OPS)},
            field="op",
        )
    user: User | None = None
    team: Team | None = None
    if op == "assign":
        user, team = _assignee(access, value)
    names = [str(value)] if op in ("tag", "untag") else []
    if op in ("tag", "untag") and not _tag_names(names):
        raise ActionError(_("Choose a tag."), field="value")
    wanted = list(dict.fromkeys(int(i) for i in conversation_ids))
    found = {
        c.pk: c for c in Conversation.objects.filter(pk__in=wanted, workspace=access.workspace)
    }
    result = BulkResult()
    for pk in wanted:
        conversation = found.get(pk)
        if conversation is None:
            result.errors.append(_("Conversation %(n)s: not found in this workspace.") % {"n": pk})
            continue
        try:
            if op == "close":
                set_status(access, conversation, Status.CLOSED)
            elif op == "reopen":
                set_status(access, conversation, Status.OPEN)
            elif op == "tag":
                set_tags(access, conversation, names)
            elif op == "untag":
                set_tags(access, conversation, (), names)
            elif op == "assign":
                assign(access, conversation, user, team)
            else:
                set_priority(access, conversation, value)
        except (ActionError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, ActionError) else str(exc)
            result.errors.append(_("Conversation %(n)s: %(error)s") % {"n": pk, "error": message})
            continue
        result.done += 1
    return result
