"""YouTube's limits for an upload, from the YouTube Data API reference and YouTube Help."""

from __future__ import annotations

import regex

from hubbub.networks.base import Counting, Limits, MediaLimits, TextLimits

# videos resource, snippet.title: "The property value has a maximum length of 100
# characters and may contain all valid UTF-8 characters except < and >."
MAX_TITLE = 100
# videos resource, snippet.description: "maximum length of 5000 bytes and may contain all
# valid UTF-8 characters except < and >."
MAX_DESCRIPTION_BYTES = 5000
# YouTube Help, "Upload videos longer than 15 minutes": "The maximum file size you can
# upload is 256 GB or 12 hours, whichever is less." (15 minutes for unverified accounts.)
MAX_VIDEO_BYTES = 256 * 1024**3
MAX_VIDEO_SECONDS = 12 * 3600
# YouTube Help, "Supported YouTube file formats": MOV, MPEG-1/2, MP4, MPG, AVI, WMV,
# MPEG-PS, FLV, 3GPP, WebM (and DNxHR, ProRes, CineForm, HEVC inside those containers).
VIDEO_FORMATS = (
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/mpeg",
    "video/x-msvideo",
    "video/x-ms-wmv",
    "video/x-flv",
    "video/3gpp",
)

# Lookalikes for the two characters YouTube refuses, so that "a < b" still reads right.
_ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})
_GRAPHEME = regex.compile(r"\X")


def description_of(text: str) -> str:
    return text.translate(_ANGLES)


def title_of(text: str, fallback: str) -> str:
    """The first line that has words, without < and >, cut to 100 characters (counted as
    code points, the stricter reading) at a grapheme boundary, so an emoji is never split."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = line.replace("<", "").replace(">", "").strip() or fallback
    if len(line) <= MAX_TITLE:
        return line
    kept = ""
    for grapheme in _GRAPHEME.findall(line):
        if len(kept) + len(grapheme) > MAX_TITLE - 1:  # room for the ellipsis
            break
        kept += grapheme
    return kept.rstrip() + "\u2026"


class DescriptionLimits(TextLimits):
    """The text becomes the description, measured as YouTube does: UTF-8 bytes, after the
    angle brackets are replaced."""

    def count(self, text: str) -> int:
        return len(description_of(text).encode("utf-8"))


def default_limits() -> Limits:
    return Limits(
        text=DescriptionLimits(max_length=MAX_DESCRIPTION_BYTES, counting=Counting.BYTES),
        media=MediaLimits(
            max_videos=1,
            max_video_bytes=MAX_VIDEO_BYTES,
            video_formats=VIDEO_FORMATS,
            max_video_seconds=MAX_VIDEO_SECONDS,
        ),
        requires_media=True,
    )
