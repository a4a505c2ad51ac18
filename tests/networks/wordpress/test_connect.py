"""Connecting a WordPress site: the address, finding the REST API (/wp-json/, the Link header,
?rest_route=), the user's credentials and rights, then the options; through the action, the
pages and the API endpoint. Nothing is saved when a check fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from django.test import Client

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import Workspace
from hubbub.networks.models import Channel, Health
from hubbub.networks.wordpress.client import InvalidSite, normalise_site
from hubbub.networks.wordpress.connect import connect_wordpress
from tests.api.conftest import token_api
from tests.networks.wordpress.conftest import (
    API,
    AUTH,
    INCORRECT_PASSWORD,
    INDEX,
    PASSWORD,
    SITE,
    USER_ID,
    USERNAME,
    me,
    wp_error,
)

ME = f"{API}/wp/v2/users/me"
CATEGORIES = [
    {"id": 1, "name": "Uncategorized", "parent": 0},
    {"id": 4, "name": "News", "parent": 0},
    {"id": 9, "name": "Launches", "parent": 4},
]
SHOWN = " ".join(PASSWORD[i : i + 4] for i in range(0, 24, 4))  # as WordPress shows it


@pytest.fixture
def owner(acme: Workspace, alice: Any) -> Access:
    return access_workspace(alice, acme.slug)


@pytest.fixture
def healthy(wp: respx.MockRouter) -> dict[str, respx.Route]:
    return {
        "index": wp.get(f"{API}/").respond(200, json=INDEX),
        "me": wp.get(ME, params={"context": "edit"}).respond(200, json=me()),
        "categories": wp.get(f"{API}/wp/v2/categories").respond(200, json=CATEGORIES),
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("blog.example.com", "https://blog.example.com"),
        ("https://Blog.Example.com/", "https://blog.example.com"),
        ("https://example.com/news/wp-admin/", "https://example.com/news"),
        ("https://example.com:8443/wp-login.php", "https://example.com:8443"),
        ("https://example.com:443", "https://example.com"),
    ],
)
def test_the_site_address_is_normalised(typed: str, expected: str) -> None:
    assert normalise_site(typed) == expected


def test_plain_http_is_refused_except_for_a_local_test_server(settings: Any) -> None:
    with pytest.raises(InvalidSite, match="HTTPS"):
        normalise_site("http://blog.example.com")
    with pytest.raises(InvalidSite, match="HTTPS"):
        normalise_site("http://127.0.0.1:8080")  # private networks not allowed
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True
    assert normalise_site("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    with pytest.raises(InvalidSite, match="HTTPS"):
        normalise_site("http://blog.example.com")
    with pytest.raises(InvalidSite, match="not a web address"):
        normalise_site("ftp://blog.example.com")


def test_it_finds_the_api_checks_the_user_then_saves(
    healthy: dict[str, respx.Route], owner: Access
) -> None:
    channel = connect_wordpress(
        owner, "blog.example.com", f" {USERNAME} ", SHOWN, categories=[9, 4], post_status="draft"
    )

    me_request = healthy["me"].calls.last.request
    assert me_request.headers["authorization"] == AUTH  # the spaces WordPress shows are dropped
    channel.refresh_from_db()
    assert (channel.network, channel.external_id, channel.handle) == (
        "wordpress",
        SITE,
        "Acme Blog",
    )
    assert channel.profile_url == SITE
    assert channel.credentials == {"username": USERNAME, "application_password": PASSWORD}
    assert PASSWORD not in str(channel.credentials_encrypted)
    assert channel.config == {
        "site_url": SITE,
        "api_root": f"{API}/",
        "user_id": USER_ID,
        "post_status": "draft",
        "categories": [4, 9],
        "comment_status": "",
        "can_upload": True,
    }
    assert channel.token_expires_at is None and channel.health == Health.OK


def test_without_pretty_permalinks_the_link_header_leads_to_rest_route(
    wp: respx.MockRouter, owner: Access
) -> None:
    wp.get(f"{API}/").respond(
        404, text="<html>Not found</html>", headers={"content-type": "text/html"}
    )
    index = wp.get(f"{SITE}/", params={"rest_route": "/"}).respond(200, json=INDEX)
    me_route = wp.get(
        f"{SITE}/", params={"rest_route": "/wp/v2/users/me", "context": "edit"}
    ).respond(200, json=me())

    # (after the more specific routes: respx tries routes in order)
    wp.get(f"{SITE}/").respond(
        200,
        text="<html>Blog</html>",
        headers={
            "content-type": "text/html",
            "link": f'<{SITE}/?rest_route=/>; rel="https://api.w.org/"',
        },
    )
    channel = connect_wordpress(owner, SITE, USERNAME, PASSWORD)

    assert index.called and me_route.called
    assert channel.config["api_root"] == f"{SITE}/?rest_route=/"


def test_a_site_that_is_not_wordpress_says_so(wp: respx.MockRouter, owner: Access) -> None:
    html = {"content-type": "text/html"}
    wp.get(f"{API}/").respond(404, text="<html>Not found</html>", headers=html)
    wp.get(f"{SITE}/").respond(200, text="<html>Shop</html>", headers=html)

    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)

    assert caught.value.field == "site_url"
    assert "does not answer like WordPress" in caught.value.message
    assert not Channel.objects.exists()


def test_a_rest_api_switched_off_by_a_plugin_says_so(wp: respx.MockRouter, owner: Access) -> None:
    disabled = wp_error("rest_disabled", "The REST API is disabled on this site.", 404)
    wp.get(f"{API}/").respond(404, json=disabled)
    wp.get(f"{SITE}/").respond(200, text="<html>Blog</html>", headers={"content-type": "text/html"})

    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)

    assert caught.value.field == "site_url"
    assert "switched off" in caught.value.message and "security plugin" in caught.value.message


def test_an_index_for_logged_in_users_only_is_read_with_the_credentials(
    wp: respx.MockRouter, owner: Access
) -> None:
    login = wp_error("rest_login_required", "REST API restricted to authenticated users.", 401)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") == AUTH:
            return httpx.Response(200, json=INDEX)
        return httpx.Response(401, json=login)

    wp.get(f"{API}/").mock(side_effect=answer)
    wp.get(ME, params={"context": "edit"}).respond(200, json=me())

    assert connect_wordpress(owner, SITE, USERNAME, PASSWORD).external_id == SITE


def test_a_wrong_password_is_the_password_field_at_fault(
    wp: respx.MockRouter, owner: Access
) -> None:
    wp.get(f"{API}/").respond(200, json=INDEX)
    wp.get(ME, params={"context": "edit"}).respond(401, json=INCORRECT_PASSWORD)

    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)

    assert caught.value.field == "application_password"
    assert "Users → Profile → Application Passwords" in caught.value.message


def test_a_site_without_application_passwords_says_so(wp: respx.MockRouter, owner: Access) -> None:
    wp.get(f"{API}/").respond(200, json={**INDEX, "authentication": []})
    wp.get(ME, params={"context": "edit"}).respond(
        401, json=wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
    )

    with pytest.raises(ActionError, match="Application Passwords are not available"):
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)


def test_a_login_password_is_refused_before_any_request(
    wp: respx.MockRouter, owner: Access
) -> None:
    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, "hunter2")
    assert caught.value.field == "application_password" and not wp.calls


def test_a_user_who_cannot_publish_is_told_which_role_is_needed(
    wp: respx.MockRouter, owner: Access
) -> None:
    wp.get(f"{API}/").respond(200, json=INDEX)
    wp.get(ME, params={"context": "edit"}).respond(
        200, json=me(("contributor",), publish_posts=False, upload_files=False)
    )

    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)

    assert caught.value.field == "username"
    assert "(role: contributor) cannot publish posts" in caught.value.message
    assert "Author, Editor or Administrator" in caught.value.message
    assert not Channel.objects.exists()


def test_wordpress_own_schedule_is_not_an_option(wp: respx.MockRouter, owner: Access) -> None:
    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD, post_status="future")
    assert caught.value.field == "post_status" and not wp.calls


def test_an_unknown_category_is_refused(healthy: dict[str, respx.Route], owner: Access) -> None:
    with pytest.raises(ActionError) as caught:
        connect_wordpress(owner, SITE, USERNAME, PASSWORD, categories=[4, 77])
    assert caught.value.field == "categories" and "77" in caught.value.message


def test_a_busy_site_asks_to_try_again(wp: respx.MockRouter, owner: Access) -> None:
    wp.get(f"{API}/").respond(503, text="busy", headers={"Retry-After": "60"})
    with pytest.raises(ActionError, match="try again in a minute"):
        connect_wordpress(owner, SITE, USERNAME, PASSWORD)


# --- the pages ----------------------------------------------------------------------------


def test_the_channels_page_links_to_the_form(alice_client: Client) -> None:
    page = alice_client.get("/w/acme/channels/").content.decode()
    assert "/w/acme/channels/wordpress/connect/" in page
    form = alice_client.get("/w/acme/channels/wordpress/connect/").content.decode()
    assert 'name="application_password"' in form and 'type="password"' in form


def test_the_page_connects_then_offers_the_options(
    healthy: dict[str, respx.Route], alice_client: Client
) -> None:
    refused = alice_client.post(
        "/w/acme/channels/wordpress/connect/",
        {
            "site_url": "http://blog.example.com",
            "username": USERNAME,
            "application_password": SHOWN,
        },
    )
    assert refused.status_code == 200 and "must use HTTPS" in refused.content.decode()

    response = alice_client.post(
        "/w/acme/channels/wordpress/connect/",
        {"site_url": SITE, "username": USERNAME, "application_password": SHOWN},
    )
    channel = Channel.objects.get(network="wordpress")
    options_url = f"/w/acme/channels/wordpress/{channel.pk}/options/"
    assert response.status_code == 302 and response["location"] == options_url

    page = alice_client.get(options_url).content.decode()
    assert "Launches" in page and "News / Launches" in page
    saved = alice_client.post(
        options_url, {"post_status": "draft", "categories": ["9"], "comment_status": "closed"}
    )
    assert saved.status_code == 302
    channel.refresh_from_db()
    assert channel.config["post_status"] == "draft"
    assert channel.config["categories"] == [9] and channel.config["comment_status"] == "closed"
    from hubbub.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="channel.options")
    assert entry.before["post_status"] == "publish" and entry.after["post_status"] == "draft"
    assert entry.after["categories"] == [9]


def test_the_options_page_keeps_the_categories_when_the_site_cannot_list_them(
    wp: respx.MockRouter, alice_client: Client, acme: Workspace
) -> None:
    from tests.networks.wordpress.conftest import make_channel

    channel = make_channel(acme, categories=[4])
    wp.get(f"{API}/wp/v2/categories").respond(503, text="busy")
    url = f"/w/acme/channels/wordpress/{channel.pk}/options/"

    assert "could not be read" in alice_client.get(url).content.decode()
    alice_client.post(url, {"post_status": "draft", "comment_status": ""})

    channel.refresh_from_db()
    assert channel.config["categories"] == [4] and channel.config["post_status"] == "draft"


# --- the API ------------------------------------------------------------------------------


def test_the_api_connects(healthy: dict[str, respx.Route], alice: Any, acme: Workspace) -> None:
    response = token_api(alice, acme).post(
        "/workspaces/acme/channels/wordpress",
        {
            "site_url": SITE,
            "username": USERNAME,
            "application_password": SHOWN,
            "post_status": "draft",
            "categories": [4],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["network"] == "wordpress"
    assert Channel.objects.get(network="wordpress").config["categories"] == [4]


def test_the_api_says_which_field_is_wrong(
    wp: respx.MockRouter, alice: Any, acme: Workspace
) -> None:
    wp.get(f"{API}/").respond(200, json=INDEX)
    wp.get(ME, params={"context": "edit"}).respond(401, json=INCORRECT_PASSWORD)

    response = token_api(alice, acme).post(
        "/workspaces/acme/channels/wordpress",
        {"site_url": SITE, "username": USERNAME, "application_password": PASSWORD},
    )

    assert response.status_code == 400
    assert response.json()["field"] == "application_password"


def test_the_api_answers_502_when_the_site_is_down(
    wp: respx.MockRouter, alice: Any, acme: Workspace
) -> None:
    wp.get(f"{API}/").respond(502, text="bad gateway")
    response = token_api(alice, acme).post(
        "/workspaces/acme/channels/wordpress",
        {"site_url": SITE, "username": USERNAME, "application_password": PASSWORD},
    )
    assert response.status_code == 502


def test_the_channels_page_links_each_wordpress_channel_to_its_options(
    alice_client: Client, acme: Workspace
) -> None:
    from tests.networks.wordpress.conftest import make_channel

    channel = make_channel(acme, categories=[4])
    page = alice_client.get("/w/acme/channels/").content.decode()

    assert f'href="/w/acme/channels/wordpress/{channel.pk}/options/"' in page
