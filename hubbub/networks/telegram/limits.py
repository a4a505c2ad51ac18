"""Telegram's text and photo limits, from the Bot API documentation."""

from __future__ import annotations

from hubbub.networks.base import TextLimits

# Bot API "sendMessage": text "1-4096 characters after entities parsing"; "sendPhoto":
# caption "0-1024 characters after entities parsing". Telegram measures texts in UTF-16 code
# units (entity offsets and lengths are documented so, "MessageEntity"), and an emoji outside
# the Basic Multilingual Plane takes two of them. Counting UTF-16 units is the stricter
# reading of "characters": a text we accept is never refused as too long.
MAX_TEXT = 4096
MAX_CAPTION = 1024
# Bot API "sendPhoto": "The photo must be at most 10 MB in size. The photo's width and
# height must not exceed 10000 in total."
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class Utf16TextLimits(TextLimits):
    """TextLimits counted in UTF-16 code units, as Telegram does."""

    def count(self, text: str) -> int:
        return utf16_length(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
