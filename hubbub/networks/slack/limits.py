"""Slack's limits for an incoming webhook message, from Slack's documentation."""

from __future__ import annotations

# Slack API reference, chat.postMessage → "Truncating content": "For best results, limit
# the number of characters in the text field to 4,000 characters. Ideally, messages should
# be short and human-readable [...] Slack will truncate messages containing more than
# 40,000 characters." Incoming webhooks take the same message payload ("Sending messages
# using incoming webhooks"). Hubbub holds to the recommended 4,000 so that nothing is cut.
MAX_TEXT = 4000
