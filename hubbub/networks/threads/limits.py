"""Threads' limits, from Meta's Threads API documentation (each names its section)."""

from __future__ import annotations

import regex

from hubbub.networks.base import TextLimits

# Posts, Limitations: "Text posts are limited to 500 characters" and "Emojis are counted as
# the number of UTF-8 bytes" (the publishing reference repeats it for `text`).
MAX_TEXT = 500
# Text Attachments, Limitations: from 22 December 2025 a post with more than 5 links fails
# at container creation (THREADS_API__LINK_LIMIT_EXCEEDED); every unique URL of the text
# counts, and a link_attachment different from them counts once more.
MAX_LINKS = 5
# Posts, Media Specifications (images): JPEG and PNG, at most 8 MB. Hubbub also stores WebP
# and GIF: their public address serves a JPEG made from them (instagram/public_media.py).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/webp", "image/gif")
# Posts, Media Specifications (videos): MOV or MP4, at most 1 GB and 5 minutes.
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
VIDEO_FORMATS = ("video/mp4", "video/quicktime")
MAX_VIDEO_SECONDS = 300
# Posts, Carousel Posts: 2 to 20 images and videos, mixed.
MAX_CAROUSEL = 20
# Publishing reference, alt_text: "The maximum length of alt_text is 1,000 characters."
MAX_ALT_TEXT = 1000
# Overview, Posts: 250 API-published posts in a moving 24 hours (a carousel counts one);
# replies: 1,000 in 24 hours (GET /{threads-user-id}/threads_publishing_limit says how many).
MAX_POSTS_PER_DAY = 250

# Emoji code points (pictographs, keycaps, flags, skin tones, joiners and variation
# selectors): each weighs its UTF-8 length, as Threads counts them.
_EMOJI = regex.compile(
    r"[\p{Extended_Pictographic}\p{Emoji_Component}\p{Regional_Indicator}\u200d\ufe0f\u20e3]"
)
_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'}]", regex.IGNORECASE)


def weight(text: str) -> int:
    """A text's length as Threads counts it: a character each, an emoji its UTF-8 bytes
    (a 😀 weighs 4, a 👍🏽 8). Digits, # and * are emoji components only inside a keycap, so
    ASCII always weighs one a character."""
    if text.isascii():
        return len(text)
    return sum(
        len(char.encode("utf-8")) if not char.isascii() and _EMOJI.match(char) else 1
        for char in text
    )


def links(text: str, link: str = "") -> int:
    """How many links Threads counts: the unique URLs of the text, and the attached link
    when it is not one of them."""
    found = {url.rstrip("/").lower() for url in _URL.findall(text)}
    if link:
        found.add(link.rstrip("/").lower())
    return len(found)


class ThreadsTextLimits(TextLimits):
    """TextLimits counted as Threads counts (weight): the composer's live check then refuses
    what Threads would, instead of the post failing when it is due."""

    def count(self, text: str) -> int:
        return weight(text)
