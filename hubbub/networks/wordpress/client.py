"""Calls to a WordPress site's REST API, and what its error answers mean.

The API root is where the site serves its REST index: `<site>/wp-json/` with pretty
permalinks, `<site>/?rest_route=/` without them (WordPress "Routes and Endpoints",
"Discovery"). A route is appended to it: `/wp-json/wp/v2/posts`, or `?rest_route=/wp/v2/posts`.

Authentication is an Application Password sent as HTTP Basic auth (WordPress 5.6+, "Application
Passwords"; the REST API "Authentication" page). Errors are JSON objects
`{"code", "message", "data": {"status"}}` (WP_Error as the REST API serialises it); the codes
below are WordPress core's own.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    network_request,
)

NETWORK = "WordPress"
# The index answers at these places (REST API Handbook, "Discovery"): the Link header
# rel="https://api.w.org/" on every page names the one the site uses.
API_LINK_REL = "https://api.w.org/"
# WordPress's comment flood check (wp_check_comment_flood, filter comment_flood_filter):
# a second comment from the same person within 15 seconds is refused.
COMMENT_FLOOD_SECONDS = 15

# The credentials are wrong, revoked, or never reach WordPress: a person must act.
_AUTH_CODES = frozenset(
    {
        "incorrect_password",  # "The provided password is an invalid application password."
        "invalid_username",
        "invalid_email",
        "rest_not_logged_in",  # the header was ignored or stripped: nobody is logged in
        "application_passwords_disabled",
        "application_passwords_disabled_for_user",
        "application_password_revoked",
    }
)
# A plugin, or the site's configuration, switched the REST API off for visitors.
DISABLED_CODES = frozenset(
    {
        "rest_disabled",
        "rest_api_disabled",
        "rest_login_required",
        "rest_cannot_access",  # the "Disable REST API" plugin
        "rest_authentication_required",
    }
)

# Refusals of a comment (a reply) that are about the post, not about the user's rights
# (WP_REST_Comments_Controller::create_item_permissions_check).
_COMMENT_REFUSALS = {
    "rest_comment_closed": lambda: _(
        "Comments are closed on this post in WordPress: open them (the post's Discussion "
        "settings) to reply."
    ),
    "rest_comment_draft_post": lambda: _(
        "The post is not published (a draft or scheduled): WordPress takes comments on "
        "published posts only."
    ),
    "rest_comment_trash_post": lambda: _("The post is in WordPress's trash: it takes no replies."),
    "rest_comment_invalid_post_id": lambda: _("WordPress no longer has this post."),
}


class InvalidSite(ValueError):
    """The address typed for the site cannot be one Hubbub connects to."""


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_site(value: str) -> str:
    """`blog.example.com`, `https://Blog.Example.com/news/` → `https://blog.example.com/news`.

    HTTPS only: the Application Password travels in every request. Plain http is accepted for
    a loopback site when HUBBUB_ALLOW_PRIVATE_NETWORKS is on (a local test server).
    """
    text = value.strip()
    if not text:
        raise InvalidSite(_("Enter the address of the WordPress site."))
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise InvalidSite(
            _(
                "'%(value)s' is not a web address: enter the site's address, like https://blog.example.com."
            )
            % {"value": value.strip()}
        )
    if parts.scheme == "http" and not (
        _local_host(host) and getattr(settings, "HUBBUB_ALLOW_PRIVATE_NETWORKS", False)
    ):
        raise InvalidSite(
            _(
                "The site must use HTTPS: the application password is sent with every request, "
                "and over plain http anyone on the way could read it. Use https://%(host)s."
            )
            % {"host": host}
        )
    netloc = host if ":" not in host else f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default:
        netloc = f"{netloc}:{parts.port}"
    path = parts.path.rstrip("/")
    # The admin or login page pasted instead of the site: the site is what is above it.
    for tail in ("/wp-admin", "/wp-login.php", "/wp-json"):
        if tail in path:
            path = path[: path.index(tail)]
    return urlunsplit((parts.scheme, netloc, path, "", ""))


def route_url(api_root: str, route: str) -> str:
    """`route` (e.g. "/wp/v2/posts") under the API root, in either form the site uses."""
    if "rest_route=" in api_root:
        base = api_root.split("?", 1)[0]
        return f"{base}?rest_route={route}"
    return api_root.rstrip("/") + route


def basic_auth(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Basic {token}"


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "").lower()


def call(
    method: str,
    api_root: str,
    route: str,
    *,
    auth: str | None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One REST call; the response when it succeeded, else a ConnectorError."""
    all_headers = {"Accept": "application/json", **(headers or {})}
    if auth:
        all_headers["Authorization"] = auth
    url = route_url(api_root, route)
    query = dict(params or {})
    if "?" in url:
        # httpx replaces a URL's query string with `params`: carry rest_route over in them.
        url, _sep, existing = url.partition("?")
        query = {**dict(parse_qsl(existing, keep_blank_values=True)), **query}
    response = network_request(
        NETWORK,
        method,
        url,
        headers=all_headers,
        params=query or None,
        json=json,
        content=content,
    )
    if response.is_success and is_json(response):
        return response
    raise error_for(response)


def error_for(response: httpx.Response) -> ConnectorError:
    """WordPress's error answers in the connector vocabulary."""
    status = response.status_code
    body = body_of(response) if is_json(response) else None
    code = str(body.get("code") or "") if isinstance(body, dict) else ""
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    said = f"{code}: {message}" if code and message else (message or code or response.reason_phrase)
    if response.is_success:
        # A 200 that is not JSON: a caching or security plugin answered with a web page.
        return PermanentError(
            _(
                "The site answered with a web page instead of the WordPress REST API: a "
                "caching or security plugin may be in the way."
            ),
            network_message=said,
            status=status,
        )
    if status == 429:
        return RateLimited(
            _("The WordPress site is limiting requests: Hubbub waits until it allows more"),
            http.retry_at(response),
            network_message=said,
            status=status,
        )
    if code == "comment_flood":
        return RateLimited(
            _("WordPress refuses comments in quick succession: Hubbub tries again shortly"),
            timezone.now() + timedelta(seconds=COMMENT_FLOOD_SECONDS),
            network_message=said,
            status=status,
        )
    if code in _AUTH_CODES or status == 401:
        return AuthError(auth_message(code), network_message=said, status=status)
    if code.startswith("rest_upload_"):
        return PermanentError(upload_message(code), network_message=said, status=status)
    if code == "comment_duplicate":
        return PermanentError(
            _("WordPress already has this exact comment from this user on the post."),
            network_message=said,
            status=status,
        )
    if code in _COMMENT_REFUSALS:
        return PermanentError(_COMMENT_REFUSALS[code](), network_message=said, status=status)
    if code in DISABLED_CODES:
        return PermanentError(disabled_message(), network_message=said, status=status)
    if status == 403 or code.startswith("rest_cannot_") or code == "rest_forbidden":
        return PermanentError(
            _(
                "WordPress does not allow this user to do that: check the user's role on the "
                "site (Users → Profile); publishing needs the Author role or above."
            ),
            network_message=said,
            status=status,
        )
    if code.endswith("_invalid_id") or code in ("rest_post_invalid_id", "rest_comment_invalid_id"):
        return PermanentError(
            _("WordPress no longer has this post or comment."),
            network_message=said,
            status=status,
        )
    if http.is_transient_status(status):
        return TransientError(
            _(
                "The WordPress site is unavailable right now (HTTP %(status)s): Hubbub will "
                "try again"
            )
            % {"status": status},
            network_message=said,
            status=status,
            retry_at=http.retry_at(response),
        )
    if not code and status == 404:
        return PermanentError(not_found_message(), network_message=said, status=status)
    return PermanentError(
        _("WordPress rejected the request (HTTP %(status)s)") % {"status": status},
        network_message=said,
        status=status,
    )


def auth_message(code: str) -> str:
    if code == "incorrect_password":
        return _(
            "WordPress refused the application password (revoked, or mistyped): create a new "
            "one under Users → Profile → Application Passwords and reconnect the channel."
        )
    if code in ("invalid_username", "invalid_email"):
        return _(
            "WordPress does not know this username: use the login name shown under Users → "
            "Profile, then reconnect the channel."
        )
    if code.startswith("application_passwords_disabled"):
        return _(
            "Application Passwords are switched off on this site (or for this user): a "
            "security plugin or the site's settings disable them. Allow them, then reconnect."
        )
    return _(
        "WordPress did not accept the username and application password: check both and "
        "reconnect the channel. If they are right, the web server may drop the Authorization "
        "header before WordPress sees it (see Hubbub's WordPress documentation)."
    )


def upload_message(code: str) -> str:
    if code == "rest_upload_no_data":
        # PHP drops a request body larger than post_max_size: WordPress then sees no data.
        return _(
            "WordPress received no image data: the image is probably larger than the site "
            "accepts (PHP's post_max_size on the server). Use a smaller image."
        )
    if code in ("rest_upload_file_too_big", "rest_upload_limited_space"):
        return _("The image is larger than this site allows, or the site's upload space is full.")
    if code == "rest_upload_sideload_error":
        return _(
            "WordPress refused the file (its type is not allowed on this site, or the server "
            "could not store it)."
        )
    return _("WordPress could not take the image.")


def disabled_message() -> str:
    return _(
        "This site's REST API is switched off or limited to logged-in visitors, often by a "
        'security plugin ("Disable REST API", Wordfence, iThemes Security...). Allow the '
        "REST API (at least for logged-in users), then try again."
    )


def not_found_message() -> str:
    return _(
        "This site does not answer like WordPress: no REST API was found at /wp-json/ or "
        "?rest_route=/. Check the address, and that the REST API is not switched off."
    )
