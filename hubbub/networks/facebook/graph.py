"""Calls to Meta's Graph API, shared by Facebook Pages and Instagram, and what its errors mean.

One pinned version (VERSION): Meta keeps each version about two years, and a new one can
change fields; moving to the next is a one-line change here, tested by both networks' tests.

Every call goes through hubbub.core.http (the one outbound seam). The access token travels
as the documented `access_token` parameter, in the body of a POST and in the query of a GET
or DELETE; the seam never logs query strings or bodies. When the operator's app secret is
known, each call also carries `appsecret_proof` (HMAC-SHA256 of the token keyed with the app
secret, "Securing Graph API Requests"), so an app set to "Require App Secret" works and a
stolen token alone is useless against it.

Errors ("Handling Errors", https://developers.facebook.com/docs/graph-api/guides/error-handling):
the body is {"error": {"message", "type", "code", "error_subcode", "error_user_msg",
"is_transient", "fbtrace_id"}}; `error_for` maps the documented codes to the connector
vocabulary and keeps Meta's own words (with the code and fbtrace_id, which Meta's support
asks for) in network_message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    network_request,
    revoked,
    unavailable,
)

VERSION = "v23.0"
GRAPH_URL = f"https://graph.facebook.com/{VERSION}"
WWW_URL = "https://www.facebook.com"
# Enough pages for any person's Pages or a busy post's comments, never a walk without end.
MAX_PAGES = 50

# "Handling Errors", Authentication Error Subcodes: what happened to the person's token.
_SUBCODES = {
    458: gettext_noop(
        "The person removed Hubbub's app from their Facebook settings: connect the account again."
    ),
    459: gettext_noop(
        "Facebook asks the person to log in at facebook.com to secure their account, then "
        "reconnect."
    ),
    460: gettext_noop(
        "The person changed their Facebook password, which ends every sign-in: connect again."
    ),
    463: gettext_noop("The Facebook authorization has expired: connect the account again."),
    464: gettext_noop(
        "The Facebook account is not confirmed yet: confirm it on facebook.com, then reconnect."
    ),
    467: gettext_noop(
        "The Facebook authorization is no longer valid (signed out or revoked): connect again."
    ),
    492: gettext_noop(
        "The person no longer has a role on this Page: ask a Page admin for one, then reconnect."
    ),
}
# "Handling Errors": 4 app, 17 user, 32 Page, 613 custom rate limits; "Rate Limits",
# Business Use Case Rate Limits: 80001-80014 (Pages 80001, Instagram 80002, ...).
_RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80015)})
# Platform rate limits are counted over a rolling hour ("Rate Limits"): with no estimate in
# the headers, one hour later the count has certainly dropped.
DEFAULT_RATE_LIMIT_WAIT = timedelta(hours=1)
# The HTTP status that means "too many requests", for a limit Hubbub finds itself (a
# publishing quota read before posting); Meta's own throttling errors keep Meta's status.
RATE_LIMITED_STATUS = 429


class ObjectMissing(PermanentError):
    """Error 100 with subcode 33: the object is gone (a deleted post) or out of reach."""


def app_secret() -> str:
    return str(getattr(settings, "HUBBUB_META_CLIENT_SECRET", "") or "")


def appsecret_proof(token: str) -> str:
    return hmac.new(app_secret().encode(), token.encode(), hashlib.sha256).hexdigest()


def auth_params(token: str) -> dict[str, str]:
    params = {"access_token": token}
    if app_secret():
        params["appsecret_proof"] = appsecret_proof(token)
    return params


def url(path: str) -> str:
    return f"{GRAPH_URL}/{path.lstrip('/')}"


def call(
    method: str,
    path: str,
    *,
    token: str,
    network: str,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """One Graph API call; its JSON object, or a ConnectorError that says what to do."""
    response = call_response(
        method,
        path,
        token=token,
        network=network,
        params=params,
        data=data,
        files=files,
        timeout=timeout,
    )
    body = http.json_object(response)
    if response.is_success and "error" not in body:
        return body
    raise error_for(response, body, network)


def call_response(
    method: str,
    path: str,
    *,
    token: str,
    network: str,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
    timeout: float | None = None,
) -> httpx.Response:
    query = dict(params or {})
    form = dict(data or {})
    if method == "POST":
        form.update(auth_params(token))
    else:
        query.update(auth_params(token))
    return network_request(
        network,
        method,
        url(path),
        params=query or None,
        data=form or None,
        files=files,
        timeout=timeout,
    )


def paged(
    path: str,
    *,
    token: str,
    network: str,
    params: Mapping[str, Any] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[list[dict[str, Any]]]:
    """Each page's `data` of an edge, following paging.cursors.after ("Pagination",
    cursor-based). We call our own URL again with `after` rather than follow paging.next,
    which repeats the token in its query."""
    query = dict(params or {})
    for _page in range(max_pages):
        body = call("GET", path, token=token, network=network, params=query)
        data = body.get("data")
        items = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
        yield items
        paging = obj(body.get("paging"))
        after = obj(paging.get("cursors")).get("after")
        # No `next` link means the last page, even when cursors are given.
        if not items or not after or not paging.get("next"):
            return
        query["after"] = after


def obj(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or {} when the network sent something else."""
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def rate_limit_reset(response: httpx.Response, now: datetime | None = None) -> datetime:
    """When a throttled app, user or Page may call again: the largest
    `estimated_time_to_regain_access` (minutes) of the usage headers ("Rate Limits":
    X-Business-Use-Case-Usage, a JSON object of business id → list of usages; X-Page-Usage
    and X-Ad-Account-Usage, one usage), else Retry-After, else one rolling hour."""
    now = now or timezone.now()
    minutes = 0
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage", "x-ad-account-usage"):
        raw = response.headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        for entry in _usages(usage):
            value = _int(entry.get("estimated_time_to_regain_access"))
            if value is not None:
                minutes = max(minutes, value)
    if minutes > 0:
        return now + timedelta(minutes=minutes)
    return http.retry_at(response, now) or now + DEFAULT_RATE_LIMIT_WAIT


def _usages(usage: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(usage, dict):
        return
    if "estimated_time_to_regain_access" in usage or "call_count" in usage:
        yield usage
        return
    for entries in usage.values():  # X-Business-Use-Case-Usage: {business id: [usage, ...]}
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                yield entry


def error_for(response: httpx.Response, body: dict[str, Any], network: str) -> ConnectorError:
    error = body.get("error") if isinstance(body.get("error"), dict) else None
    status = response.status_code
    if error is None:
        if http.is_transient_status(status):
            return unavailable(response, network)
        return PermanentError(
            _(
                "%(network)s answered with something that is not a Graph API answer "
                "(HTTP %(status)s)."
            )
            % {"network": network, "status": status},
            status=status,
        )
    code = _int(error.get("code")) or 0
    subcode = _int(error.get("error_subcode")) or 0
    words = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase)
    trace = str(error.get("fbtrace_id") or "")
    said = f"{words} (code {code}" + (f"/{subcode}" if subcode else "") + ")"
    if trace:
        said += f" fbtrace_id {trace}"
    if code in (190, 102) or (error.get("type") == "OAuthException" and code == 0):
        reason = _SUBCODES.get(subcode)
        if reason is None:
            return revoked(network, said, status)
        return AuthError(_(reason), network_message=said, status=status)
    # Instagram's publishing limit (Content Publishing, "Rate Limit"): error 9, subcode
    # 2207042, "You reached maximum number of posts...".
    if code in _RATE_LIMIT_CODES or (code == 9 and subcode == 2207042):
        return RateLimited(
            _("%(network)s's rate limit reached: Hubbub waits until it lifts.")
            % {"network": network},
            rate_limit_reset(response),
            network_message=said,
            status=status,  # Meta answers throttling with HTTP 400 or 403, not 429
        )
    if code == 10 or 200 <= code <= 299:
        return PermanentError(
            _(
                "%(network)s refuses: a permission is missing. Reconnect the channel and allow "
                "every permission Hubbub asks for; if it is still refused, the operator's Meta "
                "app needs that permission approved (App Review)."
            )
            % {"network": network},
            network_message=said,
            status=status,
        )
    if code == 368:
        return PermanentError(
            _(
                "%(network)s has temporarily blocked this account from posting for a policy "
                "reason: see the account's notifications on %(network)s."
            )
            % {"network": network},
            network_message=said,
            status=status,
        )
    if code == 100 and subcode == 33:
        return ObjectMissing(
            _(
                "%(network)s says this object does not exist, or the account cannot reach it "
                "(a Page it no longer manages, a deleted post)."
            )
            % {"network": network},
            network_message=said,
            status=status,
        )
    if code == 506:
        return PermanentError(
            _("%(network)s refuses the same post twice in a row: change the text.")
            % {"network": network},
            network_message=said,
            status=status,
        )
    if code in (1, 2) or error.get("is_transient") is True or http.is_transient_status(status):
        return TransientError(
            _("%(network)s had a temporary problem: Hubbub will try again.") % {"network": network},
            network_message=said,
            status=status,
            retry_at=http.retry_at(response),
        )
    return PermanentError(
        _("%(network)s rejected the request.") % {"network": network},
        network_message=said,
        status=status,
    )
