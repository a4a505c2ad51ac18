"""Instagram's limits, from Meta's documentation (each names its section)."""

from __future__ import annotations

# IG User Media reference, "caption": at most 2,200 characters, 30 hashtags and 20 @ tags.
MAX_CAPTION = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
# IG User Media reference, Image Specifications: JPEG, at most 8 MB, aspect ratio between
# 4:5 and 1.91:1. Hubbub also takes PNG, WebP and GIF: their public address serves a JPEG
# made from them (public_media.py).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/webp", "image/gif")
MIN_ASPECT = 4 / 5
MAX_ASPECT = 1.91
# Content Publishing, "Carousel posts": up to 10 images and videos.
MAX_CAROUSEL = 10
# IG User Media reference, Reel Specifications: MOV or MP4, at most 300 MB, 3 seconds to
# 15 minutes.
MAX_VIDEO_BYTES = 300 * 1024 * 1024
VIDEO_FORMATS = ("video/mp4", "video/quicktime")
MAX_VIDEO_SECONDS = 15 * 60
MIN_VIDEO_SECONDS = 3
# Meta's reference gives no length for alt_text; 1,000 characters is what Instagram's app
# and third-party publishers (Upload-Post's limits page) report it accepts.
MAX_ALT_TEXT = 1000
