"""Curation feeds pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, FeedItemRead, LibraryItem, LibraryKind

VIEW = {"GET": "curation.view"}
EDIT = {"POST": "curation.edit"}
EDIT_PAGE = {"GET": "curation.edit", "POST": "curation.edit"}

WEB: dict[str, dict[str, str]] = {
    "curation:feeds": VIEW,
    "curation:feed_new": EDIT,
    "curation:feeds_opml": VIEW,
    "curation:feeds_opml_import": EDIT,
    "curation:feed_edit": EDIT_PAGE,
    "curation:feed_read": EDIT,
    "curation:feed_pause": EDIT,
    "curation:feed_delete": EDIT,
    "curation:feed_items": VIEW,
    "curation:feed_items_read_all": {"POST": "curation.view"},
    "curation:feed_item_read": {"POST": "curation.view"},
    "curation:feed_item_save": EDIT,
    "curation:library": VIEW,
    "curation:library_new": EDIT_PAGE,
    "curation:library_export": VIEW,
    "curation:library_import": EDIT_PAGE,
    "curation:library_edit": EDIT_PAGE,
    "curation:library_approve": {"POST": "library.approve"},
    "curation:library_delete": EDIT,
}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/feeds"): "curation.view",
    ("POST", f"{W}/feeds"): "curation.edit",
    ("GET", f"{W}/feeds/opml"): "curation.view",
    ("POST", f"{W}/feeds/opml"): "curation.edit",
    ("GET", f"{W}/feeds/{{feed_id}}"): "curation.view",
    ("PATCH", f"{W}/feeds/{{feed_id}}"): "curation.edit",
    ("DELETE", f"{W}/feeds/{{feed_id}}"): "curation.edit",
    ("POST", f"{W}/feeds/{{feed_id}}/read"): "curation.edit",
    ("GET", f"{W}/feed-items"): "curation.view",
    ("POST", f"{W}/feed-items/read"): "curation.view",
    ("POST", f"{W}/feed-items/{{feed_item_id}}/save"): "curation.edit",
    ("GET", f"{W}/library"): "curation.view",
    ("POST", f"{W}/library"): "curation.edit",
    ("GET", f"{W}/library/export.csv"): "curation.view",
    ("POST", f"{W}/library/import"): "curation.edit",
    ("GET", f"{W}/library/{{library_item_id}}"): "curation.view",
    ("PUT", f"{W}/library/{{library_item_id}}"): "curation.edit",
    ("DELETE", f"{W}/library/{{library_item_id}}"): "curation.edit",
    ("POST", f"{W}/library/{{library_item_id}}/approve"): "library.approve",
}
# The shared body's "url", "title", "text" and "kind" (other modules') fit these schemas;
# nothing of ours needs a key of its own.
BODY: dict[str, Any] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    feed = Feed.objects.create(workspace=acme, url="https://news.example/feed", title="Acme news")
    item = FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="0" * 64,
        url="https://news.example/1",
        title="Acme opens a shop",
        published_at=timezone.now(),
    )
    entry = LibraryItem.objects.create(
        workspace=acme, kind=LibraryKind.SNIPPET, title="Greeting", text="Hello from Acme"
    )
    return {"feed_id": feed.pk, "feed_item_id": item.pk, "library_item_id": entry.pk}


def snapshot() -> dict[str, Any]:
    return {
        "feeds": sorted(
            Feed.objects.values_list("pk", "url", "title", "topic", "is_active", "interval")
        ),
        "feed_items": sorted(FeedItem.objects.values_list("pk", "feed_id")),
        "feed_reads": sorted(FeedItemRead.objects.values_list("item_id", "user_id")),
        "library": sorted(
            LibraryItem.objects.values_list("pk", "kind", "title", "text", "approved_at")
        ),
    }
