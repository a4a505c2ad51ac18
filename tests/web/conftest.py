"""Helpers for the page tests: read what a page shows the way a person would."""

from __future__ import annotations

import re
from html import unescape

from django.contrib.messages import get_messages
from django.http import HttpResponse


def text(response: HttpResponse) -> str:
    """The page's text with tags removed and entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def count(response: HttpResponse, testid: str) -> int:
    return response.content.decode().count(f'data-testid="{testid}"')


def messages_of(response: HttpResponse) -> list[str]:
    """The messages this request added (those of earlier requests not yet shown excluded)."""
    storage = get_messages(response.wsgi_request)  # type: ignore[attr-defined]
    return [str(m) for m in storage._queued_messages]  # type: ignore[attr-defined]


def signed_in_user_id(client: object) -> str | None:
    return client.session.get("_auth_user_id")  # type: ignore[attr-defined]
