"""Checking a variant against its channel's declared limits, before anything is saved or sent.

Each problem names the part, the channel and the limit, so the person knows what to change.
The composer's live validation and the actions share this code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hubbub.networks.base import Capability, Counting, Limits, MediaLimits
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.registry import connector_class


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def limits_of(channel: Channel) -> Limits:
    return connector_class(channel.network)(channel).limits()


def check_variant(
    channel: Channel,
    parts: Sequence[str],
    first_comment: str = "",
    media: Sequence[tuple[int, MediaFile]] = (),
) -> list[Problem]:
    """`media` pairs each file with the index of the part that carries it."""
    cls = connector_class(channel.network)
    limits = limits_of(channel)
    where = f"{cls.label} ({channel.handle})"
    problems: list[Problem] = []
    if not parts or not any(p.strip() for p in parts):
        problems.append(
            Problem("parts", _("Write the text of the post for %(where)s.") % {"where": where})
        )
        return problems
    if len(parts) > 1 and Capability.PUBLISH_THREAD not in cls.capabilities:
        problems.append(
            Problem(
                "parts", _("%(where)s cannot publish threads: keep one part.") % {"where": where}
            )
        )
    if limits.max_thread_parts is not None and len(parts) > limits.max_thread_parts:
        problems.append(
            Problem(
                "parts",
                _("%(where)s allows %(max)s parts in a thread; this one has %(n)s.")
                % {"where": where, "max": limits.max_thread_parts, "n": len(parts)},
            )
        )
    texts = [(i, text) for i, text in enumerate(parts)]
    if first_comment.strip():
        if not ({Capability.FIRST_COMMENT, Capability.PUBLISH_THREAD} & cls.capabilities):
            problems.append(
                Problem(
                    "first_comment",
                    _("%(where)s has no first comment: remove it.") % {"where": where},
                )
            )
        texts.append((len(parts), first_comment))
    for index, text in texts:
        problems += _check_text(limits, where, index, len(parts), text)
    if limits.caption_max_length is not None:
        for index in sorted({i for i, _file in media if i < len(parts)}):
            problems += _check_caption(limits, where, index, len(parts), parts[index])
    if limits.requires_media:
        problems += _check_media_present(limits.media, where, len(parts), media)
    problems += _check_media(limits.media, where, media)
    return problems


def _check_media_present(
    limits: MediaLimits, where: str, count: int, media: Sequence[tuple[int, MediaFile]]
) -> list[Problem]:
    """Networks that publish only pictures or videos (Limits.requires_media)."""
    carrying = {index for index, _file in media}
    formats = ", ".join(limits.image_formats + limits.video_formats)
    if not limits.image_formats:  # YouTube, and TikTok's video posts: say what to add
        return [
            Problem(
                "media",
                _(
                    "%(part)s for %(where)s has no video: add a video (that network only "
                    "publishes videos: %(formats)s)."
                )
                % {"part": _part_name(index, count), "where": where, "formats": formats},
            )
            for index in range(count)
            if index not in carrying
        ]
    return [
        Problem(
            "media",
            _("%(part)s for %(where)s has no file: that network only publishes %(formats)s.")
            % {"part": _part_name(index, count), "where": where, "formats": formats},
        )
        for index in range(count)
        if index not in carrying
    ]


def _check_caption(limits: Limits, where: str, index: int, count: int, text: str) -> list[Problem]:
    limit = limits.caption_max_length or 0
    length = limits.text.count(text)
    if length <= limit:
        return []
    return [
        Problem(
            f"parts.{index}",
            _(
                "%(part)s for %(where)s carries an image, so it is its caption: %(length)s "
                "characters where a caption may have %(max)s: shorten it by %(over)s."
            )
            % {
                "part": _part_name(index, count),
                "where": where,
                "length": length,
                "max": limit,
                "over": length - limit,
            },
        )
    ]


def _part_name(index: int, count: int) -> str:
    if index == count:
        return _("The first comment")
    if count == 1:
        return _("The text")
    return _("Part %(n)s") % {"n": index + 1}


def _check_text(limits: Limits, where: str, index: int, count: int, text: str) -> list[Problem]:
    name = _part_name(index, count)
    field = "first_comment" if index == count else f"parts.{index}"
    if not text.strip():
        return [
            Problem(field, _("%(part)s for %(where)s is empty.") % {"part": name, "where": where})
        ]
    length = limits.text.count(text)
    if length <= limits.text.max_length:
        return []
    if limits.text.counting == Counting.BYTES:
        message = _(
            "%(part)s for %(where)s takes %(length)s bytes (an accented letter takes 2, an "
            "emoji 4); the limit there is %(max)s bytes: shorten it by %(over)s."
        )
    else:
        message = _(
            "%(part)s for %(where)s is %(length)s characters long; the limit there is "
            "%(max)s: shorten it by %(over)s."
        )
    return [
        Problem(
            field,
            message
            % {
                "part": name,
                "where": where,
                "length": length,
                "max": limits.text.max_length,
                "over": length - limits.text.max_length,
            },
        )
    ]


def _check_media(
    limits: MediaLimits, where: str, media: Sequence[tuple[int, MediaFile]]
) -> list[Problem]:
    problems: list[Problem] = []
    by_part: dict[int, list[MediaFile]] = {}
    for index, item in media:
        by_part.setdefault(index, []).append(item)
    for index, files in sorted(by_part.items()):
        images = [f for f in files if f.mime_type.startswith("image/")]
        videos = [f for f in files if f.mime_type.startswith("video/")]
        part = index + 1
        if len(images) > limits.max_images:
            problems.append(
                Problem(
                    "media",
                    _("Part %(n)s has %(count)s images; %(where)s allows %(max)s a post.")
                    % {"n": part, "count": len(images), "where": where, "max": limits.max_images},
                )
            )
        if videos and not limits.max_videos:
            problems.append(
                Problem(
                    "media",
                    _("%(where)s does not publish videos: remove %(file)s from part %(n)s.")
                    % {"where": where, "file": ", ".join(v.path.name for v in videos), "n": part},
                )
            )
            files = images  # the format of a video it never takes is not worth a second line
        elif len(videos) > limits.max_videos:
            problems.append(
                Problem(
                    "media",
                    _("Part %(n)s has %(count)s videos; %(where)s allows %(max)s a post.")
                    % {"n": part, "count": len(videos), "where": where, "max": limits.max_videos},
                )
            )
        if images and videos and not limits.images_and_video_together:
            problems.append(
                Problem(
                    "media",
                    _("%(where)s does not take images and a video in the same post (part %(n)s).")
                    % {"where": where, "n": part},
                )
            )
        for item in files:
            problems += _check_file(limits, where, item)
    return problems


def _check_file(limits: MediaLimits, where: str, item: MediaFile) -> list[Problem]:
    is_video = item.mime_type.startswith("video/")
    formats = limits.video_formats if is_video else limits.image_formats
    max_bytes = limits.max_video_bytes if is_video else limits.max_image_bytes
    name = item.path.name
    if item.mime_type not in formats:
        return [
            Problem(
                "media",
                _("%(file)s is %(mime)s; %(where)s takes %(formats)s.")
                % {
                    "file": name,
                    "mime": item.mime_type,
                    "where": where,
                    "formats": ", ".join(formats) or _("no such files"),
                },
            )
        ]
    problems = []
    if is_video and item.size > max_bytes:
        problems.append(
            Problem(
                "media",
                _(
                    "%(file)s is %(size)s bytes; %(where)s takes videos up to %(max)s bytes: "
                    "it is over by %(over)s bytes."
                )
                % {
                    "file": name,
                    "size": item.size,
                    "where": where,
                    "max": max_bytes,
                    "over": item.size - max_bytes,
                },
            )
        )
    elif item.size > max_bytes:
        problems.append(
            Problem(
                "media",
                _("%(file)s is %(size)s bytes; %(where)s takes files up to %(max)s bytes.")
                % {"file": name, "size": item.size, "where": where, "max": max_bytes},
            )
        )
    if (
        not is_video
        and limits.max_image_pixels
        and item.width
        and item.height
        and item.width * item.height > limits.max_image_pixels
    ):
        problems.append(
            Problem(
                "media",
                _("%(file)s is %(w)s x %(h)s pixels; %(where)s takes up to %(max)s pixels.")
                % {
                    "file": name,
                    "w": item.width,
                    "h": item.height,
                    "where": where,
                    "max": limits.max_image_pixels,
                },
            )
        )
    if (
        is_video
        and limits.max_video_seconds
        and item.duration_seconds
        and item.duration_seconds > limits.max_video_seconds
    ):
        problems.append(
            Problem(
                "media",
                _(
                    "%(file)s lasts %(s)s seconds; %(where)s takes videos up to %(max)s "
                    "seconds: shorten it by %(over)s."
                )
                % {
                    "file": name,
                    "s": f"{item.duration_seconds:g}",
                    "where": where,
                    "max": limits.max_video_seconds,
                    "over": f"{item.duration_seconds - limits.max_video_seconds:g}",
                },
            )
        )
    if limits.max_alt_text and len(item.alt_text) > limits.max_alt_text:
        problems.append(
            Problem(
                "media",
                _("The alt text of %(file)s is %(n)s characters; %(where)s allows %(max)s.")
                % {
                    "file": name,
                    "n": len(item.alt_text),
                    "where": where,
                    "max": limits.max_alt_text,
                },
            )
        )
    return problems
