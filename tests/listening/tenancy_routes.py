"""Listening's pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave as
it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.listening.models import (
    ListeningAlert,
    ListeningSource,
    Mention,
    MentionMatch,
    Query,
    QueryGroup,
    SentimentCorrection,
)
from hubbub.networks.models import Channel

VIEW = {"GET": "listening.view"}
CONFIGURE = {"GET": "listening.configure", "POST": "listening.configure"}

WEB: dict[str, dict[str, str]] = {
    "listening:overview": VIEW,
    "listening:mentions": VIEW,
    "listening:export": VIEW,
    "listening:learning": VIEW,
    "listening:correct": {"POST": "listening.triage"},
    "listening:to_conversation": {"POST": "listening.triage"},
    "listening:queries": VIEW,
    "listening:query_new": CONFIGURE,
    "listening:preview": VIEW,
    "listening:query_edit": CONFIGURE,
    "listening:query_delete": {"POST": "listening.configure"},
    "listening:group_new": {"POST": "listening.configure"},
    "listening:group_delete": {"POST": "listening.configure"},
    "listening:sources": VIEW,
    "listening:source_new": CONFIGURE,
    "listening:source_edit": CONFIGURE,
    "listening:source_read": {"POST": "listening.configure"},
    "listening:source_delete": {"POST": "listening.configure"},
    "listening:alerts": VIEW,
    "listening:alert": VIEW,
    "listening:alert_ack": {"POST": "listening.view"},
    "listening:alert_crisis": {"POST": "publishing.pause"},
}

L = "api/workspaces/{slug}/listening"
API: dict[tuple[str, str], str] = {
    ("GET", f"{L}/groups"): "listening.view",
    ("POST", f"{L}/groups"): "listening.configure",
    ("DELETE", f"{L}/groups/{{group_id}}"): "listening.configure",
    ("GET", f"{L}/queries"): "listening.view",
    ("POST", f"{L}/queries"): "listening.configure",
    ("POST", f"{L}/queries/preview"): "listening.view",
    ("GET", f"{L}/queries/{{query_id}}"): "listening.view",
    ("PATCH", f"{L}/queries/{{query_id}}"): "listening.configure",
    ("DELETE", f"{L}/queries/{{query_id}}"): "listening.configure",
    ("GET", f"{L}/sources"): "listening.view",
    ("POST", f"{L}/sources"): "listening.configure",
    ("GET", f"{L}/sources/{{source_id}}"): "listening.view",
    ("PATCH", f"{L}/sources/{{source_id}}"): "listening.configure",
    ("DELETE", f"{L}/sources/{{source_id}}"): "listening.configure",
    ("POST", f"{L}/sources/{{source_id}}/read"): "listening.configure",
    ("GET", f"{L}/mentions"): "listening.view",
    ("GET", f"{L}/mentions/{{mention_id}}"): "listening.view",
    ("POST", f"{L}/mentions/{{mention_id}}/sentiment"): "listening.triage",
    ("POST", f"{L}/mentions/{{mention_id}}/conversation"): "listening.triage",
    ("GET", f"{L}/stats"): "listening.view",
    ("GET", f"{L}/alerts"): "listening.view",
    ("GET", f"{L}/alerts/{{alert_id}}"): "listening.view",
    ("POST", f"{L}/alerts/{{alert_id}}/acknowledge"): "listening.view",
    ("POST", f"{L}/alerts/{{alert_id}}/crisis-mode"): "publishing.pause",
}
# Every listening body field has a default: nothing more is needed to pass validation.
BODY: dict[str, Any] = {"label": "negative", "kind": "brand"}

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme-listen", handle="acme.listen"
    )
    group = QueryGroup.objects.create(workspace=acme, name="Acme", kind="brand")
    query = Query.objects.create(workspace=acme, name="Acme", text="acme", group=group)
    source = ListeningSource.objects.create(
        workspace=acme, kind="search", name="Acme on Bluesky", channel=channel, terms="acme"
    )
    mention = Mention.objects.create(
        workspace=acme,
        source=source,
        network="bluesky",
        external_id="at://did:plc:fan/app.bsky.feed.post/1",
        text="acme is late",
        sentiment="negative",
        published_at=AT,
    )
    MentionMatch.objects.create(
        workspace=acme, query=query, mention=mention, published_at=AT, sentiment="negative"
    )
    alert = ListeningAlert.objects.create(
        workspace=acme,
        query=query,
        severity="crisis",
        window_start=AT - timedelta(minutes=10),
        window_end=AT,
        mentions=1,
        expected=0.1,
        negative_share=1.0,
        usual_negative_share=0.1,
    )
    return {
        "group_id": group.pk,
        "query_id": query.pk,
        "source_id": source.pk,
        "mention_id": mention.pk,
        "alert_id": alert.pk,
    }


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "listening_groups": sorted(QueryGroup.objects.values_list("pk", "name", "kind")),
        "listening_queries": sorted(
            Query.objects.values_list("pk", "name", "text", "is_active", "alerts_enabled")
        ),
        "listening_sources": sorted(
            ListeningSource.objects.values_list(
                "pk", "terms", "url", "interval", "is_active", "cursor", "last_read_at"
            )
        ),
        "mentions": sorted(
            Mention.objects.values_list("pk", "sentiment", "sentiment_corrected", "conversation")
        ),
        "matches": MentionMatch.objects.count(),
        "corrections": SentimentCorrection.objects.count(),
        "listening_alerts": sorted(
            ListeningAlert.objects.values_list("pk", "acknowledged_at", "crisis_mode_at")
        ),
    }
