"""One conversation: the thread with notes and events, the controls (status, priority,
assignee, team, tags), the reply box with saved replies, the "already replying" heartbeat,
and like / hide / delete on the network where the connector can.

Every form posts to a plain URL and redirects back, so the page works without JavaScript;
hubbub/inbox.js adds the keyboard, the counter, the saved-reply picker and the heartbeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access
from hubbub.inbox.models import (
    Breach,
    Conversation,
    Direction,
    Kind,
    Message,
    Note,
    Priority,
    RuleHit,
    SavedReply,
    Status,
    Tag,
    Team,
)
from hubbub.inbox.views.common import (
    attempt,
    back,
    calendar_of,
    conversation_of,
    due_info,
    error_of,
    responders,
)
from hubbub.networks.models import Channel
from hubbub.web.decorators import workspace_view

# A thread this long shows its latest messages; ?all=1 shows every one.
THREAD_LIMIT = 200
MESSAGE_OPS = ("like", "hide", "unhide", "delete")


@dataclass(frozen=True)
class Event:
    """One line of the thread: a message, a note, a rule that acted, or a breach."""

    kind: str  # "message", "note", "rule", "breach"
    at: datetime
    obj: Any


@dataclass(frozen=True)
class ChannelAbilities:
    reply: bool  # replies (or direct messages, in a DM conversation) go out from Hubbub
    like: bool
    hide: bool
    delete: bool
    max_length: int | None
    counting: str


def abilities(channel: Channel, kind: str = Kind.COMMENT) -> ChannelAbilities:
    """What the channel's connector can do to a message, and its text limit for replies.
    LIKE / HIDE / DELETE_COMMENTS may not exist yet in Capability: read with getattr."""
    from hubbub.networks.base import Capability
    from hubbub.networks.registry import UnknownNetwork, connector_for

    try:
        connector = connector_for(channel)
    except (UnknownNetwork, Exception):  # an unknown network or an unreadable config
        return ChannelAbilities(False, False, False, False, None, "graphemes")
    caps = connector.capabilities

    def has(name: str) -> bool:
        cap = getattr(Capability, name, None)
        return cap is not None and cap in caps

    try:
        text = connector.limits().text
        max_length, counting = text.max_length, str(text.counting)
    except Exception:  # limits that need the network (a Mastodon server's own) unknown here
        max_length, counting = None, "graphemes"
    return ChannelAbilities(
        reply=has("DIRECT_MESSAGES" if kind == Kind.MESSAGE else "REPLY"),
        like=has("LIKE"),
        hide=has("HIDE"),
        delete=has("DELETE_COMMENTS"),
        max_length=max_length,
        counting=counting,
    )


def thread(conversation: Conversation, show_all: bool) -> tuple[list[Event], int]:
    """The events oldest first, and how many earlier messages are left out."""
    messages_qs = Message.objects.filter(conversation=conversation).select_related(
        "identity", "sent_by", "delivery"
    )
    total = messages_qs.count()
    if show_all or total <= THREAD_LIMIT:
        items = list(messages_qs)
    else:
        items = list(reversed(messages_qs.order_by("-created_at", "-id")[:THREAD_LIMIT]))
    hidden = total - len(items)
    since = items[0].created_at if hidden and items else None
    events = [Event("message", m.created_at, m) for m in items]
    notes = Note.objects.filter(conversation=conversation).select_related("author")
    hits = RuleHit.objects.filter(conversation=conversation).select_related("rule")
    breaches = Breach.objects.filter(conversation=conversation)
    if since is not None:
        notes, hits = notes.filter(created_at__gte=since), hits.filter(created_at__gte=since)
        breaches = breaches.filter(breached_at__gte=since)
    events += [Event("note", n.created_at, n) for n in notes]
    events += [Event("rule", h.created_at, h) for h in hits]
    events += [Event("breach", b.breached_at, b) for b in breaches]
    order = {"message": 0, "rule": 1, "breach": 2, "note": 3}
    events.sort(key=lambda e: (e.at, order[e.kind], e.obj.pk))
    return events, hidden


def _saved_replies(access: Access, conversation: Conversation) -> list[dict[str, Any]]:
    """Each saved reply with its placeholders filled for this conversation."""
    from hubbub.inbox.saved_replies import render as fill

    return [
        {
            "reply": reply,
            "text": fill(reply.text, conversation, access.user),
        }
        for reply in SavedReply.objects.filter(workspace=access.workspace)
    ]


def _page(
    request: HttpRequest,
    access: Access,
    conversation: Conversation,
    *,
    draft: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    events, hidden = thread(conversation, request.GET.get("all") == "1")
    others = []
    if conversation.customer_id:
        others = list(
            Conversation.objects.filter(
                workspace=access.workspace, customer_id=conversation.customer_id
            )
            .exclude(pk=conversation.pk)
            .select_related("channel")
            .order_by("-last_message_at")[:10]
        )
    identities = list(conversation.customer.identities.all()) if conversation.customer else []
    replies = _saved_replies(access, conversation)
    languages = sorted({r["reply"].language for r in replies})
    preferred = conversation.language if conversation.language in languages else get_language()
    replying = None
    if (
        conversation.replying_user_id
        and conversation.replying_user_id != access.user.pk
        and conversation.replying_until
        and conversation.replying_until > now
    ):
        replying = conversation.replying_user
    context: dict[str, Any] = {
        "c": conversation,
        "events": events,
        "hidden_count": hidden,
        "due": due_info(conversation, now, calendar_of(access.workspace)),
        "others": others,
        "identities": identities,
        "tags": list(conversation.tags.all()),
        "all_tags": Tag.objects.filter(workspace=access.workspace),
        "teams": Team.objects.filter(workspace=access.workspace),
        "people": responders(access),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "saved_replies": replies,
        "reply_languages": languages,
        "preferred_language": preferred,
        "abilities": abilities(conversation.channel, conversation.kind),
        "replying": replying,
        "draft": draft,
        "error": error,
        "here": request.path,
    }
    return render(request, "inbox/conversation.html", context, status=status)


@require_GET
@workspace_view("inbox.view")
def conversation_page(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    return _page(request, access, conversation_of(access, conversation_id))


def _here(access: Access, conversation: Conversation) -> str:
    return reverse("inbox:conversation", args=[access.workspace.slug, conversation.pk])


@require_POST
@workspace_view("inbox.reply")
def reply(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    text = request.POST.get("text", "")
    to_message = None
    if request.POST.get("to_message", "").isdigit():
        to_message = get_object_or_404(
            Message, pk=int(request.POST["to_message"]), conversation=conversation
        )
    saved_reply = None
    if request.POST.get("saved_reply", "").isdigit():
        saved_reply = SavedReply.objects.filter(
            pk=int(request.POST["saved_reply"]), workspace=access.workspace
        ).first()
    _message, error = error_of(
        lambda: actions.reply(
            access, conversation, text, to_message=to_message, saved_reply=saved_reply
        )
    )
    if error:
        # The typed text stays in the box, with what to fix above it.
        return _page(request, access, conversation, draft=text, error=error, status=400)
    error_of(lambda: actions.stop_replying(access, conversation))
    messages.success(request, _("Reply queued: its delivery status shows in the thread."))
    return redirect(_here(access, conversation))


@require_POST
@workspace_view("inbox.reply")
def note(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    if attempt(
        request, lambda: actions.add_note(access, conversation, request.POST.get("text", ""))
    ):
        messages.success(request, _("Note added."))
    return redirect(_here(access, conversation))


@require_POST
@workspace_view("inbox.reply")
def assign(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    user_id = request.POST.get("assignee", "")
    team_id = request.POST.get("team", "")
    user = None
    if user_id == "me":
        user = access.user
    elif user_id.isdigit():
        user = next((u for u in responders(access) if u.pk == int(user_id)), None)
        if user is None:
            raise Http404(_("No such member."))
    team = None
    if team_id.isdigit():
        team = get_object_or_404(Team, pk=int(team_id), workspace=access.workspace)
    if attempt(request, lambda: actions.assign(access, conversation, user, team)):
        if user is not None:
            messages.success(request, _("Assigned to %(name)s.") % {"name": user.display_name})
        elif team is not None:
            messages.success(request, _("Assigned to the team %(name)s.") % {"name": team.name})
        else:
            messages.success(request, _("Nobody is assigned now."))
    return redirect(back(request, _here(access, conversation)))


@require_POST
@workspace_view("inbox.reply")
def status(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    value = request.POST.get("status", "")
    if attempt(request, lambda: actions.set_status(access, conversation, value)):
        label = Status(value).label if value in Status.values else value
        messages.success(request, _("Status: %(status)s.") % {"status": label})
    return redirect(back(request, _here(access, conversation)))


@require_POST
@workspace_view("inbox.reply")
def priority(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    raw = request.POST.get("priority", "")
    value = int(raw) if raw.isdigit() else -1
    if attempt(request, lambda: actions.set_priority(access, conversation, value)):
        messages.success(request, _("Priority: %(p)s.") % {"p": Priority(value).label})
    return redirect(back(request, _here(access, conversation)))


@require_POST
@workspace_view("inbox.reply")
def tags(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    add = [t.strip() for t in request.POST.get("add", "").split(",") if t.strip()]
    add += [t for t in request.POST.getlist("tag") if t.strip()]
    remove = [t for t in request.POST.getlist("remove") if t.strip()]
    if attempt(request, lambda: actions.set_tags(access, conversation, add, remove)):
        messages.success(request, _("Tags saved."))
    return redirect(back(request, _here(access, conversation)))


@require_POST
@workspace_view("inbox.reply")
def replying(request: HttpRequest, access: Access, conversation_id: int) -> HttpResponse:
    """The heartbeat of the reply box: takes (or renews) the lease and answers with the
    warning when a colleague holds it; `stop` gives it back."""
    from hubbub.inbox import actions

    conversation = conversation_of(access, conversation_id)
    if request.POST.get("stop"):
        error_of(lambda: actions.stop_replying(access, conversation))
        return HttpResponse("")
    colleague, _error = error_of(lambda: actions.start_replying(access, conversation))
    return render(request, "inbox/_replying.html", {"replying": colleague})


@require_POST
@workspace_view("inbox.reply")
def message_action(request: HttpRequest, access: Access, message_id: int, op: str) -> HttpResponse:
    from hubbub.inbox import actions

    message = get_object_or_404(
        Message.objects.select_related("conversation", "channel"),
        pk=message_id,
        workspace=access.workspace,
    )
    if op not in MESSAGE_OPS or message.direction != Direction.INBOUND:
        raise Http404(_("No such action."))
    done = {
        "like": _("Liked on the network."),
        "hide": _("Hidden on the network."),
        "unhide": _("Shown again on the network."),
        "delete": _("Deleted on the network."),
    }[op]

    def run() -> object:
        if op == "like":
            return actions.like(access, message)
        if op in ("hide", "unhide"):
            return actions.hide(access, message, hidden=op == "hide")
        return actions.delete_on_network(access, message)

    _result, error = error_of(run)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(back(request, _here(access, message.conversation)))
