"""The inbox's outgoing signed webhooks: "conversation.created" and "conversation.breached"
(payloads in hubbub.webhooks.payloads, documented in docs/webhooks.md), queued with
hubbub.webhooks.sending and sent by its worker like publishing's events.

Ingestion and the target check call these after their change is committed; like
hubbub.webhooks.receivers they never raise: a broken webhook (or a bug here) must not undo
an ingested message or stop the check. A new conversation also alerts the destinations
subscribed to "inbox.new_conversation".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.inbox.models import Breach, Conversation
from hubbub.webhooks import payloads, sending, tasks
from hubbub.webhooks.models import WebhookEndpoint

log = logging.getLogger(__name__)

# A conversation older than this when ingested (a backfill of the last days) is not
# announced to alert destinations: a Slack channel flooded with last week is no alert.
FRESH = timedelta(hours=1)


def _listened(workspace_id: int, event: str) -> bool:
    return any(
        event in events
        for events in WebhookEndpoint.objects.filter(
            workspace_id=workspace_id, is_active=True
        ).values_list("events", flat=True)
    )


def _fresh(conversation_id: int) -> Conversation:
    return Conversation.objects.select_related("workspace", "channel", "identity", "assignee").get(
        pk=conversation_id
    )


def conversation_created(conversation: Conversation) -> None:
    try:
        if _listened(conversation.workspace_id, "conversation.created"):
            fresh = _fresh(conversation.pk)
            messages = sending.queue_event(
                fresh.workspace, "conversation.created", payloads.conversation_data(fresh)
            )
            tasks.enqueue(m.pk for m in messages)
    except Exception:
        log.exception("inbox: could not queue conversation.created for %s", conversation.pk)
    try:
        _alert_new(conversation)
    except Exception:
        log.exception("inbox: could not alert about new conversation %s", conversation.pk)


def conversations_created(conversations: Sequence[Conversation]) -> None:
    """conversation_created() for a batch (ingestion's): each workspace's webhooks and alert
    destinations are looked up once, not once per conversation. Never raises."""
    from hubbub.notify import alerts

    by_workspace: dict[int, list[Conversation]] = {}
    for conversation in conversations:
        by_workspace.setdefault(conversation.workspace_id, []).append(conversation)
    for workspace_id, group in by_workspace.items():
        try:
            hooked = _listened(workspace_id, "conversation.created")
            alerted = bool(alerts.destinations_for(group[0].workspace, "inbox.new_conversation"))
        except Exception:
            log.exception("inbox: could not look up who hears of workspace %s", workspace_id)
            continue
        if not (hooked or alerted):
            continue
        for conversation in group:
            if hooked:
                try:
                    fresh = _fresh(conversation.pk)
                    messages = sending.queue_event(
                        fresh.workspace, "conversation.created", payloads.conversation_data(fresh)
                    )
                    tasks.enqueue(m.pk for m in messages)
                except Exception:
                    log.exception(
                        "inbox: could not queue conversation.created for %s", conversation.pk
                    )
            if alerted:
                try:
                    _alert_new(conversation)
                except Exception:
                    log.exception(
                        "inbox: could not alert about new conversation %s", conversation.pk
                    )


def conversation_breached(conversation: Conversation, breach: Breach) -> None:
    try:
        if not _listened(conversation.workspace_id, "conversation.breached"):
            return
        fresh = _fresh(conversation.pk)
        messages = sending.queue_event(
            fresh.workspace, "conversation.breached", payloads.breach_data(fresh, breach)
        )
        tasks.enqueue(m.pk for m in messages)
    except Exception:
        log.exception("inbox: could not queue conversation.breached for %s", conversation.pk)


def _alert_new(conversation: Conversation) -> None:
    from hubbub.inbox import sla
    from hubbub.notify import alerts

    if conversation.opened_at < timezone.now() - FRESH:
        return
    if not alerts.destinations_for(conversation.workspace, "inbox.new_conversation"):
        return
    fresh = _fresh(conversation.pk)
    subject = " ".join(fresh.subject.split())[:140]

    def text() -> str:
        return _("New conversation from %(who)s on %(network)s: “%(subject)s”") % {
            "who": sla.who(fresh),
            "network": fresh.channel.network.title(),
            "subject": subject or "—",
        }

    alerts.send(fresh.workspace, "inbox.new_conversation", text, url=sla.conversation_path(fresh))
