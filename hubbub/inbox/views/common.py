"""What the inbox pages share: looking objects up inside the workspace, running an action and
turning its refusal into a message, and saying when a conversation is due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import Membership, Workspace
from hubbub.core.permissions import PERMISSIONS
from hubbub.inbox.models import Conversation

T = TypeVar("T")

SOON_SECONDS = 30 * 60  # "due soon" in the list: within half an hour


def conversation_of(access: Access, conversation_id: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related(
            "channel", "identity", "customer", "assignee", "team", "replying_user"
        ),
        pk=conversation_id,
        workspace=access.workspace,
    )


def back(request: HttpRequest, default: str) -> str:
    """Where a form returns: the page it came from (same site only), else `default`."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def list_url(access: Access) -> str:
    return reverse("inbox:list", args=[access.workspace.slug])


def error_of(action: Callable[[], T]) -> tuple[T | None, str]:
    """Run an action: (its result, "") or (None, what went wrong; nothing was saved)."""
    try:
        return action(), ""
    except ActionError as exc:
        return None, exc.message
    except PermissionDenied as exc:
        return None, str(exc)


def attempt(request: HttpRequest, action: Callable[[], Any]) -> bool:
    """Run an action; a refusal becomes an error message and False."""
    _result, error = error_of(action)
    if error:
        messages.error(request, error)
        return False
    return True


def responders(access: Access) -> list[User]:
    """The members who may answer conversations: whom a conversation can be assigned to."""
    roles = PERMISSIONS["inbox.reply"]
    rows = (
        Membership.objects.filter(workspace=access.workspace, role__in=roles)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [row.user for row in rows]


def duration_text(seconds: float) -> str:
    """12 min, 3 h, 2 d: as short as a list column allows."""
    seconds = abs(int(seconds))
    if seconds < 3600:
        minutes = max(1, seconds // 60)
        return ngettext("%(n)s min", "%(n)s min", minutes) % {"n": minutes}
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return ngettext("%(n)s h", "%(n)s h", hours) % {"n": hours}
    days = seconds // 86400
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@dataclass(frozen=True)
class DueInfo:
    due_at: datetime
    breached: bool
    soon: bool
    target: str  # "first_response" or "resolution"
    label: str  # "due in 12 min", "breached 3 h ago"

    @property
    def target_label(self) -> str:
        if self.target == "resolution":
            return _("Resolution")
        return _("First response")


def calendar_of(workspace: Workspace) -> Any:
    """The workspace's business calendar, read once for a whole list."""
    from hubbub.inbox.sla import calendar_for

    return calendar_for(workspace)


def due_info(conversation: Conversation, now: datetime, calendar: Any = None) -> DueInfo | None:
    """When the running target falls, said the way a person reads it. The time left is on
    the wall clock (the due time already counts business hours only)."""
    from hubbub.inbox.sla import remaining  # H2's module; imported when a page needs it

    due = remaining(conversation, now, calendar or calendar_of(conversation.workspace))
    if due is None:
        return None
    due_at, breached, target = due.due_at, due.breached, due.kind
    seconds = (due_at - now).total_seconds()
    if breached or seconds <= 0:
        label = _("breached %(time)s ago") % {"time": duration_text(seconds)}
        return DueInfo(due_at, True, False, target, label)
    label = _("due in %(time)s") % {"time": duration_text(seconds)}
    return DueInfo(due_at, False, seconds <= SOON_SECONDS, target, label)
