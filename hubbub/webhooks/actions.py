"""Managing webhook endpoints: the one place the rules live (web page, API and tests use it).

Every action needs webhooks.manage and is audited. The signing secret is returned by
`create_endpoint` and `rotate_secret` only: it is stored encrypted and never shown again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.webhooks import payloads, sending, signing
from hubbub.webhooks.models import EVENTS, TEST_EVENT, WebhookEndpoint, WebhookMessage

MAX_ENDPOINTS = 20  # per workspace: more is a mistake or a loop


def _state(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never its secret."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "is_active": endpoint.is_active,
    }


def _own(access: Access, endpoint: WebhookEndpoint) -> None:
    access.require("webhooks.manage")
    if endpoint.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That webhook belongs to another workspace."))


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ActionError(_("Give the address Hubbub should POST events to."), field="url")
    if len(url) > 2000:
        raise ActionError(_("That address is too long (2,000 characters at most)."), field="url")
    parts = urlsplit(url)
    # Plain http is only for local test networks: events carry post content and links.
    private_ok = getattr(settings, "HUBBUB_ALLOW_PRIVATE_NETWORKS", False)
    allowed = {"https", "http"} if private_ok else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise ActionError(
            _("'%(url)s' is not an https:// address: webhooks are only sent over HTTPS.")
            % {"url": url},
            field="url",
        )
    if parts.username or parts.password:
        raise ActionError(
            _("Leave the user name and password out of the address: requests are signed."),
            field="url",
        )
    try:
        http.check_url(url)
    except http.OutboundError as exc:
        raise ActionError(exc.message, field="url") from None
    return url


def clean_events(events: Iterable[str] | None) -> list[str]:
    if events is None:
        return list(EVENTS)
    chosen = [str(e).strip() for e in events if str(e).strip()]
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise ActionError(
            _("Unknown event %(events)s: choose among %(known)s.")
            % {"events": ", ".join(unknown), "known": ", ".join(EVENTS)},
            field="events",
        )
    if not chosen:
        raise ActionError(_("Choose at least one event to send."), field="events")
    return [e for e in EVENTS if e in chosen]  # stable order, no duplicates


def create_endpoint(
    access: Access, url: str, description: str = "", events: Iterable[str] | None = None
) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its signing secret, which is shown once."""
    access.require("webhooks.manage")
    url = clean_url(url)
    chosen = clean_events(events)
    if WebhookEndpoint.objects.filter(workspace=access.workspace).count() >= MAX_ENDPOINTS:
        raise ActionError(
            _("A workspace has %(count)s webhooks at most: delete one you no longer use.")
            % {"count": MAX_ENDPOINTS}
        )
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        workspace=access.workspace,
        url=url,
        description=(description or "").strip()[:200],
        events=chosen,
        created_by=access.user,
    )
    endpoint.secret = secret
    with transaction.atomic():
        endpoint.save()
        record(
            "webhook.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=endpoint,
            label=endpoint.url,
            after=_state(endpoint),
        )
    return endpoint, secret


def update_endpoint(
    access: Access,
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    description: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None: leave as is). Switching an endpoint back on forgets its
    failure count, so it gets a fresh start."""
    _own(access, endpoint)
    before = _state(endpoint)
    if url is not None:
        endpoint.url = clean_url(url)
    if description is not None:
        endpoint.description = description.strip()[:200]
    if events is not None:
        endpoint.events = clean_events(events)
    if is_active is not None and is_active != endpoint.is_active:
        endpoint.is_active = is_active
        if is_active:
            endpoint.consecutive_failures, endpoint.disabled_at = 0, None
    after = _state(endpoint)
    if after == before:
        return endpoint
    with transaction.atomic():
        endpoint.save()
        record(
            "webhook.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=endpoint,
            label=endpoint.url,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return endpoint


def delete_endpoint(access: Access, endpoint: WebhookEndpoint) -> None:
    _own(access, endpoint)
    with transaction.atomic():
        record(
            "webhook.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=endpoint,
            label=endpoint.url,
            before=_state(endpoint),
        )
        endpoint.delete()


def rotate_secret(access: Access, endpoint: WebhookEndpoint) -> str:
    """A new signing secret, effective at once; returns it (shown once)."""
    _own(access, endpoint)
    secret = signing.new_secret()
    endpoint.secret = secret
    with transaction.atomic():
        endpoint.save(update_fields=["secret_encrypted"])
        record(
            "webhook.rotate_secret",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=endpoint,
            label=endpoint.url,
        )
    return secret


def send_test(access: Access, endpoint: WebhookEndpoint) -> WebhookMessage:
    """Send a "webhook.test" event now and return the message with its outcome.

    Sent in the request, not by a worker, so the person sees the answer at once; a
    temporary failure is retried later like any other message.
    """
    _own(access, endpoint)
    if not endpoint.is_active:
        raise ActionError(_("The webhook is switched off: switch it on before testing it."))
    message = sending.queue_message(endpoint, TEST_EVENT, payloads.test_data(access.workspace))
    record(
        "webhook.test",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=endpoint,
        label=endpoint.url,
        after={"webhook_id": message.webhook_id},
    )
    sending.attempt(message.pk)
    message.refresh_from_db()
    return message
