"""X's limits for a post, each from the X API documentation."""

from __future__ import annotations

from hubbub.networks.base import Counting, Limits, MediaLimits, TextLimits
from hubbub.networks.x.counting import MAX_WEIGHTED_LENGTH, URL_WEIGHT, weighted_length

MB = 1024 * 1024

# docs.x.com, X API > Media > Introduction, "Media types & size restrictions": "Image: 5 MB,
# GIF: 15 MB, Video: 512 MB". Media > Quickstart > Best practices: "You may attach up to 4
# photos, 1 animated GIF or 1 video in a Post."
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * MB
MAX_GIF_BYTES = 15 * MB
MAX_VIDEO_BYTES = 512 * MB
# Media best practices, video: "Duration must be between 0.5 seconds and 140 seconds" (longer
# videos are for X Premium accounts; the limit every account has).
MAX_VIDEO_SECONDS = 140
# POST /2/media/metadata, metadata.alt_text.text: "Max length: 1000 characters".
MAX_ALT_TEXT = 1000
# POST /2/media/upload (tweet_image) media_type: image/jpeg, image/png, image/webp (and bmp,
# tiff, which posts do not show as such); GIFs go through the chunked upload (tweet_gif).
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/webp", "image/gif")
# POST /2/media/upload/initialize media_type for tweet_video: video/mp4 (and video/quicktime,
# which X converts; MP4 is what the best practices recommend).
VIDEO_FORMATS = ("video/mp4", "video/quicktime")


class XTextLimits(TextLimits):
    """TextLimits counted as X does: twitter-text's weighted length (config v3)."""

    def count(self, text: str) -> int:
        return weighted_length(text)


def x_limits() -> Limits:
    return Limits(
        text=XTextLimits(
            max_length=MAX_WEIGHTED_LENGTH, counting=Counting.CODE_POINTS, url_length=URL_WEIGHT
        ),
        media=MediaLimits(
            max_images=MAX_IMAGES,
            # One limit for every image in the shared check: the photo one. X takes GIFs up
            # to 15 MB, but a 10 MB JPEG must be refused before it is scheduled, not when
            # it is sent; a GIF over 5 MB is refused too (the stricter reading).
            max_image_bytes=MAX_IMAGE_BYTES,
            image_formats=IMAGE_FORMATS,
            max_videos=1,
            max_video_bytes=MAX_VIDEO_BYTES,
            video_formats=VIDEO_FORMATS,
            max_video_seconds=MAX_VIDEO_SECONDS,
            images_and_video_together=False,
            max_alt_text=MAX_ALT_TEXT,
        ),
        max_thread_parts=None,  # a thread is a chain of replies, without a documented cap
    )
