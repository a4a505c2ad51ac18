"""Pinterest's limits, from the Pinterest API v5 reference and help centre (each names its
section)."""

from __future__ import annotations

# API v5 reference, Create Pin (PinCreate): title at most 100 characters, alt_text 500,
# link 2,048. The description is where Hubbub puts the text: Pinterest shows (and its app
# accepts) 500 characters of it ("Add a title and description to your Pin"), fewer than the
# reference's field allows, so 500 it is.
MAX_TITLE = 100
MAX_DESCRIPTION = 500
MAX_ALT_TEXT = 500
MAX_LINK = 2048
# Create Pin, media_source image_base64: content_type image/jpeg or image/png; the help
# centre's Pin specifications: images up to 20 MB.
IMAGE_FORMATS = ("image/jpeg", "image/png")
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Analytics (Get Pin analytics): start_date no earlier than 90 days ago.
ANALYTICS_DAYS = 90
