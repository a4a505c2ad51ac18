"""Bulk CSV import of posts, and CSV export of the schedule (the same columns, so an export
re-imports).

Import checks every row and imports the good ones; each bad row is reported by its line
number in the file and the reason, and never stops the others (ARCHITECTURE invariant 6).
A row becomes one post on one channel, placed as the composer's "Schedule" button would:
scheduled, or sent for approval when the workspace's workflow asks for it.

Columns (header names, any order, case-insensitive; extra columns are ignored):
  channel        the channel's handle (@acme.bsky.social) or its id
  time           "2026-12-01 09:00" (the workspace's time zone) or with an offset
                 ("2026-12-01T09:00+01:00", "…Z")
  text           the post; a thread's parts are separated by a line holding only ---
  media          optional: files uploaded to this workspace (their path, as exported) or
                 https:// addresses of images or videos (MP4, MOV, WebM), several
                 separated by |
  first_comment  optional
  campaign       optional: a campaign's name (created when the importer may manage
                 campaigns, otherwise a row error)
  purpose        optional: defaults to the campaign's purpose, else "Imported from CSV"

The file may be UTF-8 with or without a byte-order mark, with , or ; or tab between values
(spreadsheets in French locales write ;).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import ACTIONS, record
from hubbub.core.models import AuditEntry
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.publishing import media as media_store
from hubbub.publishing import tasks, workflow
from hubbub.publishing.actions.campaigns import CampaignInput, create_campaign
from hubbub.publishing.actions.posts import MediaInput, VariantInput, create_draft
from hubbub.publishing.calendar import Filters, filter_posts, place
from hubbub.publishing.models import (
    Campaign,
    Delivery,
    Post,
    PostMedia,
    PostStatus,
    PostVariant,
    WorkspacePublishing,
)
from hubbub.publishing.tz import is_ambiguous, local_to_utc
from hubbub.publishing.validation import check_variant

COLUMNS = (
    "channel",
    "time",
    "text",
    "media",
    "alt_text",
    "first_comment",
    "campaign",
    "purpose",
)
EXPORT_COLUMNS = (*COLUMNS, "status", "published_url", "post_id")
REQUIRED = ("channel", "time", "text")
THREAD_BREAK = "---"  # a line holding only this separates a thread's parts
MEDIA_SEPARATOR = "|"
MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024
BATCH = 200  # rows a transaction: one commit per row would make 5,000 rows crawl on SQLite
# A spreadsheet runs a cell starting with one of these as a formula: exported text gets a
# leading ' (which the import takes off again).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file where the row starts (the header is line 1)
    message: str
    column: str = ""


@dataclass
class ImportResult:
    rows: int = 0
    imported: list[int] = field(default_factory=list)  # post ids
    errors: list[RowError] = field(default_factory=list)
    campaigns_created: list[str] = field(default_factory=list)


class RowProblem(Exception):
    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


# --- reading the file ------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_FILE_BYTES:
        raise ActionError(
            _("The file is %(size)s MB; import at most %(max)s MB at a time: split it.")
            % {"size": len(data) // (1024 * 1024), "max": MAX_FILE_BYTES // (1024 * 1024)},
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(
            _(
                'The file is not UTF-8 text: save it again as "CSV UTF-8" (Excel) or with '
                "the UTF-8 character set (LibreOffice)."
            ),
            field="file",
        ) from None


def _delimiter(text: str) -> str:
    """, ; or tab, sniffed from the header line (a value inside quotes cannot fool it there)."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _column_name(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def read_rows(data: bytes | str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-empty row, values stripped of the formula guard."""
    text = _decode(data)
    if not text.strip():
        raise ActionError(_("The file is empty."), field="file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [_column_name(h) for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ActionError(
            _(
                "The first line must name the columns; %(missing)s missing. Expected: "
                "%(columns)s (download the template)."
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
            field="file",
        )
    line = reader.line_num + 1
    count = 0
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ActionError(
                _("The file has more than %(max)s rows: split it into several files.")
                % {"max": MAX_ROWS},
                field="file",
            )
        row = {name: _unguard(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
        yield start, row


def _unguard(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def _guard(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


# --- checking one row ------------------------------------------------------------------------


class _Context:
    """What every row is checked against, loaded once for the whole file."""

    def __init__(self, access: Access, now: datetime) -> None:
        self.access = access
        self.now = now
        self.tz = access.workspace.tz
        self.channels: dict[str, list[Channel]] = {}
        for channel in Channel.objects.filter(workspace=access.workspace):
            for key in {
                str(channel.pk),
                channel.handle.lower(),
                channel.handle.lower().lstrip("@"),
                f"{channel.network}:{channel.handle}".lower(),
            }:
                self.channels.setdefault(key, []).append(channel)
        self.campaigns = {
            c.name.lower(): c for c in Campaign.objects.filter(workspace=access.workspace)
        }
        self.fetched: dict[str, media_store.StoredMedia] = {}
        self.campaigns_created: list[str] = []

    def channel(self, raw: str) -> Channel:
        key = raw.strip().lower()
        if not key:
            raise RowProblem(_("The channel is missing: give its handle or id."), "channel")
        found = self.channels.get(key) or self.channels.get(key.lstrip("@"), [])
        if not found:
            raise RowProblem(
                _(
                    "Unknown channel '%(channel)s': use the handle or id of a channel connected "
                    "to this workspace (see the Channels page)."
                )
                % {"channel": raw.strip()},
                "channel",
            )
        if len({c.pk for c in found}) > 1:
            raise RowProblem(
                _("Several channels are called '%(channel)s': use the channel's id instead.")
                % {"channel": raw.strip()},
                "channel",
            )
        channel = found[0]
        if not channel.is_connected:
            raise RowProblem(
                _("%(channel)s is disconnected: reconnect it, or choose another channel.")
                % {"channel": channel.handle},
                "channel",
            )
        return channel

    def time(self, raw: str) -> datetime:
        value = raw.strip()
        if not value:
            raise RowProblem(_("The time is missing: write it as 2026-12-01 09:00."), "time")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RowProblem(
                _(
                    "'%(value)s' is not a date and time: write it as 2026-12-01 09:00 (the "
                    "workspace's time, %(zone)s) or 2026-12-01T09:00+01:00."
                )
                % {"value": value, "zone": self.tz.key},
                "time",
            ) from None
        if len(value) <= 10:  # a date alone: fromisoformat reads it as midnight
            raise RowProblem(
                _("'%(value)s' has no time of day: add it, e.g. %(value)s 09:00.")
                % {"value": value},
                "time",
            )
        if parsed.tzinfo is None and is_ambiguous(parsed, self.tz):
            first = parsed.replace(tzinfo=self.tz, fold=0).strftime("%z")
            second = parsed.replace(tzinfo=self.tz, fold=1).strftime("%z")
            raise RowProblem(
                _(
                    "%(value)s happens twice in %(zone)s (the clocks go back): add the offset, "
                    "%(first)s for the first one or %(second)s for the second."
                )
                % {
                    "value": value,
                    "zone": self.tz.key,
                    "first": f"{first[:3]}:{first[3:]}",
                    "second": f"{second[:3]}:{second[3:]}",
                },
                "time",
            )
        try:
            due = local_to_utc(parsed, self.tz)
        except ActionError as exc:  # the daylight-saving gap, with the next valid time
            raise RowProblem(exc.message, "time") from None
        if due <= self.now:
            raise RowProblem(
                _("%(value)s is in the past: choose a time in the future.") % {"value": value},
                "time",
            )
        return due

    def campaign(self, raw: str) -> Campaign | None:
        name = raw.strip()
        if not name:
            return None
        found = self.campaigns.get(name.lower())
        if found is not None:
            return found
        if not self.access.can("campaigns.manage"):
            raise RowProblem(
                _(
                    "There is no campaign called '%(name)s': create it on the Campaigns page "
                    "(or ask a manager), or fix the name."
                )
                % {"name": name},
                "campaign",
            )
        return None  # created when the row is imported (a bad row must not create it)

    def media(self, raw: str) -> list[media_store.StoredMedia]:
        items = [m.strip() for m in raw.split(MEDIA_SEPARATOR) if m.strip()]
        return [self._one_media(item) for item in items]

    def _one_media(self, item: str) -> media_store.StoredMedia:
        if "://" in item:
            return self._fetch(item)
        try:
            return media_store.inspect(self.access.workspace, item)
        except ActionError as exc:
            raise RowProblem(exc.message, "media") from None

    def _fetch(self, url: str) -> media_store.StoredMedia:
        if url in self.fetched:
            return self.fetched[url]
        if urlsplit(url).scheme != "https":
            raise RowProblem(
                _("%(url)s: media addresses must start with https://.") % {"url": url}, "media"
            )
        try:
            # Through the outbound seam's checks (no private or local address, SSRF), streamed
            # to disk and cut off at the cap: a video may be gigabytes.
            stored = media_store.store_remote(self.access, url)
        except ActionError as exc:
            message = exc.message if exc.message.startswith(url) else f"{url}: {exc.message}"
            raise RowProblem(message, "media") from None
        self.fetched[url] = stored
        return stored


@dataclass(frozen=True)
class _GoodRow:
    channel: Channel
    due: datetime
    parts: list[str]
    first_comment: str
    campaign_name: str
    campaign: Campaign | None
    purpose: str
    media: list[media_store.StoredMedia]
    alt_texts: list[str]  # one per media item, in order ("" when none was given)


def _parts(text: str) -> list[str]:
    parts: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == THREAD_BREAK:
            parts.append([])
        else:
            parts[-1].append(line)
    return [p for p in ("\n".join(lines).strip() for lines in parts) if p]


def _check_row(ctx: _Context, row: dict[str, str]) -> _GoodRow:
    channel = ctx.channel(row.get("channel", ""))
    due = ctx.time(row.get("time", ""))
    parts = _parts(row.get("text", ""))
    if not parts:
        raise RowProblem(_("The text is missing: write the post in the text column."), "text")
    campaign_name = row.get("campaign", "").strip()
    campaign = ctx.campaign(campaign_name)
    first_comment = row.get("first_comment", "").strip()
    # Limits first: fetching an image for a row that is refused anyway is wasted time. (Not
    # the media ones: a video-only network refuses a row without media, which comes next.)
    problems = [p for p in check_variant(channel, parts, first_comment) if p.field != "media"]
    if problems:
        raise RowProblem(" ".join(p.message for p in problems), "text")
    stored = ctx.media(row.get("media", ""))
    alt_texts = [a.strip() for a in row.get("alt_text", "").split(MEDIA_SEPARATOR)]
    if len(alt_texts) > max(len(stored), 1):
        raise RowProblem(
            _(
                "%(alts)s alt texts for %(media)s images: give one per image, in the same order, "
                "separated by |."
            )
            % {"alts": len(alt_texts), "media": len(stored)},
            "alt_text",
        )
    alt_texts = (alt_texts + [""] * len(stored))[: len(stored)]
    files = [
        (
            0,
            MediaFile(
                Path(settings.MEDIA_ROOT) / m.path,
                m.mime_type,
                m.size,
                alt,
                m.width,
                m.height,
                m.duration_seconds,
            ),
        )
        for m, alt in zip(stored, alt_texts, strict=True)
    ]
    problems = check_variant(channel, parts, first_comment, files)
    if problems:
        raise RowProblem(" ".join(p.message for p in problems), "media")
    purpose = row.get("purpose", "").strip()
    if not purpose:
        purpose = (campaign.purpose if campaign and campaign.purpose else "") or _(
            "Imported from CSV"
        )
    return _GoodRow(
        channel, due, parts, first_comment, campaign_name, campaign, purpose, stored, alt_texts
    )


def _campaign_for(ctx: _Context, good: _GoodRow) -> Campaign | None:
    if good.campaign is not None or not good.campaign_name:
        return good.campaign
    campaign = ctx.campaigns.get(good.campaign_name.lower())
    if campaign is None:
        campaign = create_campaign(ctx.access, CampaignInput(name=good.campaign_name))
        ctx.campaigns[campaign.name.lower()] = campaign
        ctx.campaigns_created.append(campaign.name)
    return campaign


def _import_row(ctx: _Context, good: _GoodRow) -> Post:
    """One post through the same actions as the composer (draft, then schedule or submit)."""
    media = tuple(
        MediaInput(
            path=m.path,
            mime_type=m.mime_type,
            size=m.size,
            width=m.width,
            height=m.height,
            duration_seconds=m.duration_seconds,
            alt_text=alt,
        )
        for m, alt in zip(good.media, good.alt_texts, strict=True)
    )
    post = create_draft(
        ctx.access,
        purpose=good.purpose,
        variants=[VariantInput(good.channel, good.parts, good.first_comment, media=media)],
        campaign=_campaign_for(ctx, good),
    )
    return place(ctx.access, post, good.due)


# --- the bulk lane ---------------------------------------------------------------------------
# Through the actions a row costs some 27 queries (draft, audit, lock, re-validation, approval
# checks, deliveries, audit again): 1,000 rows took 20 s on SQLite. Rows that need no
# approval (the workspace has no approval steps and the time is inside its approved hours)
# are already checked here exactly as schedule_post checks them (same validation, same
# permission, a time in the future), so they are written in bulk: the same rows, deliveries,
# queued jobs and audit entries (post.create then post.schedule) as create_draft followed by
# schedule_post would write, in a handful of queries per batch. Any other row takes the
# action path above.


def _no_approval_needed(ctx: _Context) -> Callable[[datetime], bool]:
    if workflow.has_steps(ctx.access.workspace):
        return lambda due: False
    row = WorkspacePublishing.of(ctx.access.workspace)
    start, end, tz = row.approved_hours_start, row.approved_hours_end, ctx.tz

    def inside(due: datetime) -> bool:
        return workflow.inside_hours(start, end, due.astimezone(tz).time())

    return inside


def _summary(post: Post, channel_id: int, status: str) -> dict[str, object]:
    """As hubbub.publishing.actions.posts records a post in the audit log."""
    return {
        "status": status,
        "purpose": post.purpose,
        "campaign": post.campaign_id,
        "channels": [channel_id],
        "scheduled_at": post.scheduled_at.isoformat()
        if status != PostStatus.DRAFT and post.scheduled_at
        else None,
    }


def _audit(ctx: _Context, action: str, post: Post, **changes: dict[str, object]) -> AuditEntry:
    assert action in ACTIONS
    access = ctx.access
    return AuditEntry(
        workspace=access.workspace,
        actor=access.user,
        actor_label=access.user.email,
        via=access.via,
        action=action,
        object_type="post",
        object_id=str(post.pk),
        object_label=str(post)[:254],
        before=changes.get("before", {}),
        after=changes.get("after", {}),
    )


def _bulk_schedule(ctx: _Context, goods: list[_GoodRow]) -> list[Post]:
    if not goods:
        return []
    access = ctx.access
    campaigns = [_campaign_for(ctx, g) for g in goods]
    posts = Post.objects.bulk_create(
        Post(
            workspace=access.workspace,
            author=access.user,
            campaign=campaign,
            purpose=g.purpose,
            status=PostStatus.SCHEDULED,
            scheduled_at=g.due,
        )
        for g, campaign in zip(goods, campaigns, strict=True)
    )
    variants = PostVariant.objects.bulk_create(
        PostVariant(post=p, channel=g.channel, parts=g.parts, first_comment=g.first_comment)
        for p, g in zip(posts, goods, strict=True)
    )
    PostMedia.objects.bulk_create(
        PostMedia(
            post=p,
            variant=v,
            path=m.path,
            mime_type=m.mime_type,
            size=m.size,
            width=m.width,
            height=m.height,
            duration_seconds=m.duration_seconds,
            alt_text=alt,
            position=position,
        )
        for p, v, g in zip(posts, variants, goods, strict=True)
        for position, (m, alt) in enumerate(zip(g.media, g.alt_texts, strict=True))
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            workspace=access.workspace,
            post=p,
            variant=v,
            channel=g.channel,
            due_at=g.due,
            next_attempt_at=g.due,
        )
        for p, v, g in zip(posts, variants, goods, strict=True)
    )
    for delivery in deliveries:
        tasks.enqueue(delivery.pk, eta=delivery.due_at)
    entries: list[AuditEntry] = []
    for p, g in zip(posts, goods, strict=True):
        draft = _summary(p, g.channel.pk, PostStatus.DRAFT)
        entries.append(_audit(ctx, "post.create", p, after=draft))
        entries.append(
            _audit(
                ctx,
                "post.schedule",
                p,
                before=draft,
                after=_summary(p, g.channel.pk, PostStatus.SCHEDULED),
            )
        )
    AuditEntry.objects.bulk_create(entries)
    return posts


def import_posts(
    access: Access,
    data: bytes | str,
    *,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import every good row of a CSV file; report the bad ones by line and reason.

    Raises ActionError only when the file as a whole cannot be read (not UTF-8, no header).
    `progress` is called with the line number of each row handled (the CLI's progress bar).
    """
    access.require("posts.create")
    access.require("posts.schedule")
    ctx = _Context(access, now or timezone.now())
    result = ImportResult()
    rows = list(read_rows(data))
    result.rows = len(rows)
    in_bulk = _no_approval_needed(ctx)
    imported: list[tuple[int, int]] = []  # (line, post id)
    for offset in range(0, len(rows), BATCH):
        with transaction.atomic():
            lane: list[tuple[int, _GoodRow]] = []
            for line, row in rows[offset : offset + BATCH]:
                try:
                    good = _check_row(ctx, row)
                    if in_bulk(good.due):
                        lane.append((line, good))
                    else:
                        with transaction.atomic():  # a row refused here leaves nothing behind
                            imported.append((line, _import_row(ctx, good).pk))
                except RowProblem as exc:
                    result.errors.append(RowError(line, exc.message, exc.column))
                except (ActionError, PermissionDenied) as exc:
                    message = exc.message if isinstance(exc, ActionError) else str(exc)
                    result.errors.append(RowError(line, message, getattr(exc, "field", "") or ""))
                if progress is not None:
                    progress(line)
            posts = _bulk_schedule(ctx, [good for _line, good in lane])
            imported += [(line, p.pk) for (line, _good), p in zip(lane, posts, strict=True)]
    result.imported = [pk for _line, pk in sorted(imported)]
    result.campaigns_created = ctx.campaigns_created
    record(
        "posts.import",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        label=filename or "CSV",
        after={
            "file": filename,
            "rows": result.rows,
            "imported": len(result.imported),
            "errors": len(result.errors),
            "campaigns_created": result.campaigns_created,
        },
    )
    return result


def template_csv() -> str:
    """A small file showing every column, for people to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "@acme.bsky.social",
            "2026-12-01 09:00",
            "Our winter sale starts today!",
            "",
            "",
            "Details: https://acme.example/sale",
            "Winter sale",
            "announce the winter sale",
        ]
    )
    writer.writerow(
        [
            "@acme@mastodon.example",
            "2026-12-02T18:30+01:00",
            "A thread: first part\n---\nsecond part",
            "https://acme.example/images/sale.jpg",
            "A red coat on a snowy street",
            "",
            "",
            "",
        ]
    )
    return out.getvalue()


# --- export ----------------------------------------------------------------------------------


def export_rows(
    access: Access,
    filters: Filters | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[list[str]]:
    """One row a post and channel, in time order; posts without a time come last."""
    access.require("posts.view")
    filters = filters or Filters()
    filters.check()
    tz = access.workspace.tz
    posts: QuerySet[Post] = Post.objects.posts().filter(workspace=access.workspace)
    if start is not None:
        posts = posts.filter(scheduled_at__gte=start)
    if end is not None:
        posts = posts.filter(scheduled_at__lt=end)
    posts = filter_posts(posts, filters).prefetch_related("variants__media", "media")
    urls = dict(
        Delivery.objects.filter(workspace=access.workspace)
        .exclude(published_url="")
        .values_list("variant_id", "published_url")
    )
    yield list(EXPORT_COLUMNS)
    for post in posts.iterator(chunk_size=500):
        when = (
            post.scheduled_at.astimezone(tz).isoformat(sep=" ", timespec="minutes")
            if post.scheduled_at
            else ""
        )
        shared = [m for m in post.media.all() if m.variant_id is None]
        for variant in post.variants.all():
            if filters.channel is not None and variant.channel_id != filters.channel:
                continue
            media = [m for m in variant.media.all()] + shared
            text = f"\n{THREAD_BREAK}\n".join(str(p) for p in variant.parts)
            yield [
                _guard(variant.channel.handle),
                when,
                _guard(text),
                MEDIA_SEPARATOR.join(m.path for m in media),
                _guard(MEDIA_SEPARATOR.join(m.alt_text for m in media)),
                _guard(variant.first_comment),
                _guard(post.campaign.name if post.campaign else ""),
                _guard(post.purpose),
                post.status,
                urls.get(variant.pk, ""),
                str(post.pk),
            ]


def export_csv(
    access: Access,
    filters: Filters | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in export_rows(access, filters, start, end):
        writer.writerow(row)
    return out.getvalue()


def export_filename(access: Access, now: datetime | None = None) -> str:
    local = (now or timezone.now()).astimezone(access.workspace.tz)
    return f"{access.workspace.slug}-posts-{local:%Y-%m-%d}.csv"
