"""What every inbox action shares: the workspace check, the audit entry, the SLA hooks and
the conversation's address in the inbox."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import AuditEntry
from hubbub.inbox.models import Conversation

# Whole sentences, so that each translates with its own grammar.
OTHER_WORKSPACE = {
    "conversation": gettext_lazy("That conversation belongs to another workspace."),
    "message": gettext_lazy("That message belongs to another workspace."),
    "savedreply": gettext_lazy("That saved reply belongs to another workspace."),
    "savedview": gettext_lazy("That saved view belongs to another workspace."),
    "tag": gettext_lazy("That tag belongs to another workspace."),
    "team": gettext_lazy("That team belongs to another workspace."),
    "customer": gettext_lazy("That customer belongs to another workspace."),
    "identity": gettext_lazy("That identity belongs to another workspace."),
}


def same_workspace(access: Access, obj: Any) -> None:
    """Refuse an object of another workspace (the views find objects by id: an id from
    another workspace must change nothing there)."""
    if obj is None or obj.workspace_id == access.workspace.pk:
        return
    name = obj._meta.model_name or ""
    raise ActionError(str(OTHER_WORKSPACE.get(name, _("That belongs to another workspace."))))


def audit(
    access: Access,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str = "",
) -> AuditEntry:
    return record(
        action,
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=obj,
        label=label,
        before=before,
        after=after,
    )


def sla(hook: str, *args: Any) -> None:
    """Call hubbub.inbox.sla.<hook>(*args), imported at call time: sla reads the policy and
    the business-hours calendar, and this module is imported when the app loads."""
    module = importlib.import_module("hubbub.inbox.sla")
    getattr(module, hook)(*args)


def conversation_url(conversation: Conversation) -> str:
    """The conversation's page (a path), for notices; blank if the inbox pages are absent."""
    try:
        return reverse("inbox:conversation", args=[conversation.workspace.slug, conversation.pk])
    except NoReverseMatch:  # pragma: no cover - the inbox's URLs are always installed
        return ""


def who(conversation: Conversation) -> str:
    """How a notice names the conversation: the customer's handle, else its number."""
    identity = conversation.identity
    if identity is not None:
        return identity.name or identity.handle
    return _("conversation %(n)s") % {"n": conversation.pk}
