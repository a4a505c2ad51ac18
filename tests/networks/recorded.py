"""Reading the requests a connector sent, as respx recorded them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx


def form(request: httpx.Request) -> dict[str, list[str]]:
    """A form-encoded body, every value of each field (blank ones kept)."""
    return parse_qs(request.content.decode(), keep_blank_values=True)


def query(request: httpx.Request) -> dict[str, list[str]]:
    """The query string, every value of each parameter (blank ones kept)."""
    return parse_qs(request.url.query.decode(), keep_blank_values=True)


def sent_json(request: httpx.Request) -> Any:
    """A JSON body, sent as application/json."""
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)
