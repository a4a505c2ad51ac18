from __future__ import annotations

import httpx
import pytest
import respx

from hubbub.core.access import ActionError
from hubbub.networks.base import ConnectorError, RateLimited
from hubbub.networks.mastodon import instance
from tests.networks.mastodon import bodies


@pytest.mark.parametrize(
    "typed",
    [
        "social.example",
        "Social.Example",
        " social.example ",
        "https://social.example/",
        "https://social.example",
        "social.example/@brand",
        "https://social.example/@brand/112233",
        "@brand@social.example",
        "brand@social.example",
        "https://social.example:443/",
    ],
)
def test_it_normalizes_what_people_type(typed: str) -> None:
    assert instance.normalize(typed) == "https://social.example"


def test_it_keeps_a_port() -> None:
    assert instance.normalize("social.example:8443") == "https://social.example:8443"


def test_it_turns_http_into_https() -> None:
    assert instance.normalize("http://social.example") == "https://social.example"


def test_it_keeps_http_only_where_private_networks_are_allowed(private_networks_allowed) -> None:
    assert instance.normalize("http://localhost:3000") == "http://localhost:3000"


def test_it_encodes_international_names() -> None:
    assert instance.normalize("café.example") == "https://xn--caf-dma.example"


@pytest.mark.parametrize("typed", ["", "   ", "not a host", "ftp://social.example", "@brand@", "x"])
def test_it_refuses_what_is_not_a_server_address(typed: str) -> None:
    with pytest.raises(ActionError) as caught:
        instance.normalize(typed)
    assert caught.value.field == "instance_url"
    assert "mastodon.social" in caught.value.message  # an example of what to type


def test_it_reads_the_limits_from_api_v2(server: respx.MockRouter) -> None:
    found = instance.fetch(bodies.SERVER)

    call = server["instance"].calls.last
    assert call.request.method == "GET"
    assert str(call.request.url) == "https://social.example/api/v2/instance"
    assert call.request.headers["accept"] == "application/json"
    assert "authorization" not in call.request.headers
    assert not server["instance_v1"].called
    assert found.server == "https://social.example"
    assert found.domain == "social.example"
    assert found.version == "4.3.2"
    assert found.api_version == 2
    assert found.max_characters == 500
    assert found.characters_reserved_per_url == 23
    assert found.max_media_attachments == 4
    assert found.image_size_limit == 16777216
    assert found.video_size_limit == 103809024
    assert found.image_matrix_limit == 33177600
    assert found.video_matrix_limit == 8294400
    assert found.video_frame_rate_limit == 120
    assert found.description_limit == 1500
    assert "image/webp" in found.supported_mime_types
    assert "video/mp4" in found.supported_mime_types
    assert not [m for m in found.supported_mime_types if m.startswith("audio/")]


def test_it_sends_the_token_when_it_has_one(server: respx.MockRouter) -> None:
    instance.fetch(bodies.SERVER, token="abc")
    assert server["instance"].calls.last.request.headers["authorization"] == "Bearer abc"


def test_it_reads_an_admins_own_limits(server: respx.MockRouter) -> None:
    server["instance"].respond(200, json=bodies.instance_v2(max_characters=11000))
    assert instance.fetch(bodies.SERVER).max_characters == 11000


def test_it_falls_back_to_api_v1_on_older_servers(server: respx.MockRouter) -> None:
    server["instance"].respond(404, html="<h1>The page you are looking for isn't here.</h1>")
    server["instance_v1"].respond(200, json=bodies.INSTANCE_V1)

    found = instance.fetch(bodies.SERVER)

    assert str(server["instance_v1"].calls.last.request.url) == (
        "https://social.example/api/v1/instance"
    )
    assert found.version == "3.5.3"
    assert found.api_version is None
    assert found.max_characters == 1000
    assert found.image_size_limit == 10485760
    assert found.video_size_limit == 41943040
    assert found.video_frame_rate_limit == 60
    assert found.supported_mime_types == ["image/jpeg", "image/png", "image/gif", "video/mp4"]


def test_it_reads_pleroma_limits() -> None:
    with respx.mock(base_url="https://pleroma.example") as mock:
        mock.get("/api/v2/instance").respond(404, json={"error": "Not found"})
        mock.get("/api/v1/instance").respond(200, json=bodies.PLEROMA_V1)
        found = instance.fetch("https://pleroma.example")

    assert found.domain == "pleroma.example"
    assert found.max_characters == 5000
    assert found.max_media_attachments == 10
    assert found.image_size_limit == found.video_size_limit == 16000000
    assert found.characters_reserved_per_url == 23  # Mastodon's default where none is given


def test_it_says_an_html_site_is_not_mastodon(server: respx.MockRouter) -> None:
    server["instance"].respond(200, html=bodies.HTML_PAGE)
    server["instance_v1"].respond(200, html=bodies.HTML_PAGE)

    with pytest.raises(ConnectorError) as caught:
        instance.fetch(bodies.SERVER)

    assert str(caught.value).startswith("social.example does not look like a Mastodon server (")
    assert "web page" in str(caught.value)
    assert caught.value.permanent


def test_it_says_a_server_answering_404_is_not_mastodon(server: respx.MockRouter) -> None:
    server["instance"].respond(404, html="Not Found")
    server["instance_v1"].respond(404, html="Not Found")

    with pytest.raises(ConnectorError) as caught:
        instance.fetch(bodies.SERVER)

    assert "social.example does not look like a Mastodon server (HTTP 404" in str(caught.value)


def test_it_says_an_unreachable_server_is_not_mastodon(server: respx.MockRouter) -> None:
    server["instance"].side_effect = httpx.ConnectError("Connection refused")

    with pytest.raises(ConnectorError) as caught:
        instance.fetch(bodies.SERVER)

    assert "social.example does not look like a Mastodon server (" in str(caught.value)
    assert "cannot be reached" in str(caught.value)
    assert not server["instance_v1"].called


def test_it_reports_a_tls_error(server: respx.MockRouter) -> None:
    server["instance"].side_effect = httpx.ConnectError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    )

    with pytest.raises(ConnectorError) as caught:
        instance.fetch(bodies.SERVER)

    assert "does not look like a Mastodon server" in str(caught.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


def test_it_says_a_host_that_does_not_exist_cannot_be_found() -> None:
    with respx.mock(assert_all_called=False), pytest.raises(ConnectorError) as caught:
        instance.fetch("https://nowhere.invalid")

    assert "nowhere.invalid does not look like a Mastodon server" in str(caught.value)
    assert "DNS" in str(caught.value)


def test_it_refuses_a_server_on_a_private_address(fake_dns) -> None:
    fake_dns["intranet.example"] = ["10.1.2.3"]
    with respx.mock(assert_all_called=False) as mock, pytest.raises(ConnectorError) as caught:
        instance.fetch("https://intranet.example")

    assert not mock.calls  # refused before sending anything
    assert "intranet.example points to a private or local address (10.1.2.3)" in str(caught.value)
    assert "HUBBUB_ALLOW_PRIVATE_NETWORKS" in str(caught.value)
    assert caught.value.permanent


def test_it_reaches_a_private_server_when_allowed(fake_dns, private_networks_allowed) -> None:
    fake_dns["intranet.example"] = ["10.1.2.3"]
    with respx.mock(base_url="https://intranet.example") as mock:
        mock.get("/api/v2/instance").respond(200, json=bodies.INSTANCE_V2)
        assert instance.fetch("https://intranet.example").max_characters == 500


def test_it_says_a_failing_server_is_worth_retrying(server: respx.MockRouter) -> None:
    server["instance"].respond(503, html="<h1>We're sorry, but something went wrong</h1>")

    with pytest.raises(ConnectorError) as caught:
        instance.fetch(bodies.SERVER)

    assert not caught.value.permanent
    assert "try again in a few minutes" in str(caught.value)


def test_it_reports_a_rate_limit_on_the_instance(server: respx.MockRouter) -> None:
    server["instance"].respond(
        429,
        json={"error": "Too many requests"},
        headers={"X-RateLimit-Reset": "2026-10-14T19:05:00.668587Z"},
    )

    with pytest.raises(RateLimited) as caught:
        instance.fetch(bodies.SERVER)

    assert caught.value.retry_at is not None
    assert caught.value.retry_at.isoformat() == "2026-10-14T19:05:00.668587+00:00"
