"""Webhook URLs people paste (Discord, Slack): the URL is the whole secret, so only the exact
shape the network documents is accepted, on its own hosts, over HTTPS."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit


class NotAWebhookURL(ValueError):
    pass


def match(value: str, hosts: Collection[str], path: re.Pattern[str]) -> re.Match[str]:
    """The match of `path` on the URL's path, when `value` is https://<one of hosts><path>
    with no port, no user and no query (a query such as ?thread_id=… would post elsewhere
    than the channel page says). Raises NotAWebhookURL with the stripped text."""
    text = value.strip()
    parts = urlsplit(text)
    found = path.match(parts.path)
    if (
        parts.scheme != "https"
        or (parts.hostname or "").lower() not in hosts
        or parts.port is not None
        or parts.username is not None
        or parts.query
        or found is None
    ):
        raise NotAWebhookURL(text)
    return found
