"""What the export/import tests share: a workspace with a row of each tricky kind, media in a
folder of the test's own, and a fingerprint that compares two workspaces by meaning.

The fingerprint describes every row of every exported model without primary keys: a foreign
key becomes (model, position of the target among its model's rows of the workspace, by key),
a person their e-mail address. Import keeps the order of the rows, so a faithful copy has the
same fingerprint whatever keys its rows got."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Kind, Note, Rule, SavedView, Tag, Team
from hubbub.listening.models import Mention
from hubbub.measure.models import CampaignBudget
from hubbub.networks.models import Channel
from hubbub.notify.models import Destination
from hubbub.portability import graph, references
from hubbub.portability.export import queryset
from hubbub.publishing.models import Campaign, Post, PostMedia, PostVariant, WorkspacePublishing
from hubbub.webhooks.models import WebhookEndpoint, WebhookMessage

# The smallest valid PNG (1x1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
WHEN = datetime(2026, 6, 3, 15, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def enrich(workspace: Workspace, owner: User, other: User | None = None) -> None:
    """Rows of each kind the demo does not make: secrets, media on disk, self-references,
    many-to-many links, a one-to-one primary key, ids kept in JSON and in a query string."""
    channel = Channel(
        workspace=workspace, network="bluesky", external_id="did:plc:x", handle="acme.test"
    )
    channel.credentials = {"app_password": "s3cret-app-password"}
    channel.save()
    relative = f"{workspace.slug}/2026/06/picture.png"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    campaign = Campaign.objects.create(workspace=workspace, name="Portability launch")
    CampaignBudget.objects.create(campaign=campaign, amount=Decimal("1234.50"), currency="EUR")
    WorkspacePublishing.objects.get_or_create(workspace=workspace)
    first = Post.objects.create(
        workspace=workspace,
        author=owner,
        campaign=campaign,
        purpose="Weekly tip",
        rrule="FREQ=WEEKLY",
        scheduled_at=WHEN,
    )
    Post.objects.create(
        workspace=workspace, author=other, purpose="Weekly tip, week 2", series=first
    )
    variant = PostVariant.objects.create(post=first, channel=channel, parts=["Hello"])
    PostMedia.objects.create(
        post=first,
        variant=variant,
        path=relative,
        mime_type="image/png",
        size=len(PNG),
        width=1,
        height=1,
        alt_text="A dot",
    )
    original = Mention.objects.create(
        workspace=workspace, network="rss", external_id="1", text="Acme is great", published_at=WHEN
    )
    Mention.objects.create(
        workspace=workspace,
        network="rss",
        external_id="2",
        text="Acme is great",
        published_at=WHEN + timedelta(minutes=1),
        duplicate_of=original,
    )
    tag = Tag.objects.create(workspace=workspace, name="portability")
    team = Team.objects.create(workspace=workspace, name="Portability desk")
    team.members.add(owner)
    conversation = Conversation.objects.create(
        workspace=workspace,
        channel=channel,
        kind=Kind.MENTION,
        thread_key="portability-1",
        opened_at=WHEN,
        last_message_at=WHEN,
        assignee=owner,
        team=team,
    )
    conversation.tags.add(tag)
    note = Note.objects.create(conversation=conversation, author=owner, text="Look at this")
    note.mentions.add(owner)
    Rule.objects.create(
        workspace=workspace,
        name="Portability rule",
        conditions=[{"field": "channel", "op": "in", "value": [channel.pk]}],
        actions=[
            {"type": "assign", "mode": "user", "user_id": owner.pk},
            {"type": "assign", "mode": "team", "team_id": team.pk},
        ],
    )
    SavedView.objects.create(
        workspace=workspace,
        name="Mine",
        query=f"status=open&channel={channel.pk}&tag={tag.pk}&tag=billing&assignee={owner.pk}",
    )
    destination = Destination(workspace=workspace, kind="slack", name="Team chat")
    destination.config = {"webhook_url": "https://hooks.slack.test/services/T/B/X"}
    destination.save()
    endpoint = WebhookEndpoint(workspace=workspace, url="https://hooks.example/in")
    endpoint.secret = "whsec_c2VjcmV0"
    endpoint.save()
    WebhookMessage.objects.create(endpoint=endpoint, event="webhook.test", payload={"a": 1})


def _describe(
    value: Any, label: str, index: dict[str, dict[Any, int]], emails: dict[Any, str]
) -> Any:
    if value is None:
        return None
    if label == graph.user_label():
        return emails.get(value, f"user outside: {value}")
    position = index.get(label, {}).get(value)
    return (label, position) if position is not None else (label, "outside", value)


def fingerprint(workspace: Workspace, *, fresh: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every row of the workspace, described without keys. `fresh=False` leaves out the
    tokens an import alongside the original replaces (graph.FRESH_ON_CLASH)."""
    plan = [node for node in graph.plan() if node.path]
    rows = {node.label: list(queryset(node, workspace)) for node in plan}
    index = {label: {row.pk: i for i, row in enumerate(found)} for label, found in rows.items()}
    emails = dict(User.objects.values_list("pk", "email"))
    names: dict[str, list[str]] = {}
    for node in plan:
        names.setdefault(str(node.model._meta.model_name), []).append(node.label)
    by_model_name = {name: labels[0] for name, labels in names.items() if len(labels) == 1}

    def lookup(label: str, old: Any) -> Any:
        if label == graph.user_label():
            return emails.get(old)
        return index.get(label, {}).get(old)

    skipped = {(graph.WORKSPACE, "slug")} | (set() if fresh else set(graph.FRESH_ON_CLASH))
    result: dict[str, list[dict[str, Any]]] = {}
    for node in plan:
        described = []
        for row in rows[node.label]:
            fields: dict[str, Any] = {}
            for field in node.model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if field.is_relation:
                    target = field.related_model._meta.label  # type: ignore[union-attr]
                    fields[field.name] = _describe(value, target, index, emails)
                elif field.primary_key:
                    continue
                elif (node.label, field.name) in graph.MEDIA_FIELDS and value:
                    fields[field.name] = value.removeprefix(workspace.slug + "/")
                elif (node.label, field.name) in skipped:
                    continue
                else:
                    fields[field.name] = value
            for many in graph.many_to_many(node.model):
                target = many.related_model._meta.label  # type: ignore[union-attr]
                linked = getattr(row, many.name).values_list("pk", flat=True)
                fields[many.name] = sorted(str(_describe(v, target, index, emails)) for v in linked)
            rewrite = references.REWRITERS.get(node.label)
            if rewrite is not None:
                rewrite(fields, lookup)
            if node.label == "core.AuditEntry":
                references.audit_entry(fields, lookup, by_model_name)
            described.append(fields)
        result[node.label] = described
    return result


def people(emails: list[str]) -> list[dict[str, Any]]:
    """What an account is, for the members restored into an empty install."""
    keep = ("email", "full_name", "language", "password", "is_active", "date_joined", "last_login")
    return [dict(User.objects.filter(email=email).values(*keep).get()) for email in sorted(emails)]
