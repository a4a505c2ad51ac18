"""Webhook endpoints over the API: the same actions as the webhooks page.

The signing secret appears in the answers of create and rotate-secret only. Each handler
checks webhooks.manage before it looks anything up, so a role that may not manage webhooks
learns nothing about which ids exist.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers, local
from hubbub.core.access import Access, ActionError
from hubbub.webhooks import actions
from hubbub.webhooks.models import EVENTS, MessageStatus, WebhookEndpoint, WebhookMessage

router = Router(tags=["webhooks"])

EVENT_NAMES = ", ".join(EVENTS)
MESSAGE_STATUSES = ", ".join(MessageStatus.values)

# --- schemas ------------------------------------------------------------------------------


# Every field has a default so that a refused role gets its 403 whatever it sent; the action
# then says what is missing for a caller who may manage webhooks.
class EndpointIn(Schema):
    url: str = Field("", description="A public https:// address that accepts POST.")
    description: str = Field("", max_length=200)
    events: list[str] | None = Field(
        None, description=f"Any of {EVENT_NAMES}; left out: all of them."
    )


class EndpointPatchIn(Schema):
    url: str | None = None
    description: str | None = Field(None, max_length=200)
    events: list[str] | None = Field(None, description=f"Any of {EVENT_NAMES}.")
    is_active: bool | None = Field(
        None, description="false switches it off; true switches it on and resets its failures."
    )


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    is_active: bool
    created_by: str | None = Field(description="The e-mail of who created it.")
    created_at: datetime
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    consecutive_failures: int = Field(
        description="Messages in a row that finally failed; the endpoint is switched off at 5."
    )


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_…): in this answer only.")


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret (whsec_…): in this answer only.")


class MessageOut(Schema):
    id: str = Field(description="The webhook-id header of the message, the same on retries.")
    event: str
    status: str = Field(description=f"One of {MESSAGE_STATUSES}.")
    attempts: int
    next_attempt_at: datetime | None = Field(description="Set while the status is pending.")
    response_status: int | None = Field(description="The endpoint's last HTTP status.")
    error: str
    created_at: datetime
    sent_at: datetime | None
    payload: dict[str, Any] = Field(description="The JSON body sent.")


class MessageQuery(Schema):
    status: str = Field("", description=f"One of {MESSAGE_STATUSES}; empty for all.")
    limit: int = Field(50, ge=1, le=500)


def endpoint_fields(endpoint: WebhookEndpoint, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "is_active": endpoint.is_active,
        "created_by": endpoint.created_by.email if endpoint.created_by else None,
        "created_at": local(endpoint.created_at, tz),
        "last_success_at": local(endpoint.last_success_at, tz),
        "last_failure_at": local(endpoint.last_failure_at, tz),
        "last_error": endpoint.last_error,
        "consecutive_failures": endpoint.consecutive_failures,
    }


def message_out(message: WebhookMessage, tz: zoneinfo.ZoneInfo) -> MessageOut:
    pending = message.status == MessageStatus.PENDING
    return MessageOut(
        id=message.webhook_id,
        event=message.event,
        status=message.status,
        attempts=message.attempts,
        next_attempt_at=local(message.next_attempt_at, tz) if pending else None,
        response_status=message.response_status,
        error=message.error,
        created_at=local(message.created_at, tz),  # type: ignore[arg-type]
        sent_at=local(message.sent_at, tz),
        payload=message.payload,
    )


# --- handlers -----------------------------------------------------------------------------


def _access(request: HttpRequest, slug: str) -> Access:
    access = api_access(request, slug)
    access.require("webhooks.manage")
    return access


def _endpoint(access: Access, endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(
        WebhookEndpoint.objects.select_related("created_by"),
        pk=endpoint_id,
        workspace=access.workspace,
    )


@router.get(
    "/workspaces/{slug}/webhooks",
    response=answers(200, list[EndpointOut]),
    summary="Webhook endpoints",
)
def list_webhooks(request: HttpRequest, slug: str) -> list[EndpointOut]:
    access = _access(request, slug)
    tz = access.workspace.tz
    endpoints = WebhookEndpoint.objects.filter(workspace=access.workspace).select_related(
        "created_by"
    )
    return [EndpointOut(**endpoint_fields(e, tz)) for e in endpoints]


@router.post(
    "/workspaces/{slug}/webhooks",
    response=answers(201, EndpointCreatedOut),
    summary="Add a webhook endpoint (its signing secret is in this answer only)",
)
def create_webhook(
    request: HttpRequest, slug: str, payload: EndpointIn
) -> Status[EndpointCreatedOut]:
    access = _access(request, slug)
    endpoint, secret = actions.create_endpoint(
        access, payload.url, payload.description, payload.events
    )
    fields = endpoint_fields(endpoint, access.workspace.tz)
    return Status(201, EndpointCreatedOut(**fields, secret=secret))


@router.get(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}",
    response=answers(200, EndpointOut),
    summary="A webhook endpoint",
)
def get_webhook(request: HttpRequest, slug: str, endpoint_id: int) -> EndpointOut:
    access = _access(request, slug)
    endpoint = _endpoint(access, endpoint_id)
    return EndpointOut(**endpoint_fields(endpoint, access.workspace.tz))


@router.patch(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}",
    response=answers(200, EndpointOut),
    summary="Change a webhook endpoint (address, events, on/off)",
)
def update_webhook(
    request: HttpRequest, slug: str, endpoint_id: int, payload: EndpointPatchIn
) -> EndpointOut:
    access = _access(request, slug)
    endpoint = _endpoint(access, endpoint_id)
    actions.update_endpoint(
        access,
        endpoint,
        url=payload.url,
        description=payload.description,
        events=payload.events,
        is_active=payload.is_active,
    )
    return EndpointOut(**endpoint_fields(endpoint, access.workspace.tz))


@router.delete(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}",
    response=answers(204, None),
    summary="Delete a webhook endpoint",
)
def delete_webhook(request: HttpRequest, slug: str, endpoint_id: int) -> Status[None]:
    access = _access(request, slug)
    actions.delete_endpoint(access, _endpoint(access, endpoint_id))
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}/rotate-secret",
    response=answers(200, SecretOut),
    summary="Replace the signing secret (the old one stops working at once)",
)
def rotate_webhook_secret(request: HttpRequest, slug: str, endpoint_id: int) -> SecretOut:
    access = _access(request, slug)
    return SecretOut(secret=actions.rotate_secret(access, _endpoint(access, endpoint_id)))


@router.post(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}/test",
    response=answers(200, MessageOut),
    summary="Send a webhook.test event now and answer with its outcome",
)
def test_webhook(request: HttpRequest, slug: str, endpoint_id: int) -> MessageOut:
    access = _access(request, slug)
    message = actions.send_test(access, _endpoint(access, endpoint_id))
    return message_out(message, access.workspace.tz)


@router.get(
    "/workspaces/{slug}/webhooks/{int:endpoint_id}/messages",
    response=answers(200, list[MessageOut]),
    summary="The latest messages to a webhook endpoint, newest first",
)
def list_webhook_messages(
    request: HttpRequest, slug: str, endpoint_id: int, filters: Query[MessageQuery]
) -> list[MessageOut]:
    access = _access(request, slug)
    endpoint = _endpoint(access, endpoint_id)
    messages = endpoint.messages.all()
    if filters.status:
        if filters.status not in MessageStatus.values:
            raise ActionError(
                f"'{filters.status}' is not a message status: use one of {MESSAGE_STATUSES}.",
                field="status",
            )
        messages = messages.filter(status=filters.status)
    tz = access.workspace.tz
    return [message_out(m, tz) for m in messages[: filters.limit]]
