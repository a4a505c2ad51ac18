"""Helpers for the page tests: read what a page shows the way a person would."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.contrib.messages import get_messages

# The test client's responses (django-stubs' _MonkeyPatchedWSGIResponse) are not typed as
# HttpResponse, so these helpers take Any.
Response = Any


def text(response: Response) -> str:
    """The page's text with tags removed and entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def count(response: Response, testid: str) -> int:
    page: str = response.content.decode()
    return page.count(f'data-testid="{testid}"')


def messages_of(response: Response) -> list[str]:
    """The messages this request added (those of earlier requests not yet shown excluded)."""
    storage: Any = get_messages(response.wsgi_request)
    return [str(m) for m in storage._queued_messages]


def signed_in_user_id(client: Any) -> str | None:
    value: str | None = client.session.get("_auth_user_id")
    return value
