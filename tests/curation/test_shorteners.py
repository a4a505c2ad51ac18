"""The shorteners against their official API contracts (Bitly v4, YOURLS, Kutt v2): the
request asserted field by field from recorded answers, their refusals in people's words,
each link shortened once, and a YOURLS served locally (private addresses refused unless
allowed)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.curation.models import ShortLink
from hubbub.curation.shorteners import (
    Bitly,
    Kutt,
    ShortenerConfig,
    ShortenerError,
    Yourls,
    short_link,
)
from tests.conftest import PUBLIC_TEST_ADDRESS

LONG = "https://acme.example/guide?id=3&utm_source=mastodon&utm_medium=social#tips"


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["api-ssl.bitly.com"] = [PUBLIC_TEST_ADDRESS]
    fake_dns["kutt.to"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


# --- Bitly v4 -------------------------------------------------------------------------------

BITLY_ANSWER = {  # as documented for POST /v4/shorten (dev.bitly.com, createBitlink)
    "created_at": "2026-06-01T10:00:00+0000",
    "id": "acme.link/3Xyz9",
    "link": "https://acme.link/3Xyz9",
    "custom_bitlinks": [],
    "long_url": LONG,
    "archived": False,
    "tags": [],
    "deeplinks": [],
    "references": {"group": "https://api-ssl.bitly.com/v4/groups/Ba1bc23dE4F"},
}


def test_bitly_posts_the_long_url_and_domain_with_a_bearer_token(router):
    route = router.post("https://api-ssl.bitly.com/v4/shorten").respond(200, json=BITLY_ANSWER)
    bitly = Bitly(ShortenerConfig("bitly", domain="acme.link", token="bitly-secret"))
    assert bitly.shorten(LONG) == "https://acme.link/3Xyz9"
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == "Bearer bitly-secret"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {"long_url": LONG, "domain": "acme.link"}


def test_bitly_without_a_domain_leaves_the_accounts_default(router):
    route = router.post("https://api-ssl.bitly.com/v4/shorten").respond(201, json=BITLY_ANSWER)
    Bitly(ShortenerConfig("bitly", token="t")).shorten(LONG)
    assert json.loads(route.calls.last.request.content) == {"long_url": LONG}


def test_bitly_refusing_the_token_says_to_check_it(router):
    router.post("https://api-ssl.bitly.com/v4/shorten").respond(
        403, json={"message": "FORBIDDEN", "description": "You are currently forbidden"}
    )
    with pytest.raises(ShortenerError) as caught:
        Bitly(ShortenerConfig("bitly", token="bad")).shorten(LONG)
    assert caught.value.message == ("Bitly refused the token (HTTP 403): check it in the settings.")
    assert "bad" not in caught.value.message


def test_bitly_bad_request_passes_its_description_on(router):
    router.post("https://api-ssl.bitly.com/v4/shorten").respond(
        400,
        json={"message": "INVALID_ARG_LONG_URL", "description": "The value provided is invalid."},
    )
    with pytest.raises(ShortenerError, match=r"HTTP 400: The value provided is invalid\."):
        Bitly(ShortenerConfig("bitly", token="t")).shorten(LONG)


# --- YOURLS ---------------------------------------------------------------------------------

YOURLS_ANSWER = {  # yourls-api.php?action=shorturl&format=json, a new link
    "url": {"keyword": "g1", "url": LONG, "title": "Guide", "date": "2026-06-01 10:00:00"},
    "status": "success",
    "message": f"{LONG} added to database",
    "title": "Guide",
    "shorturl": "https://sho.example/g1",
    "statusCode": 200,
}


def test_yourls_posts_the_signature_action_format_and_url(router):
    route = router.post("https://sho.example/yourls-api.php").respond(200, json=YOURLS_ANSWER)
    yourls = Yourls(ShortenerConfig("yourls", api_url="https://sho.example/", token="sig123"))
    assert yourls.shorten(LONG) == "https://sho.example/g1"
    sent = route.calls.last.request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {
        "signature": ["sig123"],
        "action": ["shorturl"],
        "format": ["json"],
        "url": [LONG],
    }
    assert "sig123" not in str(sent.url)  # never in an address that could be logged


def test_yourls_takes_the_api_address_as_given(router):
    route = router.post("https://sho.example/s/yourls-api.php").respond(200, json=YOURLS_ANSWER)
    Yourls(
        ShortenerConfig("yourls", api_url="https://sho.example/s/yourls-api.php", token="s")
    ).shorten(LONG)
    assert route.called


def test_yourls_link_shortened_before_is_reused(router):
    router.post("https://sho.example/yourls-api.php").respond(
        400,
        json={
            "status": "fail",
            "code": "error:url",
            "url": {"keyword": "g1", "url": LONG},
            "message": f"{LONG} already exists in database",
            "shorturl": "https://sho.example/g1",
            "statusCode": 400,
        },
    )
    yourls = Yourls(ShortenerConfig("yourls", api_url="https://sho.example", token="s"))
    assert yourls.shorten(LONG) == "https://sho.example/g1"


def test_yourls_bad_signature(router):
    router.post("https://sho.example/yourls-api.php").respond(
        403, json={"message": "Please log in", "errorCode": "403", "callback": ""}
    )
    yourls = Yourls(ShortenerConfig("yourls", api_url="https://sho.example", token="nope"))
    with pytest.raises(ShortenerError, match="YOURLS refused the token"):
        yourls.shorten(LONG)


# --- Kutt v2 --------------------------------------------------------------------------------

KUTT_ANSWER = {  # POST /api/v2/links, 201
    "id": "8a1d6a4e-0000-4000-8000-000000000001",
    "address": "k4T",
    "banned": False,
    "created_at": "2026-06-01T10:00:00.000Z",
    "link": "https://kutt.to/k4T",
    "password": False,
    "target": LONG,
    "updated_at": "2026-06-01T10:00:00.000Z",
    "visit_count": 0,
}


def test_kutt_posts_the_target_with_the_api_key_header(router):
    route = router.post("https://kutt.to/api/v2/links").respond(201, json=KUTT_ANSWER)
    assert Kutt(ShortenerConfig("kutt", token="kutt-key")).shorten(LONG) == "https://kutt.to/k4T"
    sent = route.calls.last.request
    assert sent.headers["X-API-KEY"] == "kutt-key"
    assert "Authorization" not in sent.headers
    assert json.loads(sent.content) == {"target": LONG, "reuse": True}


def test_kutt_on_its_own_server_with_a_custom_domain(router):
    route = router.post("https://kutt.acme.example/api/v2/links").respond(201, json=KUTT_ANSWER)
    kutt = Kutt(
        ShortenerConfig(
            "kutt", api_url="https://kutt.acme.example/", domain="go.acme.example", token="k"
        )
    )
    kutt.shorten(LONG)
    assert json.loads(route.calls.last.request.content) == {
        "target": LONG,
        "reuse": True,
        "domain": "go.acme.example",
    }
    assert kutt.hosts() == ["kutt.acme.example", "go.acme.example"]


def test_kutt_rate_limit_and_answers_without_a_link(router):
    route = router.post("https://kutt.to/api/v2/links")
    route.respond(429, json={"error": "Too many requests."})
    with pytest.raises(ShortenerError, match="limits how many links"):
        Kutt(ShortenerConfig("kutt", token="k")).shorten(LONG)
    route.respond(201, json={"link": "javascript:alert(1)"})
    with pytest.raises(ShortenerError, match="without a short link"):
        Kutt(ShortenerConfig("kutt", token="k")).shorten(LONG)


def test_a_shortener_that_cannot_be_reached(router):
    router.post("https://kutt.to/api/v2/links").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ShortenerError, match="Kutt could not be reached"):
        Kutt(ShortenerConfig("kutt", token="k")).shorten(LONG)


# --- each link shortened once ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_link_is_shortened_once_and_kept(router, acme: Workspace, globex: Workspace):
    route = router.post("https://kutt.to/api/v2/links").respond(201, json=KUTT_ANSWER)
    kutt = Kutt(ShortenerConfig("kutt", token="k"))
    assert short_link(acme, kutt, LONG) == "https://kutt.to/k4T"
    assert short_link(acme, kutt, LONG) == "https://kutt.to/k4T"
    assert route.call_count == 1
    assert ShortLink.objects.get(workspace=acme).long_url == LONG
    short_link(globex, kutt, LONG)  # another workspace keeps its own
    assert route.call_count == 2


# --- a YOURLS on this machine ----------------------------------------------------------------


@pytest.fixture
def local_yourls() -> Iterator[dict[str, object]]:
    seen: dict[str, object] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen["form"] = parse_qs(body)
            answer = json.dumps({**YOURLS_ANSWER, "shorturl": "http://127.0.0.1/g1"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):
                self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    seen["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield seen
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.mark.usefixtures("private_networks_allowed")
def test_a_local_yourls_when_private_networks_are_allowed(local_yourls):
    yourls = Yourls(ShortenerConfig("yourls", api_url=str(local_yourls["url"]), token="sig"))
    assert yourls.shorten(LONG) == "http://127.0.0.1/g1"
    assert local_yourls["form"] == {
        "signature": ["sig"],
        "action": ["shorturl"],
        "format": ["json"],
        "url": [LONG],
    }


def test_a_private_address_is_refused_by_default(local_yourls, settings):
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False
    yourls = Yourls(ShortenerConfig("yourls", api_url=str(local_yourls["url"]), token="sig"))
    with pytest.raises(ShortenerError, match="private or local address"):
        yourls.shorten(LONG)
    assert "form" not in local_yourls  # nothing reached the server
