"""WordPress REST API fixtures: answers shaped like the REST API Handbook's reference
(developer.wordpress.org/rest-api/reference: the index, users/me with context=edit, posts,
media, comments, categories, and the WP_Error JSON `{code, message, data: {status}}`), with
the values a real WordPress 6.1 answered in tests/peers/test_wordpress_site.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel

SITE = "https://blog.example.com"
API = f"{SITE}/wp-json"
USERNAME = "editor"
# An Application Password as WordPress creates it: 24 letters and digits.
PASSWORD = "J3022am48ECdaYJFSraulxpW"
AUTH = "Basic ZWRpdG9yOkozMDIyYW00OEVDZGFZSkZTcmF1bHhwVw=="  # base64("editor:" + PASSWORD)
USER_ID = 7
POST_ID = 123
MEDIA_ID = 456

INDEX: dict[str, Any] = {
    "name": "Acme Blog",
    "description": "News from Acme",
    "url": SITE,
    "home": SITE,
    "gmt_offset": 1,
    "timezone_string": "Europe/Paris",
    "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"],
    "authentication": {
        "application-passwords": {
            "endpoints": {"authorization": f"{SITE}/wp-admin/authorize-application.php"}
        }
    },
    "routes": {},
    "site_logo": 0,
    "site_icon": 0,
    "site_icon_url": "",
}

AUTHOR_CAPABILITIES = {
    "upload_files": True,
    "edit_posts": True,
    "edit_published_posts": True,
    "publish_posts": True,
    "read": True,
    "level_2": True,
    "level_1": True,
    "level_0": True,
    "delete_posts": True,
    "delete_published_posts": True,
    "author": True,
}


def me(roles: tuple[str, ...] = ("author",), **capabilities: bool) -> dict[str, Any]:
    return {
        "id": USER_ID,
        "username": USERNAME,
        "name": "Eddie Tor",
        "url": "",
        "description": "",
        "link": f"{SITE}/author/editor/",
        "locale": "en_US",
        "nickname": USERNAME,
        "slug": USERNAME,
        "roles": list(roles),
        "registered_date": "2025-02-01T10:00:00+00:00",
        "capabilities": {**AUTHOR_CAPABILITIES, **capabilities},
        "extra_capabilities": {roles[0]: True} if roles else {},
        "avatar_urls": {"96": "https://secure.gravatar.com/avatar/x?s=96&d=mm&r=g"},
        "meta": [],
    }


def post(
    post_id: int = POST_ID, slug: str = "hello-hb0", status: str = "publish", **extra: Any
) -> dict[str, Any]:
    return {
        "id": post_id,
        "date": "2026-03-02T10:30:00",
        "date_gmt": "2026-03-02T09:30:00",
        "guid": {"rendered": f"{SITE}/?p={post_id}", "raw": f"{SITE}/?p={post_id}"},
        "modified": "2026-03-02T10:30:00",
        "modified_gmt": "2026-03-02T09:30:00",
        "slug": slug,
        "status": status,
        "type": "post",
        "link": f"{SITE}/2026/03/{slug}/" if status == "publish" else f"{SITE}/?p={post_id}",
        "title": {"raw": "Hello", "rendered": "Hello"},
        "content": {"raw": "<p>Hello</p>", "rendered": "<p>Hello</p>\n", "protected": False},
        "author": USER_ID,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "format": "standard",
        "categories": [1],
        "tags": [],
        **extra,
    }


def media(media_id: int = MEDIA_ID, alt: str = "") -> dict[str, Any]:
    return {
        "id": media_id,
        "date_gmt": "2026-03-02T09:29:58",
        "slug": "square",
        "status": "inherit",
        "type": "attachment",
        "link": f"{SITE}/square/",
        "title": {"raw": "square", "rendered": "square"},
        "author": USER_ID,
        "alt_text": alt,
        "media_type": "image",
        "mime_type": "image/png",
        "media_details": {"width": 120, "height": 80, "file": "2026/03/square.png"},
        "source_url": f"{SITE}/wp-content/uploads/2026/03/square.png",
    }


def comment(
    comment_id: int,
    text_html: str,
    date_gmt: str,
    *,
    author: int = 3,
    name: str = "Commenter",
    parent: int = 0,
    post_id: int = POST_ID,
    status: str = "approved",
) -> dict[str, Any]:
    return {
        "id": comment_id,
        "post": post_id,
        "parent": parent,
        "author": author,
        "author_name": name,
        "author_url": "",
        "date": date_gmt,  # the site's local time; Hubbub reads date_gmt
        "date_gmt": date_gmt,
        "content": {"rendered": f"<p>{text_html}</p>\n"},
        "link": f"{SITE}/2026/03/hello-hb0/#comment-{comment_id}",
        "status": status,
        "type": "comment",
        "author_avatar_urls": {
            "24": "https://secure.gravatar.com/avatar/c?s=24&d=mm&r=g",
            "48": "https://secure.gravatar.com/avatar/c?s=48&d=mm&r=g",
            "96": "https://secure.gravatar.com/avatar/c?s=96&d=mm&r=g",
        },
        "meta": [],
    }


def wp_error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"code": code, "message": message, "data": {"status": status}}


NOT_LOGGED_IN = wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
INCORRECT_PASSWORD = wp_error(
    "incorrect_password", "The provided password is an invalid application password.", 401
)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


def make_channel(workspace: Workspace, **config: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="wordpress",
        external_id=SITE,
        handle="Acme Blog",
        name="Acme Blog",
        profile_url=SITE,
        config={
            "site_url": SITE,
            "api_root": f"{API}/",
            "user_id": USER_ID,
            "post_status": "publish",
            "categories": [],
            "comment_status": "",
            "can_upload": True,
            **config,
        },
    )
    channel.credentials = {"username": USERNAME, "application_password": PASSWORD}
    channel.save()
    return channel


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)


@pytest.fixture
def wp() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router
