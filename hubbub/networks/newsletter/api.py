"""/api/workspaces/{slug}/channels/newsletter: connect a newsletter, and manage its list."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import ERRORS, ChannelOut, ErrorOut, channel_out, local
from hubbub.networks.newsletter import subscribers as actions
from hubbub.networks.newsletter.connect import (
    ConnectFailed,
    NewsletterSettings,
    connect_newsletter,
)
from hubbub.networks.newsletter.models import Source, Subscriber

# The workspace slug is in the prefix this router is mounted under (hubbub.api.main).
router = Router()


class ConnectIn(Schema):
    host: str = Field(max_length=253, description="The SMTP server's name, e.g. smtp.example.com")
    port: int = Field(587, ge=1, le=65535, description="587 for STARTTLS, 465 for TLS")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description='"none" is refused unless the server is on the Hubbub machine itself.',
    )
    username: str = Field("", max_length=254)
    password: str = Field("", max_length=500, description="Stored encrypted, never shown again.")
    from_name: str = Field("", max_length=200)
    from_address: str = Field(max_length=254)
    reply_to: str = Field("", max_length=254)
    list_name: str = Field(max_length=200)
    postal_address: str = Field(
        max_length=500, description="The sender's postal address, in every footer (CAN-SPAM)."
    )


# 502: the SMTP server was unreachable, busy or failing: trying later can help.
CONNECT_ANSWERS: dict[int, Any] = {201: ChannelOut, **ERRORS, 502: ErrorOut}


@router.post(
    "",
    response=CONNECT_ANSWERS,
    summary="Connect an e-mail newsletter",
    description=(
        "Connects to the SMTP server, sets up TLS and logs in (no e-mail is sent), then "
        "saves the newsletter with the password encrypted. Nothing is saved when a check "
        "fails: the 400 answer says why, with the field at fault. Requires channels.connect."
    ),
)
def connect(request: HttpRequest, slug: Path[str], payload: ConnectIn) -> Any:
    access = api_access(request, slug)
    access.require("channels.connect")
    try:
        channel = connect_newsletter(access, NewsletterSettings(**payload.dict()))
    except ConnectFailed as exc:
        if exc.error.permanent:
            raise
        return Status(502, {"detail": exc.message, "field": exc.field})
    return Status(201, channel_out(channel, access.workspace.tz))


class SubscriberOut(Schema):
    id: int
    email: str
    name: str
    status: str = Field(description="active, unsubscribed or bounced")
    bounce_message: str = Field(description="The SMTP server's words when it bounced")
    source: str = Field(description="csv, api or web")
    created_at: datetime
    unsubscribed_at: datetime | None


class SubscriberPage(Schema):
    count: int
    items: list[SubscriberOut]


class SubscriberIn(Schema):
    email: str = Field(max_length=254)
    name: str = Field("", max_length=200)


class ImportOut(Schema):
    imported: int
    duplicates: int = Field(description="Addresses already on the list or repeated: skipped")
    errors: list[dict[str, Any]] = Field(description="[{line, message}] for each refused row")


def _out(subscriber: Subscriber, access: Any) -> dict[str, Any]:
    tz = access.workspace.tz
    return {
        "id": subscriber.pk,
        "email": subscriber.email,
        "name": subscriber.name,
        "status": subscriber.status,
        "bounce_message": subscriber.bounce_message,
        "source": subscriber.source,
        "created_at": local(subscriber.created_at, tz),
        "unsubscribed_at": local(subscriber.unsubscribed_at, tz),
    }


@router.get(
    "/{channel_id}/subscribers",
    response={200: SubscriberPage, **ERRORS},
    summary="List a newsletter's subscribers",
    description="By e-mail address; `status` filters. Requires channels.view.",
)
def list_subscribers(
    request: HttpRequest,
    slug: Path[str],
    channel_id: int,
    status: Literal["active", "unsubscribed", "bounced"] | None = None,
    limit: Query[int] = 100,
    offset: Query[int] = 0,
) -> Any:
    access = api_access(request, slug)
    access.require("channels.view")
    channel = actions.newsletter_channel(access, channel_id)
    limit, offset = max(1, min(limit, 1000)), max(0, offset)
    found = Subscriber.objects.filter(channel=channel)
    if status:
        found = found.filter(status=status)
    return {
        "count": found.count(),
        "items": [_out(s, access) for s in found[offset : offset + limit]],
    }


@router.post(
    "/{channel_id}/subscribers",
    response={201: SubscriberOut, **ERRORS},
    summary="Add a subscriber",
    description=(
        "Someone who asked for the newsletter. An address already on the list is refused "
        "(400), and one that unsubscribed or bounced is never subscribed again. Requires "
        "channels.connect."
    ),
)
def add_subscriber(
    request: HttpRequest, slug: Path[str], channel_id: int, payload: SubscriberIn
) -> Any:
    access = api_access(request, slug)
    access.require("channels.connect")
    channel = actions.newsletter_channel(access, channel_id)
    added = actions.add_subscriber(access, channel, payload.email, payload.name, Source.API)
    return Status(201, _out(added, access))


@router.post(
    "/{channel_id}/subscribers/import",
    response={200: ImportOut, **ERRORS},
    summary="Import subscribers from CSV",
    description=(
        "The request body is the CSV file itself (Content-Type: text/csv, UTF-8): columns "
        "email and name, with or without a header row. Good rows are imported, addresses "
        "already on the list skipped and counted, bad rows listed by line with the reason. "
        "Requires channels.connect."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def import_subscribers(request: HttpRequest, slug: Path[str], channel_id: int) -> Any:
    access = api_access(request, slug)
    access.require("channels.connect")
    channel = actions.newsletter_channel(access, channel_id)
    result = actions.import_csv(access, channel, request.body)
    return {
        "imported": result.imported,
        "duplicates": result.duplicates,
        "errors": [{"line": e.line, "message": e.message} for e in result.errors],
    }


@router.get(
    "/{channel_id}/subscribers/export.csv",
    response={200: str, **ERRORS},
    summary="Export subscribers as CSV",
    description=(
        "Every subscriber with status, source, dates and bounce message. Personal data: "
        "requires channels.connect."
    ),
)
def export_subscribers(request: HttpRequest, slug: Path[str], channel_id: int) -> Any:
    access = api_access(request, slug)
    access.require("channels.connect")
    channel = actions.newsletter_channel(access, channel_id)
    response = HttpResponse(
        actions.export_csv(access, channel), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subscribers-{channel.pk}.csv"'
    return response
