"""Discord's limits for a webhook message, from the developer documentation."""

from __future__ import annotations

# "Webhook Resource" → Execute Webhook, JSON/Form Params: content is "the message contents
# (up to 2000 characters)". Discord counts characters as Unicode code points ("Our API uses
# Python 3, so the API calculates length based on the number of codepoints", Discord staff in
# discord/discord-api-docs#1315): an emoji outside the Basic Multilingual Plane is one.
MAX_CONTENT = 2000
# "Message Resource" → Create Message / "Reference" → Uploading Files: a message carries up
# to 10 attachments (`files[n]`, with a partial attachment object for each in
# `attachments`).
MAX_ATTACHMENTS = 10
# "Reference" → Uploading Files: "the default file upload size limit is 10 MiB"; boosted
# servers allow more, which a webhook cannot ask about, so Hubbub holds to the default.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# "Message Resource" → Attachment Object: description (the alt text), "description for the
# file (max 1024 characters)".
MAX_DESCRIPTION = 1024
# Image types Discord shows inline in a message (others would be a file to download).
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/gif", "image/webp")
