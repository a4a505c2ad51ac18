"""Feeds and the library over HTTP: subscriptions (discovered from a site's address, read
now, paused, OPML in and out), their items (filtered, marked read, saved to the library),
and the library's items (searched, added, changed, approved, deleted, CSV in and out).

Every rule lives in hubbub.curation.feeds and .library; these handlers turn JSON into the
actions' inputs. Each checks the permission before it looks anything up (a refused role
learns nothing about which ids exist); another workspace's id is answered 404. Uploads are
read from request.FILES, not declared, so a refused role gets 403 rather than 422.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja import Query as QueryParams

from hubbub.api.auth import api_access
from hubbub.api.schemas import answers, local
from hubbub.core.access import Access, ActionError
from hubbub.curation import feeds, feeds_opml, library
from hubbub.curation.models import Feed, FeedItem, LibraryItem

router = Router(tags=["curation"])

W = "/workspaces/{slug}"
PAGE = 100


# --- schemas --------------------------------------------------------------------------------


class FeedOut(Schema):
    id: int
    url: str
    site_url: str
    title: str
    topic: str
    is_active: bool
    interval: int
    last_read_at: datetime | None
    last_found: int
    last_error: str = Field(description="Why the last read failed ('' when it worked).")
    last_problems: list[str] = Field(description="What could not be used at the last read.")
    error_count: int
    unread: int | None = Field(None, description="Items you have not read (in lists).")


class FeedIn(Schema):
    url: str = Field(description="The site's address or its feed's: the feed is discovered.")
    topic: str = ""
    title: str = ""


class FeedPatchIn(Schema):
    title: str | None = None
    topic: str | None = None
    interval: int | None = Field(None, description="Seconds between reads (300 to 604800).")
    is_active: bool | None = Field(None, description="false pauses the feed.")


class FeedItemOut(Schema):
    id: int
    feed_id: int
    url: str
    title: str
    text: str
    author: str
    language: str
    published_at: datetime
    dated: bool = Field(description="false: the feed gave no date; published_at is its read.")
    is_read: bool
    share: str = Field(description="The composer's ?share= value for this item.")


class ItemsQuery(Schema):
    feed_id: int | None = None
    topic: str = ""
    unread: bool = False
    page: int = Field(1, ge=1)


class ReadIn(Schema):
    item_ids: list[int] = Field(default_factory=list, description="Items to mark.")
    read: bool = True


class CountOut(Schema):
    count: int


class ImportOut(Schema):
    added: int
    already: int = 0
    problems: list[str]


class LibraryOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    url: str
    tags: list[str]
    language: str
    alt_text: str
    media_path: str
    approved: bool
    approved_at: datetime | None
    source_name: str
    source_author: str
    feed_item_id: int | None
    created_at: datetime
    share: str


class LibraryIn(Schema):
    kind: str = Field(description="snippet, image, link, hashtags or article.")
    title: str = ""
    text: str = ""
    url: str = ""
    tags: list[str] = Field(default_factory=list)
    language: str = ""
    alt_text: str = ""


class LibraryQuery(Schema):
    q: str = ""
    tag: str = ""
    kind: str = ""
    language: str = ""
    approved: bool | None = None
    page: int = Field(1, ge=1)


class ApproveIn(Schema):
    approved: bool = True


# --- helpers --------------------------------------------------------------------------------


def _feed(access: Access, pk: int) -> Feed:
    return get_object_or_404(Feed, pk=pk, workspace=access.workspace)


def _entry(access: Access, pk: int) -> LibraryItem:
    return get_object_or_404(LibraryItem, pk=pk, workspace=access.workspace)


def feed_out(feed: Feed, access: Access, unread: int | None = None) -> FeedOut:
    tz = access.workspace.tz
    return FeedOut(
        id=feed.pk,
        url=feed.url,
        site_url=feed.site_url,
        title=feed.title,
        topic=feed.topic,
        is_active=feed.is_active,
        interval=feed.interval,
        last_read_at=local(feed.last_read_at, tz),
        last_found=feed.last_found,
        last_error=feed.last_error,
        last_problems=list(feed.last_problems or []),
        error_count=feed.error_count,
        unread=unread,
    )


def item_out(item: FeedItem, access: Access) -> FeedItemOut:
    return FeedItemOut(
        id=item.pk,
        feed_id=item.feed_id,
        url=item.url,
        title=item.title,
        text=item.text,
        author=item.author,
        language=item.language,
        published_at=item.published_at.astimezone(access.workspace.tz),
        dated=item.dated,
        is_read=bool(getattr(item, "is_read", False)),
        share=f"feed:{item.pk}",
    )


def library_out(entry: LibraryItem, access: Access) -> LibraryOut:
    tz = access.workspace.tz
    return LibraryOut(
        id=entry.pk,
        kind=entry.kind,
        title=entry.title,
        text=entry.text,
        url=entry.url,
        tags=[t.name for t in entry.tags.all()],
        language=entry.language,
        alt_text=entry.alt_text,
        media_path=entry.media_path,
        approved=entry.is_approved,
        approved_at=local(entry.approved_at, tz),
        source_name=entry.source_name,
        source_author=entry.source_author,
        feed_item_id=entry.feed_item_id,
        created_at=entry.created_at.astimezone(tz),
        share=f"library:{entry.pk}",
    )


def _upload(request: HttpRequest, limit: int) -> bytes:
    upload = request.FILES.get("file")
    if upload is None:
        raise ActionError("Send the file as multipart/form-data, in a field named file.", "file")
    if (upload.size or 0) > limit:
        raise ActionError(f"The file is larger than {limit // (1024 * 1024)} MB.", "file")
    return bytes(upload.read())


# --- feeds ----------------------------------------------------------------------------------


@router.get(W + "/feeds", response=answers(200, list[FeedOut]), summary="Feeds, by topic")
def list_feeds(request: HttpRequest, slug: str) -> list[FeedOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    found = feeds.feeds_with_counts(access.workspace, access.user)
    return [feed_out(f, access, f.total - f.seen) for f in found]  # type: ignore[attr-defined]


@router.post(
    W + "/feeds",
    response=answers(201, FeedOut),
    summary="Subscribe to a feed (found from a site's address) and read it",
    description="url: a site (its page's <link rel=alternate> or the usual /feed, /rss.xml… "
    "are tried) or a feed. A private or local address, a feed larger than 20 MB, or a page "
    "with no feed is answered 400 with the reason.",
)
def create_feed(request: HttpRequest, slug: str, payload: FeedIn) -> Status[FeedOut]:
    access = api_access(request, slug)
    access.require("curation.edit")
    feed = feeds.subscribe(access, payload.url, topic=payload.topic, title=payload.title)
    return Status(201, feed_out(feed, access))


@router.get(W + "/feeds/opml", summary="Subscriptions as OPML (for another reader)")
def export_opml(request: HttpRequest, slug: str) -> HttpResponse:
    access = api_access(request, slug)
    access.require("curation.view")
    return HttpResponse(feeds_opml.export_opml(access.workspace), content_type="text/x-opml")


@router.post(
    W + "/feeds/opml",
    response=answers(200, ImportOut),
    summary="Subscribe to every feed of an OPML file (multipart, field file)",
    description="Folders become topics. Each refused feed (private address, not a web "
    "address) is listed in problems; the others are added and read in the next minutes.",
)
def import_opml(request: HttpRequest, slug: str) -> ImportOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    result = feeds_opml.import_opml(access, _upload(request, feeds_opml.MAX_OPML_BYTES))
    return ImportOut(added=result.added, already=result.already, problems=result.problems)


@router.get(W + "/feeds/{int:feed_id}", response=answers(200, FeedOut), summary="One feed")
def get_feed(request: HttpRequest, slug: str, feed_id: int) -> FeedOut:
    access = api_access(request, slug)
    access.require("curation.view")
    return feed_out(_feed(access, feed_id), access)


@router.patch(
    W + "/feeds/{int:feed_id}",
    response=answers(200, FeedOut),
    summary="Change a feed: name, topic, interval, pause (is_active false) or resume",
)
def update_feed(request: HttpRequest, slug: str, feed_id: int, payload: FeedPatchIn) -> FeedOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    feed = _feed(access, feed_id)
    change = feeds.FeedChange(**payload.model_dump(exclude_unset=True))
    return feed_out(feeds.update_feed(access, feed, change), access)


@router.delete(
    W + "/feeds/{int:feed_id}",
    response=answers(204, None),
    summary="Unsubscribe (its items go; library copies stay)",
)
def delete_feed(request: HttpRequest, slug: str, feed_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("curation.edit")
    feeds.delete_feed(access, _feed(access, feed_id))
    return Status(204, None)


@router.post(
    W + "/feeds/{int:feed_id}/read",
    response=answers(200, FeedOut),
    summary="Read a feed now, and say how it went",
    description="A failed read is not an error of the request: last_error says why.",
)
def read_feed(request: HttpRequest, slug: str, feed_id: int) -> FeedOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    return feed_out(feeds.read_now(access, _feed(access, feed_id)), access)


# --- items ----------------------------------------------------------------------------------


@router.get(
    W + "/feed-items",
    response=answers(200, list[FeedItemOut]),
    summary="Feed items, newest first (100 a page), with your read marks",
)
def list_items(
    request: HttpRequest, slug: str, params: QueryParams[ItemsQuery]
) -> list[FeedItemOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    found = feeds.items_for(
        access.workspace,
        access.user,
        feed_id=params.feed_id,
        topic=params.topic,
        unread=params.unread,
    )
    start = (params.page - 1) * PAGE
    return [item_out(i, access) for i in found[start : start + PAGE]]


@router.post(
    W + "/feed-items/read",
    response=answers(200, CountOut),
    summary="Mark items read (or unread with read false), for you only",
)
def mark_items(request: HttpRequest, slug: str, payload: ReadIn) -> CountOut:
    access = api_access(request, slug)
    access.require("curation.view")
    items = FeedItem.objects.filter(workspace=access.workspace, pk__in=payload.item_ids[:1000])
    return CountOut(count=feeds.mark(access, items, payload.read))


@router.post(
    W + "/feed-items/{int:feed_item_id}/save",
    response=answers(201, LibraryOut),
    summary="Save a feed item to the library, with its credit (again: the same item)",
)
def save_item(request: HttpRequest, slug: str, feed_item_id: int) -> Status[LibraryOut]:
    access = api_access(request, slug)
    access.require("curation.edit")
    item = get_object_or_404(
        FeedItem.objects.select_related("feed"), pk=feed_item_id, workspace=access.workspace
    )
    return Status(201, library_out(library.save_feed_item(access, item), access))


# --- library --------------------------------------------------------------------------------


@router.get(
    W + "/library",
    response=answers(200, list[LibraryOut]),
    summary="Library items, newest first (100 a page): search by words, tag, kind, language",
)
def list_library(
    request: HttpRequest, slug: str, params: QueryParams[LibraryQuery]
) -> list[LibraryOut]:
    access = api_access(request, slug)
    access.require("curation.view")
    found = library.search(
        access.workspace,
        words=params.q,
        tag=params.tag,
        kind=params.kind,
        language=params.language,
        approved=params.approved,
    )
    start = (params.page - 1) * PAGE
    return [library_out(e, access) for e in found[start : start + PAGE]]


@router.post(
    W + "/library",
    response=answers(201, LibraryOut),
    summary="Add a snippet, link or hashtag set (JSON), or an image (multipart)",
    description="An image: multipart/form-data with file, kind=image, title, alt_text, tags "
    "(space separated). The image is sniffed like the composer's uploads.",
)
def create_library_item(request: HttpRequest, slug: str) -> Status[LibraryOut]:
    # The body is read by hand: JSON for text kinds, a form for an image; declaring either
    # would answer a refused role 422 before the permission says 403.
    access = api_access(request, slug)
    access.require("curation.edit")
    upload = request.FILES.get("file")
    if upload is not None:
        form = request.POST
        data = library.LibraryInput(
            kind=form.get("kind", "image"),
            title=form.get("title", ""),
            text=form.get("text", ""),
            url=form.get("url", ""),
            tags=library.tags_of(form.get("tags", "")),
            language=form.get("language", ""),
            alt_text=form.get("alt_text", ""),
        )
        entry = library.create_item(
            access, data, image=upload, image_size=upload.size or 0, image_name=upload.name or ""
        )
    else:
        payload = _json(request)
        entry = library.create_item(access, _input(payload))
    return Status(201, library_out(entry, access))


def _json(request: HttpRequest) -> LibraryIn:
    try:
        return LibraryIn.model_validate_json(request.body or b"{}")
    except ValueError as exc:
        raise ActionError(f"The body is not a valid library item: {exc}".splitlines()[0]) from None


def _input(payload: LibraryIn) -> library.LibraryInput:
    return library.LibraryInput(
        kind=payload.kind,
        title=payload.title,
        text=payload.text,
        url=payload.url,
        tags=library.tags_of(payload.tags),
        language=payload.language,
        alt_text=payload.alt_text,
    )


@router.get(W + "/library/export.csv", summary="The library as CSV")
def export_library(request: HttpRequest, slug: str) -> HttpResponse:
    access = api_access(request, slug)
    access.require("curation.view")
    return HttpResponse(
        library.export_csv(library.search(access.workspace)), content_type="text/csv; charset=utf-8"
    )


@router.post(
    W + "/library/import",
    response=answers(200, ImportOut),
    summary="Import snippets, links and hashtag sets from CSV (multipart, field file)",
    description="Columns: kind,title,text,url,tags,language. Each bad line is in problems with "
    "its number; the good lines are imported (as proposals).",
)
def import_library(request: HttpRequest, slug: str) -> ImportOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    result = library.import_csv(access, _upload(request, library.MAX_CSV_BYTES))
    return ImportOut(added=result.added, problems=result.problems)


@router.get(
    W + "/library/{int:library_item_id}",
    response=answers(200, LibraryOut),
    summary="One library item",
)
def get_library_item(request: HttpRequest, slug: str, library_item_id: int) -> LibraryOut:
    access = api_access(request, slug)
    access.require("curation.view")
    return library_out(_entry(access, library_item_id), access)


@router.put(
    W + "/library/{int:library_item_id}",
    response=answers(200, LibraryOut),
    summary="Change a library item (its kind stays)",
    description="A change by someone who may not approve makes an approved item a proposal.",
)
def update_library_item(
    request: HttpRequest, slug: str, library_item_id: int, payload: LibraryIn
) -> LibraryOut:
    access = api_access(request, slug)
    access.require("curation.edit")
    entry = _entry(access, library_item_id)
    return library_out(library.update_item(access, entry, _input(payload)), access)


@router.delete(
    W + "/library/{int:library_item_id}",
    response=answers(204, None),
    summary="Delete a library item (an approved one: approvers only)",
)
def delete_library_item(request: HttpRequest, slug: str, library_item_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("curation.edit")
    library.delete_item(access, _entry(access, library_item_id))
    return Status(204, None)


@router.post(
    W + "/library/{int:library_item_id}/approve",
    response=answers(200, LibraryOut),
    summary="Approve a library item (approved false withdraws the approval)",
)
def approve_library_item(
    request: HttpRequest, slug: str, library_item_id: int, payload: ApproveIn
) -> LibraryOut:
    access = api_access(request, slug)
    access.require("library.approve")
    return library_out(
        library.approve(access, _entry(access, library_item_id), payload.approved), access
    )
