"""TikTok's limits for a Direct Post, from the Content Posting API references."""

from __future__ import annotations

from hubbub.networks.base import Counting, Limits, MediaLimits, TextLimits

# Direct Post reference, post_info.title: "The video caption. Hashtags starting with # and
# mentions starting with @ will be correctly identified and linked ... max length: 2200
# in UTF-16 runes".
MAX_CAPTION = 2200
# Media Transfer Guide, "Video restrictions": "Supported media formats: MP4 (recommended),
# WebM, MOV"; "Size restrictions: Maximum of 4GB".
VIDEO_FORMATS = ("video/mp4", "video/webm", "video/quicktime")
MAX_VIDEO_BYTES = 4 * 1024**3
# Same section, "Duration restrictions": "All TikTok creators can post 3-minute videos,
# while some have access to post 5-minute or 10-minute videos". Ten minutes holds before
# the account is known; each channel keeps its own max_video_post_duration_sec from
# creator_info (Query Creator Info), checked again just before each post.
MAX_VIDEO_SECONDS = 10 * 60
# Photo posts. Media Transfer Guide, "Image restrictions": "Supported media formats: WebP,
# JPEG"; "Size restrictions: Maximum of 20MB for each image". Hubbub also takes PNG and GIF:
# the public address TikTok fetches them from serves a JPEG made from them
# (hubbub.networks.instagram.public_media). Content Posting API, Photo Post reference,
# source_info.photo_images: "up to 35" images; post_info.description: "max 4000 UTF-16
# runes", more than the caption limit above, which therefore holds for both kinds.
MAX_PHOTOS = 35
MAX_PHOTO_BYTES = 20 * 1024 * 1024
PHOTO_FORMATS = ("image/jpeg", "image/webp", "image/png", "image/gif")


def utf16_length(text: str) -> int:
    """TikTok's "UTF-16 runes": an emoji outside the Basic Multilingual Plane counts 2."""
    return len(text.encode("utf-16-le")) // 2


class CaptionLimits(TextLimits):
    def count(self, text: str) -> int:
        return utf16_length(text)


def default_limits(max_video_seconds: int | None = None) -> Limits:
    return Limits(
        text=CaptionLimits(max_length=MAX_CAPTION, counting=Counting.CODE_POINTS),
        media=MediaLimits(
            max_images=MAX_PHOTOS,
            max_image_bytes=MAX_PHOTO_BYTES,
            image_formats=PHOTO_FORMATS,
            max_videos=1,
            max_video_bytes=MAX_VIDEO_BYTES,
            video_formats=VIDEO_FORMATS,
            max_video_seconds=max_video_seconds or MAX_VIDEO_SECONDS,
        ),
        # A TikTok post is a video or photos (never both): the API has no text-only post.
        requires_media=True,
    )
