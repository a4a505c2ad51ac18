"""The content library's actions: snippets, images, links, hashtag sets and saved articles,
tagged, searchable, approved by those who may (`library.approve`), exported and imported
as CSV. Shared by the pages, the API and the demo; each checks the permission, changes the
state and writes the audit entry.

Approval is of the content: when someone who may not approve changes an approved item, it
goes back to being a proposal; an approver's own edit keeps it approved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

import regex
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Workspace
from hubbub.curation.models import FeedItem, LibraryItem, LibraryKind, LibraryTag
from hubbub.inbox.ingest import safe_url
from hubbub.nlp.language import detect
from hubbub.publishing import media

MAX_TAGS = 20
TAG_LENGTH = 50
EXCERPT = 1000  # characters of a feed item kept with a saved article
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 5000
CSV_KINDS = (LibraryKind.SNIPPET, LibraryKind.LINK, LibraryKind.HASHTAGS)
CSV_COLUMNS = ("kind", "title", "text", "url", "tags", "language")
EXPORT_COLUMNS = (
    *CSV_COLUMNS,
    "approved",
    "source_name",
    "source_author",
    "alt_text",
    "created_at",
)
_HASHTAG = regex.compile(r"#[\p{L}\p{N}_]+")


@dataclass(frozen=True)
class LibraryInput:
    kind: str
    title: str
    text: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    language: str = ""
    alt_text: str = ""


def tags_of(raw: str | Iterable[str]) -> tuple[str, ...]:
    """ "Launch, #Coffee  news" → ("launch", "coffee", "news"): lower case, no '#', each once."""
    words = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    found: dict[str, None] = {}
    for word in words:
        tag = str(word).strip().lstrip("#").lower()[:TAG_LENGTH]
        if tag:
            found[tag] = None
    return tuple(found)


def hashtags_of(text: str) -> str:
    """A hashtag set as stored: "#a #b", each once, or an ActionError naming what is not one."""
    words = text.replace(",", " ").split()
    tags: dict[str, None] = {}
    for word in words:
        tag = word if word.startswith("#") else f"#{word}"
        if not _HASHTAG.fullmatch(tag):
            raise ActionError(
                _("“%(word)s” is not a hashtag: letters, digits and _ only.") % {"word": word},
                field="text",
            )
        tags[tag] = None
    if not tags:
        raise ActionError(_("Write the hashtags of the set."), field="text")
    return " ".join(tags)


def _checked(access: Access, data: LibraryInput) -> dict[str, object]:
    """The fields to store, or an ActionError naming the field to fix."""
    if data.kind not in LibraryKind.values:
        raise ActionError(
            _("Choose a kind: %(kinds)s.") % {"kinds": ", ".join(LibraryKind.values)},
            field="kind",
        )
    title = " ".join(data.title.split())[:300]
    text = data.text.strip()
    url = data.url.strip()
    if url and not safe_url(url):
        raise ActionError(_("The link must be a web address (https://…)."), field="url")
    if data.kind == LibraryKind.SNIPPET and not text:
        raise ActionError(_("Write the snippet's text."), field="text")
    if data.kind == LibraryKind.LINK and not url:
        raise ActionError(_("Give the link's address."), field="url")
    if data.kind == LibraryKind.HASHTAGS:
        text = hashtags_of(text)
    if not title:
        title = (text or url)[:80]
    if not title:
        raise ActionError(_("Give it a title."), field="title")
    if len(data.tags) > MAX_TAGS:
        raise ActionError(_("At most %(n)d tags.") % {"n": MAX_TAGS}, field="tags")
    language = data.language.strip().lower()[:16] or detect(f"{title}\n{text}")
    return {
        "kind": data.kind,
        "title": title,
        "text": text,
        "url": url,
        "language": language,
        "alt_text": data.alt_text.strip(),
    }


def _set_tags(access: Access, item: LibraryItem, tags: Iterable[str]) -> None:
    names = tags_of(tags)
    existing = {t.name: t for t in LibraryTag.objects.filter(workspace=access.workspace)}
    chosen = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag, _created = LibraryTag.objects.get_or_create(workspace=access.workspace, name=name)
        chosen.append(tag)
    item.tags.set(chosen)


def _snapshot(item: LibraryItem) -> dict[str, object]:
    return {
        "kind": item.kind,
        "title": item.title,
        "url": item.url,
        "approved": item.is_approved,
        "tags": sorted(item.tags.values_list("name", flat=True)) if item.pk else [],
    }


def create_item(
    access: Access,
    data: LibraryInput,
    *,
    image: IO[bytes] | None = None,
    image_size: int = 0,
    image_name: str = "",
) -> LibraryItem:
    access.require("curation.edit")
    values = _checked(access, data)
    stored: media.StoredMedia | None = None
    if data.kind == LibraryKind.IMAGE:
        if image is None:
            raise ActionError(_("Choose the image to add."), field="image")
        if not data.alt_text.strip():
            raise ActionError(
                _("Describe the image (alt text): people who cannot see it read this."),
                field="alt_text",
            )
        found = media.check_upload(image, image_size, image_name)
        if found.mime_type.startswith("video/"):
            raise ActionError(_("The library keeps images, not videos."), field="image")
        stored = media.store_upload(access, image, image_size, image_name)
    with transaction.atomic():
        item = LibraryItem.objects.create(
            workspace=access.workspace,
            created_by=access.user,
            media_path=stored.path if stored else "",
            mime_type=stored.mime_type if stored else "",
            width=stored.width if stored else None,
            height=stored.height if stored else None,
            **values,  # type: ignore[arg-type]
        )
        _set_tags(access, item, data.tags)
        record(
            "library.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=item,
            after=_snapshot(item),
        )
    return item


def update_item(access: Access, item: LibraryItem, data: LibraryInput) -> LibraryItem:
    access.require("curation.edit")
    _same(access, item)
    if data.kind != item.kind:
        raise ActionError(_("An item's kind cannot change: add a new one."), field="kind")
    if item.kind == LibraryKind.IMAGE and not data.alt_text.strip():
        raise ActionError(_("Describe the image (alt text)."), field="alt_text")
    values = _checked(access, data)
    before = _snapshot(item)
    for name, value in values.items():
        setattr(item, name, value)
    if item.is_approved and not access.can("library.approve"):
        item.approved_at, item.approved_by = None, None
    with transaction.atomic():
        item.save()
        _set_tags(access, item, data.tags)
        record(
            "library.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=item,
            before=before,
            after=_snapshot(item),
        )
    return item


def delete_item(access: Access, item: LibraryItem) -> None:
    """Anyone who adds may remove a proposal; approved content is removed by an approver."""
    access.require("curation.edit")
    _same(access, item)
    if item.is_approved:
        access.require("library.approve")
    with transaction.atomic():
        record(
            "library.delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=item,
            before=_snapshot(item),
        )
        item.delete()  # the image file stays: posts made from it may still use it


def approve(access: Access, item: LibraryItem, approved: bool = True) -> LibraryItem:
    access.require("library.approve")
    _same(access, item)
    if approved == item.is_approved:
        return item
    item.approved_at = timezone.now() if approved else None
    item.approved_by = access.user if approved else None
    with transaction.atomic():
        item.save(update_fields=["approved_at", "approved_by", "updated_at"])
        record(
            "library.approve" if approved else "library.unapprove",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=item,
        )
    return item


def save_feed_item(access: Access, feed_item: FeedItem) -> LibraryItem:
    """A feed's article kept in the library with its credit; saving it again is a no-op."""
    access.require("curation.edit")
    _same(access, feed_item)
    existing = LibraryItem.objects.filter(
        workspace=access.workspace, feed_item=feed_item, kind=LibraryKind.ARTICLE
    ).first()
    if existing is not None:
        return existing
    title = feed_item.title or feed_item.url or _("Untitled article")
    text = feed_item.text
    if text.startswith(feed_item.title):  # the parser puts the title first: not twice
        text = text[len(feed_item.title) :].strip()
    with transaction.atomic():
        item = LibraryItem.objects.create(
            workspace=access.workspace,
            kind=LibraryKind.ARTICLE,
            title=title[:300],
            text=text[:EXCERPT],
            url=feed_item.url,
            language=feed_item.language,
            feed_item=feed_item,
            source_name=str(feed_item.feed)[:300],
            source_author=feed_item.author,
            created_by=access.user,
        )
        record(
            "library.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=item,
            after={**_snapshot(item), "feed_item": feed_item.pk},
        )
    return item


def _same(access: Access, obj: LibraryItem | FeedItem) -> None:
    if obj.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))


# --- finding ---------------------------------------------------------------------------------


def search(
    workspace: Workspace,
    *,
    words: str = "",
    tag: str = "",
    kind: str = "",
    language: str = "",
    approved: bool | None = None,
) -> QuerySet[LibraryItem]:
    """Items whose title, text, link, source or alt text hold every word (any case)."""
    found = LibraryItem.objects.filter(workspace=workspace).prefetch_related("tags")
    for word in words.split()[:10]:
        found = found.filter(
            Q(title__icontains=word)
            | Q(text__icontains=word)
            | Q(url__icontains=word)
            | Q(source_name__icontains=word)
            | Q(source_author__icontains=word)
            | Q(alt_text__icontains=word)
            | Q(tags__name=word.lstrip("#").lower())
        )
    if tag:
        found = found.filter(tags__name=tag.lstrip("#").lower())
    if kind:
        found = found.filter(kind=kind)
    if language:
        found = found.filter(language=language)
    if approved is not None:
        found = found.filter(approved_at__isnull=not approved)
    return found.distinct().order_by("-created_at", "-id")


# --- CSV ---------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula (feed text is untrusted)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(items: Iterable[LibraryItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for item in items:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item.kind,
                    item.title,
                    item.text,
                    item.url,
                    " ".join(t.name for t in item.tags.all()),
                    item.language,
                    "yes" if item.is_approved else "no",
                    item.source_name,
                    item.source_author,
                    item.alt_text,
                    item.created_at.isoformat(timespec="seconds"),
                )
            ]
        )
    return out.getvalue()


@dataclass
class CsvResult:
    added: int = 0
    problems: list[str] = field(default_factory=list)


def import_csv(access: Access, content: bytes) -> CsvResult:
    """Add the snippets, links and hashtag sets of a CSV (columns: CSV_COLUMNS). A bad row is
    said with its line number; the good rows are added. Imported items are proposals."""
    access.require("curation.edit")
    if len(content) > MAX_CSV_BYTES:
        raise ActionError(_("This file is larger than 5 MB."), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(
            _("This file is not UTF-8 text: save it as “CSV UTF-8” and try again."), field="file"
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "kind" not in columns:
        raise ActionError(
            _("The first line must name the columns: %(columns)s.")
            % {"columns": ", ".join(CSV_COLUMNS)},
            field="file",
        )
    result = CsvResult()
    for row in reader:
        line = reader.line_num
        if result.added + len(result.problems) >= MAX_CSV_ROWS:
            result.problems.append(
                _("Line %(line)d and after: only %(n)d rows are read at a time.")
                % {"line": line, "n": MAX_CSV_ROWS}
            )
            break
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        kind = values.get("kind", "").lower()
        try:
            if kind not in CSV_KINDS:
                raise ActionError(
                    _("the kind must be one of %(kinds)s.") % {"kinds": ", ".join(CSV_KINDS)}
                )
            with transaction.atomic():
                create_item(
                    access,
                    LibraryInput(
                        kind=kind,
                        title=values.get("title", ""),
                        text=values.get("text", ""),
                        url=values.get("url", ""),
                        tags=tags_of(values.get("tags", "")),
                        language=values.get("language", ""),
                    ),
                )
            result.added += 1
        except ActionError as exc:
            result.problems.append(
                _("Line %(line)d: %(reason)s") % {"line": line, "reason": exc.message}
            )
    record(
        "library.import",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        label="CSV",
        after={"added": result.added, "problems": len(result.problems)},
    )
    return result
