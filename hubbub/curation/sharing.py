"""Sharing a feed item or a library item: what the composer is pre-filled with, and the
record (`Share`) of which post carries which curated content and its credit.

A source is named "feed:<id>" or "library:<id>" (the composer's ?share= and its hidden
`share_source` input). Every lookup is scoped to the caller's workspace: another's id is
"unknown", never found.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core.access import Access
from hubbub.curation.models import FeedItem, LibraryItem, LibraryKind, Share
from hubbub.publishing.models import Post


@dataclass(frozen=True)
class SharePrefill:
    source: str  # "feed:<id>" or "library:<id>"
    purpose: str  # the post's purpose line, e.g. "Share: <title>"
    text: str  # the text with its credit (title, "via <author> / <site>", the link)
    link: str  # the source link ("" for a snippet)
    media_path: str = ""  # a library image, relative to MEDIA_ROOT
    alt_text: str = ""
    variants: dict[int, str] = field(default_factory=dict)  # channel id → text, for a persona


def parse_source(source: str) -> tuple[str, int] | None:
    kind, _sep, number = (source or "").strip().partition(":")
    if kind not in ("feed", "library") or not number.isdigit():
        return None
    return kind, int(number)


def _feed_item(access: Access, pk: int) -> FeedItem | None:
    return FeedItem.objects.filter(pk=pk, workspace=access.workspace).select_related("feed").first()


def _library_item(access: Access, pk: int) -> LibraryItem | None:
    return LibraryItem.objects.filter(pk=pk, workspace=access.workspace).first()


def credit_line(author: str, site: str) -> str:
    """ "via Jane Doe / Le Journal", "via Le Journal", or "" when nobody is known."""
    who = " / ".join(part for part in (author.strip(), site.strip()) if part)
    return _("via %(who)s") % {"who": who} if who else ""


def _article_text(title: str, author: str, site: str, link: str) -> str:
    lines = [title.strip(), credit_line(author, site), link]
    return "\n".join(line for line in lines if line)


def prefill(access: Access, source: str, persona_id: int | None = None) -> SharePrefill | None:
    """What the composer starts from; None for an unknown source or another workspace's."""
    parsed = parse_source(source)
    if parsed is None:
        return None
    kind, pk = parsed
    result: SharePrefill | None = None
    if kind == "feed":
        item = _feed_item(access, pk)
        if item is not None:
            title = item.title or item.url
            result = SharePrefill(
                source=f"feed:{item.pk}",
                purpose=_("Share: %(title)s") % {"title": title},
                text=_article_text(title, item.author, str(item.feed), item.url),
                link=item.url,
            )
    else:
        entry = _library_item(access, pk)
        if entry is not None:
            result = _from_library(entry)
    if result is not None and persona_id is not None:
        result = SharePrefill(
            **{**result.__dict__, "variants": _drafts(access, result, persona_id)}
        )
    return result


def _from_library(entry: LibraryItem) -> SharePrefill:
    source = f"library:{entry.pk}"
    purpose = _("Share: %(title)s") % {"title": entry.title}
    if entry.kind in (LibraryKind.ARTICLE, LibraryKind.LINK):
        text = _article_text(entry.title, entry.source_author, entry.source_name, entry.url)
        if entry.kind == LibraryKind.LINK and entry.text:
            text = f"{entry.text}\n{entry.url}"
        return SharePrefill(source, purpose, text, entry.url)
    if entry.kind == LibraryKind.IMAGE:
        credit = credit_line(entry.source_author, entry.source_name)
        return SharePrefill(
            source, purpose, credit, "", media_path=entry.media_path, alt_text=entry.alt_text
        )
    credit = credit_line(entry.source_author, entry.source_name)
    text = f"{entry.text}\n{credit}" if credit else entry.text
    return SharePrefill(source, purpose, text, entry.url)


def _drafts(access: Access, prefill: SharePrefill, persona_id: int) -> dict[int, str]:
    """Per-channel drafts in a persona's voice (hubbub.curation.drafts, the personas part).
    drafts imports SharePrefill from this module, so it is looked up when called."""
    drafts = importlib.import_module("hubbub.curation.drafts")
    variants: dict[int, str] = drafts.draft_variants(access, prefill, persona_id)
    return variants


def record_share(access: Access, post: Post, source: str) -> None:
    """The Share row of this post and source (once, however often the post is saved)."""
    parsed = parse_source(source)
    if parsed is None or post.workspace_id != access.workspace.pk:
        return
    kind, pk = parsed
    credit: dict[str, object] = {}
    if kind == "feed":
        item = _feed_item(access, pk)
        if item is None:
            return
        credit = {
            "feed_item": item,
            "source_url": item.url,
            "source_author": item.author,
            "source_name": str(item.feed)[:300],
        }
    else:
        entry = _library_item(access, pk)
        if entry is None:
            return
        credit = {
            "library_item": entry,
            "feed_item": entry.feed_item,
            "source_url": entry.url,
            "source_author": entry.source_author,
            "source_name": entry.source_name,
        }
    # One row per post and source: a feed item shared directly is not its library copy.
    if kind == "feed":
        lookup: dict[str, object] = {"feed_item": credit["feed_item"], "library_item": None}
    else:
        lookup = {"library_item": credit["library_item"]}
    with transaction.atomic():
        Share.objects.get_or_create(
            workspace=access.workspace,
            post=post,
            **lookup,
            defaults={**credit, "created_by": access.user},
        )


def shares_of(post: Post) -> list[Share]:
    return list(Share.objects.filter(post=post).select_related("feed_item", "library_item"))
