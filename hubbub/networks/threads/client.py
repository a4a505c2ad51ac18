"""Calls to the Threads API (graph.threads.net) and what its errors mean.

The Threads API is a Graph API of its own host: the same request shapes (the token as the
`access_token` parameter, in the form body of a POST and the query of a GET or DELETE; the
seam never logs either), the same cursor paging and the same error body
({"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}), so the error
mapping of hubbub.networks.facebook.graph applies: 190 needs a reconnect, 4/17/32/613 are
rate limits (read from the usage headers, else one rolling hour), 10 and 200-299 are a
missing permission, 1/2 and is_transient are temporary. Only the words of a refused
authorization are Threads' own (graph's name Facebook settings and passwords).

One pinned version (VERSION, "v1.0", the only one Meta publishes for Threads so far).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    RateLimited,
    network_request,
)
from hubbub.networks.facebook import graph

HOST = "https://graph.threads.net"
VERSION = "v1.0"
API = f"{HOST}/{VERSION}"
NETWORK = "Threads"
MAX_PAGES = 20
# What a limit Hubbub reads itself (the publishing quota) reports, as HTTP says "too many".
RATE_LIMITED_STATUS = 429

obj = graph.obj
ObjectMissing = graph.ObjectMissing


def url(path: str) -> str:
    return f"{API}/{path.lstrip('/')}"


def call(
    method: str,
    path: str,
    *,
    token: str,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Threads API call; its JSON object, or a ConnectorError that says what to do."""
    query = dict(params or {})
    form = dict(data or {})
    if method == "POST":
        form["access_token"] = token
    else:
        query["access_token"] = token
    response = network_request(NETWORK, method, url(path), params=query or None, data=form or None)
    body = http.json_object(response)
    if response.is_success and "error" not in body:
        return body
    raise error_for(response, body)


def paged(
    path: str, *, token: str, params: Mapping[str, Any] | None = None, max_pages: int = MAX_PAGES
) -> Iterator[list[dict[str, Any]]]:
    """Each page's `data`, following paging.cursors.after while there is a `next` page."""
    query = dict(params or {})
    for _page in range(max_pages):
        body = call("GET", path, token=token, params=query)
        data = body.get("data")
        items = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
        yield items
        paging = obj(body.get("paging"))
        after = obj(paging.get("cursors")).get("after")
        if not items or not after or not paging.get("next"):
            return
        query["after"] = after


def error_for(response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    error = graph.error_for(response, body, NETWORK)
    if isinstance(error, AuthError):
        # Expired (not refreshed for 60 days), revoked in the Threads app's settings, or a
        # password change: only a new sign-in gives a token again.
        return AuthError(
            _(
                "Threads no longer accepts this authorization (expired, or removed in the "
                "Threads app's settings): connect the profile again."
            ),
            network_message=error.network_message,
            status=error.status,
        )
    if isinstance(error, RateLimited):
        # The answer's own status (Meta throttles with HTTP 400 and an error code).
        error.status = response.status_code
    return error
