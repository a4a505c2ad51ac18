"""LinkedIn's limits for organization posts, from the Posts and Images API documentation
(learn.microsoft.com/linkedin/marketing/community-management/shares/...)."""

from __future__ import annotations

from hubbub.networks.base import Counting, Limits, MediaLimits, TextLimits

# Posts API, "Post Schema": commentary is the user-generated text of the post; LinkedIn's
# composer and the API stop at 3,000 characters. Counted as written (before the little-text
# escaping of posting.escape_little, which LinkedIn removes again).
MAX_COMMENTARY = 3000
# Posts API, "MultiImage": a multi-image post carries 2 to 20 images.
MAX_IMAGES = 20
# Images API, "Image Restrictions": JPG, GIF and PNG; total pixel count (width x height)
# under 36,152,320; GIF up to 250 frames.
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/gif")
MAX_IMAGE_PIXELS = 36_152_319
# The Images API documents no byte limit: this bound is Hubbub's, so that a file that
# cannot be a sensible post image is refused before it is sent.
MAX_IMAGE_BYTES = 100 * 1024 * 1024
# Posts API, "Media": altText, "max 4086 characters".
MAX_ALT_TEXT = 4086


def default_limits() -> Limits:
    return Limits(
        text=TextLimits(max_length=MAX_COMMENTARY, counting=Counting.CODE_POINTS),
        media=MediaLimits(
            max_images=MAX_IMAGES,
            max_image_bytes=MAX_IMAGE_BYTES,
            image_formats=IMAGE_FORMATS,
            max_image_pixels=MAX_IMAGE_PIXELS,
            max_alt_text=MAX_ALT_TEXT,
        ),
    )
