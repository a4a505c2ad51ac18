"""Connect a WordPress site to a workspace: the actions the pages and the API call.

1. The site's address is normalised (HTTPS), and its REST API found: GET <site>/wp-json/, else
   the API root the home page names in its Link header (rel="https://api.w.org/"), else
   <site>/?rest_route=/ (sites without pretty permalinks). A site answering none of them,
   or whose REST API a plugin switched off, gets a message saying which.
2. GET /wp/v2/users/me?context=edit with the username and Application Password checks the
   credentials and that the user may publish (publish_posts) and upload (upload_files).
3. The channel is saved, its password encrypted, with the options (status, categories,
   comments), which the options page changes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.networks.actions import save_connection
from hubbub.networks.base import (
    AuthError,
    Connection,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    from_outbound,
)
from hubbub.networks.models import Channel
from hubbub.networks.wordpress import client
from hubbub.networks.wordpress.connector import (
    WordPressConfig,
    WordPressConnector,
    account_from_index,
    publishing_problem,
)

POST_STATUSES = ("publish", "draft")
COMMENT_STATUSES = ("", "open", "closed")


class ConnectFailed(ActionError):
    """The site refused or could not be reached; `error` keeps its details (retry_at...)."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error

    @property
    def retryable(self) -> bool:
        return isinstance(self.error, RateLimited | TransientError) or not self.error.permanent


@dataclass(frozen=True)
class Site:
    url: str
    api_root: str
    index: dict[str, Any]


def _get(url: str, auth: str | None = None) -> httpx.Response:
    headers = {"Accept": "application/json"}
    if auth:
        headers["Authorization"] = auth
    try:
        return http.request("GET", url, headers=headers, follow_redirects=True)
    except http.OutboundError as exc:
        error = from_outbound(exc, client.NETWORK)
        raise ConnectFailed(str(error), "site_url", error) from None


def _index(response: httpx.Response) -> dict[str, Any] | None:
    body = client.body_of(response) if response.is_success else None
    if isinstance(body, dict) and isinstance(body.get("namespaces"), list):
        return body
    return None


def _error_code(response: httpx.Response) -> str:
    body = client.body_of(response) if client.is_json(response) else None
    return str(body.get("code") or "") if isinstance(body, dict) else ""


def discover(site_url: str, auth: str) -> Site:
    """Find the site's REST API root. Raises ConnectFailed (field site_url) with a message
    that says what the site answered."""
    answers: list[httpx.Response] = []
    tried: set[str] = set()

    def index_at(url: str) -> Site | None:
        if url in tried:
            return None
        tried.add(url)
        response = _get(url)
        if _error_code(response) in client.DISABLED_CODES or response.status_code == 401:
            # Limited to logged-in users: the index may answer with the credentials.
            response = _get(url, auth)
        answers.append(response)
        if http.is_transient_status(response.status_code):
            error = client.error_for(response)
            raise ConnectFailed(
                _("The site could not be reached or is busy: try again in a minute (%(error)s).")
                % {"error": error},
                None,
                error,
            )
        index = _index(response)
        if index is None:
            return None
        if "wp/v2" not in index["namespaces"]:
            error = PermanentError(
                _(
                    "This site's REST API has no wp/v2 routes (posts, media, comments): a "
                    "plugin removes them. Allow them, then try again."
                )
            )
            raise ConnectFailed(str(error), "site_url", error)
        return Site(url=site_url, api_root=_api_root(str(response.url)), index=index)

    site = index_at(f"{site_url}/wp-json/")
    if site is None:
        # The home page names the API root in its Link header, in whatever form the site
        # uses (a subfolder install, no pretty permalinks).
        home = _get(f"{site_url}/")
        answers.append(home)
        link = home.links.get(client.API_LINK_REL, {}).get("url")
        if link:
            site = index_at(link)
    if site is None:
        site = index_at(f"{site_url}/?rest_route=/")
    if site is not None:
        return site
    codes = {_error_code(r) for r in answers} - {""}
    if codes & client.DISABLED_CODES:
        error = PermanentError(client.disabled_message(), network_message=", ".join(sorted(codes)))
    else:
        last = answers[-1]
        error = PermanentError(
            client.not_found_message(),
            network_message=f"HTTP {last.status_code}",
            status=last.status_code,
        )
    raise ConnectFailed(str(error), "site_url", error)


def _api_root(url: str) -> str:
    """The index's own address, as the root every route is appended to."""
    if "rest_route=" in url:
        return url.split("?", 1)[0] + "?rest_route=/"
    return url.rstrip("/") + "/"


def verify(site: Site, username: str, password: str) -> dict[str, Any]:
    """users/me?context=edit: the user, with its roles and capabilities."""
    try:
        response = client.call(
            "GET",
            site.api_root,
            "/wp/v2/users/me",
            auth=client.basic_auth(username, password),
            params={"context": "edit"},
        )
    except ConnectorError as exc:
        raise _failed(exc, site) from exc
    me = client.body_of(response)
    problem = publishing_problem(me)
    if problem:
        raise ActionError(problem, field="username")
    assert isinstance(me, dict)
    return me


def _failed(exc: ConnectorError, site: Site) -> ConnectFailed:
    if isinstance(exc, RateLimited | TransientError) or not exc.permanent:
        return ConnectFailed(
            _("The site could not be reached or is busy: try again in a minute (%(error)s).")
            % {"error": exc},
            None,
            exc,
        )
    if isinstance(exc, AuthError):
        passwords = site.index.get("authentication")
        if not (isinstance(passwords, dict) and "application-passwords" in passwords):
            # WordPress lists them in the index only where they can be used.
            return ConnectFailed(
                _(
                    "Application Passwords are not available on this site: WordPress offers "
                    "them from version 5.6, over HTTPS, unless a plugin or the site's "
                    "settings switch them off."
                ),
                "application_password",
                exc,
            )
        field = "username" if exc.network_message.startswith("invalid_") else "application_password"
        return ConnectFailed(str(exc), field, exc)
    return ConnectFailed(str(exc), None, exc)


def site_categories(api_root: str, auth: str) -> list[dict[str, Any]]:
    """The site's categories (id, name, parent), at most the first 100 by name."""
    response = client.call(
        "GET",
        api_root,
        "/wp/v2/categories",
        auth=auth,
        params={"per_page": 100, "orderby": "name", "_fields": "id,name,parent"},
    )
    body = client.body_of(response)
    return [
        {"id": c["id"], "name": str(c.get("name") or c["id"]), "parent": c.get("parent") or 0}
        for c in (body if isinstance(body, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), int)
    ]


def check_options(post_status: str, comment_status: str) -> None:
    if post_status not in POST_STATUSES:
        raise ActionError(_("Choose publish or draft for new posts."), field="post_status")
    if comment_status not in COMMENT_STATUSES:
        raise ActionError(
            _("Choose open, closed, or the site's default for comments."), field="comment_status"
        )


def check_categories(categories: list[int], known: list[dict[str, Any]]) -> list[int]:
    ids = {c["id"] for c in known}
    unknown = [c for c in categories if c not in ids]
    if unknown:
        raise ActionError(
            _("The site has no category with the id %(ids)s.")
            % {"ids": ", ".join(str(c) for c in unknown)},
            field="categories",
        )
    return sorted(set(categories))


def connect_wordpress(
    access: Access,
    site_url: str,
    username: str,
    application_password: str,
    *,
    post_status: str = "publish",
    categories: list[int] | None = None,
    comment_status: str = "",
) -> Channel:
    """Find the site's REST API, check the user, then save the channel; nothing is saved on
    failure. Raises ActionError (with the form field at fault)."""
    access.require("channels.connect")
    try:
        site_url = client.normalise_site(site_url)
    except client.InvalidSite as exc:
        raise ActionError(str(exc), field="site_url") from None
    username = username.strip()
    if not username:
        raise ActionError(_("Enter the WordPress username."), field="username")
    # WordPress shows the password in groups of four ("abcd efgh ..."); it ignores the spaces.
    password = "".join(application_password.split())
    if len(password) < 16:
        raise ActionError(
            _(
                "This is not an application password: create one in WordPress under Users → "
                "Profile → Application Passwords (24 characters), not the login password."
            ),
            field="application_password",
        )
    check_options(post_status, comment_status)
    auth = client.basic_auth(username, password)
    site = discover(site_url, auth)
    me = verify(site, username, password)
    chosen: list[int] = []
    if categories:
        try:
            known = site_categories(site.api_root, auth)
        except ConnectorError as exc:
            raise _failed(exc, site) from exc
        chosen = check_categories(categories, known)
    found = me.get("capabilities")
    capabilities: dict[str, Any] = found if isinstance(found, dict) else {}
    config = WordPressConfig(
        site_url=site_url,
        api_root=site.api_root,
        user_id=int(me["id"]),
        post_status=post_status,  # type: ignore[arg-type]  # checked above
        categories=chosen,
        comment_status=comment_status,  # type: ignore[arg-type]
        can_upload=bool(capabilities.get("upload_files")),
    )
    connection = Connection(
        account=account_from_index(site.index, site_url),
        credentials={"username": username, "application_password": password},
        config=config.model_dump(),
        token_expires_at=None,  # application passwords do not expire; they can be revoked
    )
    return save_connection(access, WordPressConnector.name, connection)


def update_options(
    access: Access,
    channel: Channel,
    *,
    post_status: str,
    categories: list[int],
    comment_status: str,
    known: list[dict[str, Any]],
) -> Channel:
    """The options step (and later changes): how new posts are made on the site."""
    access.require("channels.connect")
    if channel.workspace_id != access.workspace.pk or channel.network != WordPressConnector.name:
        raise ActionError(_("That channel is not a WordPress channel of this workspace."))
    check_options(post_status, comment_status)
    config = WordPressConfig.model_validate(channel.config or {})
    config.post_status = post_status  # type: ignore[assignment]
    config.comment_status = comment_status  # type: ignore[assignment]
    config.categories = check_categories(categories, known)
    before = {
        k: (channel.config or {}).get(k) for k in ("post_status", "comment_status", "categories")
    }
    channel.config = config.model_dump()
    after = {k: channel.config.get(k) for k in before}
    with transaction.atomic():
        channel.save(update_fields=["config", "updated_at"])
        if before != after:
            record(
                "channel.options",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=channel,
                before=before,
                after=after,
            )
    return channel
