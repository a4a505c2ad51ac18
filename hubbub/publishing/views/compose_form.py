"""The composer's form: reading what the page posts, and what the page shows back.

The page posts plain fields (it works without JavaScript):

    post_id, purpose, campaign, new_campaign, scheduled_at, fold
    repeat_freq, repeat_days, repeat_end, repeat_until, repeat_count, rrule
                        the "Repeat" builder (hubbub.publishing.recurrence_text)
    channels            one per ticked channel (its id)
    part                the shared thread, one field per part, in order
    first_comment, link the shared first comment and link
    tailor-<id>         ticked: channel <id> gets its own text, in c<id>-part,
                        c<id>-first_comment and c<id>-link
    media-path, media-alt, media-part   one of each per image or video (shared by every channel)
    share_source        "feed:<id>" / "library:<id>" when the post shares curated content
                        (hubbub.curation.sharing; recorded as a Share when saved)
    sponsored, partner  a paid partnership and its partner (curation.Sponsorship)

Media paths come back from the page, so each is read again from disk
(hubbub.publishing.media.inspect): the type, size and dimensions are never the browser's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import QueryDict

from hubbub.core.models import Workspace
from hubbub.curation.models import Share, Sponsorship
from hubbub.networks.base import Capability
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.registry import UnknownNetwork, connector_class
from hubbub.publishing import media as media_store
from hubbub.publishing.actions.posts import MediaInput, VariantInput
from hubbub.publishing.models import Post
from hubbub.publishing.recurrence_text import RepeatChoice, choice_from_form
from hubbub.publishing.validation import Problem, check_variant, limits_of


@dataclass
class TextOf:
    """The text going to one channel (or the shared text)."""

    parts: list[str] = field(default_factory=lambda: [""])
    first_comment: str = ""
    link: str = ""


@dataclass
class MediaItem:
    path: str
    alt_text: str = ""
    part_index: int = 0
    stored: media_store.StoredMedia | None = None  # read from disk; None: missing

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class ComposeData:
    post_id: int | None = None
    purpose: str = ""
    campaign_id: int | None = None
    new_campaign: str = ""
    chosen: list[int] = field(default_factory=list)
    shared: TextOf = field(default_factory=TextOf)
    tailored: dict[int, TextOf] = field(default_factory=dict)
    media: list[MediaItem] = field(default_factory=list)
    scheduled_at: str = ""
    fold: str = ""
    repeat: RepeatChoice = field(default_factory=RepeatChoice)
    share_source: str = ""
    sponsored: bool = False
    partner: str = ""

    def text_for(self, channel_id: int) -> TextOf:
        return self.tailored.get(channel_id, self.shared)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _parts(values: list[str]) -> list[str]:
    return list(values) or [""]


def parse(data: QueryDict, channels: list[Channel]) -> ComposeData:
    """What the page posted, limited to this workspace's channels (others are ignored)."""
    known = {c.pk for c in channels}
    chosen = [i for v in data.getlist("channels") if (i := _int(v)) in known and i is not None]
    tailored = {
        c.pk: TextOf(
            parts=_parts(data.getlist(f"c{c.pk}-part")),
            first_comment=data.get(f"c{c.pk}-first_comment", ""),
            link=data.get(f"c{c.pk}-link", "").strip(),
        )
        for c in channels
        if data.get(f"tailor-{c.pk}")
    }
    paths, alts, parts = (
        data.getlist("media-path"),
        data.getlist("media-alt"),
        data.getlist("media-part"),
    )
    media = [
        MediaItem(
            path=p,
            alt_text=alts[i] if i < len(alts) else "",
            part_index=(_int(parts[i]) or 0) if i < len(parts) else 0,
        )
        for i, p in enumerate(paths)
        if p
    ]
    return ComposeData(
        post_id=_int(data.get("post_id")),
        purpose=data.get("purpose", ""),
        campaign_id=_int(data.get("campaign")),
        new_campaign=data.get("new_campaign", "").strip(),
        chosen=chosen,
        shared=TextOf(
            parts=_parts(data.getlist("part")),
            first_comment=data.get("first_comment", ""),
            link=data.get("link", "").strip(),
        ),
        tailored=tailored,
        media=media,
        scheduled_at=data.get("scheduled_at", "").strip(),
        fold=data.get("fold", ""),
        repeat=choice_from_form(data),
        share_source=data.get("share_source", "").strip()[:40],
        sponsored=bool(data.get("sponsored")),
        partner=data.get("partner", "").strip()[:200],
    )


def from_post(post: Post, local_time: str) -> ComposeData:
    """The form as it was saved: the first channel's text is the shared one, and any channel
    whose text differs from it is tailored."""
    variants = list(post.variants.select_related("channel").prefetch_related("media"))
    texts = {
        v.channel_id: TextOf([str(p) for p in v.parts] or [""], v.first_comment, v.link)
        for v in variants
    }
    shared = texts[variants[0].channel_id] if variants else TextOf()
    media: list[MediaItem] = []
    if variants:
        media = [
            MediaItem(path=m.path, alt_text=m.alt_text, part_index=m.part_index)
            for m in variants[0].media.all()
        ]
    sponsorship = Sponsorship.objects.filter(post=post).first()
    share = Share.objects.filter(post=post).order_by("created_at").first()
    source = ""
    if share is not None:
        source = f"library:{share.library_item_id}" if share.library_item_id else ""
        source = source or (f"feed:{share.feed_item_id}" if share.feed_item_id else "")
    return ComposeData(
        post_id=post.pk,
        purpose=post.purpose,
        campaign_id=post.campaign_id,
        chosen=[v.channel_id for v in variants],
        shared=shared,
        tailored={cid: t for cid, t in texts.items() if t != shared},
        media=media,
        scheduled_at=local_time,
        share_source=source,
        sponsored=sponsorship is not None,
        partner=sponsorship.partner if sponsorship is not None else "",
    )


def inspect_media(workspace: Workspace, data: ComposeData) -> None:
    """Read each named file again from disk; raises ActionError for one that is not there."""
    for item in data.media:
        item.stored = media_store.inspect(workspace, item.path)
        item.path = item.stored.path


def media_inputs(data: ComposeData) -> tuple[MediaInput, ...]:
    return tuple(
        MediaInput(
            path=item.stored.path,
            mime_type=item.stored.mime_type,
            size=item.stored.size,
            alt_text=item.alt_text,
            width=item.stored.width,
            height=item.stored.height,
            duration_seconds=item.stored.duration_seconds,
            part_index=item.part_index,
        )
        for item in data.media
        if item.stored is not None
    )


def variants(data: ComposeData, channels: list[Channel]) -> list[VariantInput]:
    by_id = {c.pk: c for c in channels}
    files = media_inputs(data)
    result = []
    for channel_id in data.chosen:
        text = data.text_for(channel_id)
        result.append(
            VariantInput(
                channel=by_id[channel_id],
                parts=[p for p in text.parts if p.strip()] or text.parts[:1],
                first_comment=text.first_comment,
                link=text.link,
                media=files,
            )
        )
    return result


def has_first_comment(channel: Channel) -> bool:
    """Where the network declares a first comment, or publishes it as a reply in a thread
    (the same rule hubbub.publishing.validation applies)."""
    try:
        capabilities = connector_class(channel.network).capabilities
    except UnknownNetwork:
        return False
    return bool({Capability.FIRST_COMMENT, Capability.PUBLISH_THREAD} & capabilities)


def has_threads(channel: Channel) -> bool:
    try:
        return Capability.PUBLISH_THREAD in connector_class(channel.network).capabilities
    except UnknownNetwork:
        return False


@dataclass
class PartCount:
    index: int
    label: str
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit


@dataclass
class ChannelCheck:
    """One channel's line of the live validation and its preview."""

    channel: Channel
    text: TextOf
    counts: list[PartCount]
    problems: list[Problem]
    media: list[MediaItem]
    counting: str


def check(data: ComposeData, channels: list[Channel]) -> list[ChannelCheck]:
    by_id = {c.pk: c for c in channels}
    files = [
        (
            item.part_index,
            MediaFile(
                path=Path(settings.MEDIA_ROOT) / item.stored.path,
                mime_type=item.stored.mime_type,
                size=item.stored.size,
                alt_text=item.alt_text,
                width=item.stored.width,
                height=item.stored.height,
                duration_seconds=item.stored.duration_seconds,
            ),
        )
        for item in data.media
        if item.stored is not None
    ]
    result = []
    for channel_id in data.chosen:
        channel = by_id[channel_id]
        text = data.text_for(channel_id)
        limits = limits_of(channel).text
        counts = [
            PartCount(i, str(i + 1), limits.count(p), limits.max_length)
            for i, p in enumerate(text.parts)
        ]
        if text.first_comment.strip():
            counts.append(
                PartCount(
                    len(text.parts), "comment", limits.count(text.first_comment), limits.max_length
                )
            )
        parts = [p for p in text.parts if p.strip()] or text.parts[:1]
        result.append(
            ChannelCheck(
                channel=channel,
                text=TextOf(parts, text.first_comment, text.link),
                counts=counts,
                problems=check_variant(channel, parts, text.first_comment, files),
                media=[m for m in data.media if m.stored is not None],
                counting=str(limits.counting),
            )
        )
    return result


def channel_rows(data: ComposeData, channels: list[Channel]) -> list[dict[str, Any]]:
    """Each connected channel's tab: ticked or not, tailored or not, its text."""
    rows = []
    for c in channels:
        limits = limits_of(c).text
        rows.append(
            {
                "channel": c,
                "chosen": c.pk in data.chosen,
                "tailored": c.pk in data.tailored,
                # Tailoring starts from the shared text.
                "text": data.tailored.get(c.pk, data.shared),
                "first_comment": has_first_comment(c),
                "threads": has_threads(c),
                "limit": limits.max_length,
                "counting": str(limits.counting),
            }
        )
    return rows


def apply_part_action(data: ComposeData, action: str) -> bool:
    """The no-JavaScript "Add part" / "Remove part" buttons: add_part:<scope> or
    remove_part:<scope>:<n>, scope "shared" or a channel id. True when one was applied."""
    pieces = action.split(":")
    if pieces[0] not in ("add_part", "remove_part") or len(pieces) < 2:
        return False
    scope = pieces[1]
    channel_id = _int(scope)
    text = data.tailored.get(channel_id) if channel_id is not None else data.shared
    if text is None:
        return False
    if pieces[0] == "add_part":
        text.parts.append("")
        return True
    index = _int(pieces[2]) if len(pieces) > 2 else None
    if index is not None and 0 <= index < len(text.parts) and len(text.parts) > 1:
        del text.parts[index]
    return True
