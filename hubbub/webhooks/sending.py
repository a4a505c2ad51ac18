"""Writing webhook messages when something happens, and sending them with retries.

Only hubbub.core.http sends: the endpoint's address is typed by a person, so the private
address guard (no 127.0.0.1, no 10.x, no cloud metadata) applies to every attempt, including
where a redirect would lead (redirects are not followed: a moved endpoint fails visibly).

A message is claimed with a conditional UPDATE that pushes its next attempt past a lease, so
the per-message task and the periodic sweep can both pick it up without sending it twice at
the same time. Delivery is at-least-once: the receiver de-duplicates on `webhook-id`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.accounts.models import User
from hubbub.core import http
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.core.notifications import notify
from hubbub.core.roles import Role
from hubbub.webhooks import payloads, signing
from hubbub.webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
# Delay before attempt 2, 3, … 8 (after the first one, made at once). About a day in all,
# so an endpoint down for a deploy or a night still gets everything.
BACKOFF = [
    timedelta(seconds=30),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=8),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_RETRY_AFTER = timedelta(hours=24)  # a Retry-After further away than this is capped
LEASE = timedelta(minutes=2)  # longer than TIMEOUT_SECONDS: a claim outlives its attempt
DISABLE_AFTER = 5  # messages in a row that finally failed
KEEP = timedelta(days=30)  # sent and failed messages are kept this long for the history


def body_of(message: WebhookMessage) -> bytes:
    return json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False).encode()


def queue_event(workspace: Workspace, event: str, data: dict[str, Any]) -> list[WebhookMessage]:
    """One message per active endpoint of the workspace subscribed to `event` (hand them to
    hubbub.webhooks.tasks.enqueue to have them sent)."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(workspace=workspace, is_active=True)
        if e.wants(event)
    ]
    return [queue_message(endpoint, event, data) for endpoint in endpoints]


def queue_message(endpoint: WebhookEndpoint, event: str, data: dict[str, Any]) -> WebhookMessage:
    now = timezone.now()
    message = WebhookMessage(endpoint=endpoint, event=event, created_at=now, next_attempt_at=now)
    message.payload = payloads.envelope(message.webhook_id, event, now, endpoint.workspace, data)
    message.save()
    return message


def due_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def prune(now: datetime | None = None) -> int:
    """Forget finished messages older than KEEP; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    old = WebhookMessage.objects.filter(created_at__lt=cutoff).exclude(status=MessageStatus.PENDING)
    return old.delete()[0]


def attempt(message_id: int) -> WebhookMessage | None:
    """Make the next attempt at one message, if it is due and nobody else is making it."""
    now = timezone.now()
    claimed = WebhookMessage.objects.filter(
        pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None  # sent, failed, not due yet, or another worker has it
    message = WebhookMessage.objects.select_related("endpoint__workspace").get(pk=message_id)
    endpoint = message.endpoint
    if not endpoint.is_active:
        _finish(message, MessageStatus.FAILED, _("The endpoint is switched off."))
        return message
    body = body_of(message)
    timestamp = int(now.timestamp())
    try:
        headers = signing.headers(endpoint.secret, message.webhook_id, timestamp, body)
        response = http.request(
            "POST", endpoint.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
    except http.OutboundError as exc:
        if exc.permanent:
            _failed(message, exc.message)
        else:
            _retry(message, exc.message, None)
        return message
    except Exception:  # a bug must not leave the message claimed for ever without a word
        log.exception("webhook message %s: unexpected error", message.webhook_id)
        _retry(message, _("Hubbub hit an internal error while sending; it will try again."), None)
        return message
    message.response_status = response.status_code
    if 200 <= response.status_code < 300:
        _succeeded(message)
    elif http.is_transient_status(response.status_code):
        _retry(message, _describe(response), http.retry_at(response))
    else:
        _failed(message, _describe(response))
    return message


def _describe(response: Any) -> str:
    code = response.status_code
    if 300 <= code < 400:
        return _(
            "The endpoint answered %(code)s (a redirect); redirects are not followed: use the "
            "final address."
        ) % {"code": code}
    text = " ".join(response.text.split())[:300]
    return _("The endpoint answered %(code)s: %(text)s") % {"code": code, "text": text or "—"}


def _succeeded(message: WebhookMessage) -> None:
    now = timezone.now()
    message.status, message.sent_at, message.error = MessageStatus.SENT, now, ""
    message.save(update_fields=["status", "sent_at", "error", "response_status"])
    WebhookEndpoint.objects.filter(pk=message.endpoint_id).update(
        last_success_at=now, consecutive_failures=0, last_error=""
    )


def _retry(message: WebhookMessage, error: str, retry_at: datetime | None) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _failed(
            message,
            _("%(error)s Gave up after %(count)s attempts.")
            % {"error": error, "count": message.attempts},
        )
        return
    now = timezone.now()
    when = now + BACKOFF[message.attempts - 1]
    if retry_at is not None:  # the server said when; never sooner, never absurdly later
        when = min(max(retry_at, now), now + MAX_RETRY_AFTER)
    message.error, message.next_attempt_at = error, when
    message.save(update_fields=["error", "next_attempt_at", "response_status"])
    _note_failure(message.endpoint, error)


def _failed(message: WebhookMessage, error: str) -> None:
    _finish(message, MessageStatus.FAILED, error)
    _note_failure(message.endpoint, error)
    WebhookEndpoint.objects.filter(pk=message.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint = WebhookEndpoint.objects.select_related("workspace").get(pk=message.endpoint_id)
    if endpoint.is_active and endpoint.consecutive_failures >= DISABLE_AFTER:
        disable(endpoint)


def _finish(message: WebhookMessage, status: str, error: str) -> None:
    message.status, message.error = status, error
    message.save(update_fields=["status", "error", "response_status"])


def _note_failure(endpoint: WebhookEndpoint, error: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        last_failure_at=timezone.now(), last_error=error
    )
    log.warning("webhook endpoint %s: attempt failed: %s", endpoint.pk, error)


def disable(endpoint: WebhookEndpoint) -> None:
    """Switch off an endpoint that keeps failing, drop its waiting messages, tell the managers."""
    now = timezone.now()
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now
    ):
        return  # already off: one notice is enough
    WebhookMessage.objects.filter(endpoint=endpoint, status=MessageStatus.PENDING).update(
        status=MessageStatus.FAILED, error=_("Not sent: the endpoint was switched off.")
    )
    record(
        "webhook.disable",
        workspace=endpoint.workspace,
        actor=None,
        via="system",
        obj=endpoint,
        label=endpoint.url,
        before={"is_active": True},
        after={"is_active": False, "consecutive_failures": endpoint.consecutive_failures},
    )
    _notify_managers(endpoint)


def _managers(workspace: Workspace) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=[Role.OWNER, Role.MANAGER]
        ).select_related("user")
    ]


def _notify_managers(endpoint: WebhookEndpoint) -> None:
    workspace = endpoint.workspace

    def text() -> str:  # rendered in each recipient's language
        return _(
            "Webhook %(url)s was switched off after %(count)s failed deliveries in a row. "
            "Last error: %(error)s"
        ) % {
            "url": endpoint.url,
            "count": endpoint.consecutive_failures,
            "error": endpoint.last_error or "—",
        }

    notify(
        _managers(workspace),
        workspace,
        "webhook.disabled",
        text,
        url=reverse("webhooks:detail", args=[workspace.slug, endpoint.pk]),
    )
