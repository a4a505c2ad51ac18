"""The one door for outbound HTTP: SSRF guard, redirects, timeouts, rate-limit headers, logs."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import respx

from hubbub.core import http
from hubbub.core.http import BlockedAddress, InvalidURL, OutboundError, check_url, retry_at
from tests.conftest import PUBLIC_TEST_ADDRESS

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/admin",
        "https://10.1.2.3/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://localhost/",
    ],
)
def test_it_refuses_private_and_local_addresses(url):
    with pytest.raises(BlockedAddress) as excinfo:
        check_url(url)
    assert excinfo.value.permanent is True
    assert "Hubbub only connects to public internet addresses" in excinfo.value.message


def test_it_refuses_a_host_name_that_resolves_to_a_private_address(fake_dns):
    fake_dns["intranet.example"] = [PUBLIC_TEST_ADDRESS, "10.0.0.5"]
    with pytest.raises(BlockedAddress) as excinfo:
        check_url("https://intranet.example/api")
    assert "intranet.example points to a private or local address (10.0.0.5)" in str(excinfo.value)


def test_it_allows_a_public_host():
    check_url("https://social.example/api/v1/instance")
    check_url("http://93.184.215.14:8080/")


@pytest.mark.parametrize(
    "url", ["ftp://social.example/file", "file:///etc/passwd", "gopher://x.example/", "https://"]
)
def test_it_refuses_what_is_not_a_web_address(url):
    with pytest.raises(InvalidURL) as excinfo:
        check_url(url)
    assert "is not a web address" in excinfo.value.message


def test_an_unknown_host_is_a_transient_error():
    with pytest.raises(OutboundError) as excinfo:
        check_url("https://no-such-host.invalid/")
    assert not isinstance(excinfo.value, BlockedAddress)
    assert excinfo.value.permanent is False
    assert "DNS lookup failed" in excinfo.value.message


def test_private_addresses_are_allowed_when_the_deployment_opts_in(
    private_networks_allowed, fake_dns
):
    fake_dns["intranet.example"] = ["10.0.0.5"]
    for url in (
        "http://127.0.0.1:3000/",
        "http://[::1]/",
        "https://intranet.example/",
        "http://169.254.169.254/",
    ):
        check_url(url)
    with pytest.raises(InvalidURL):
        check_url("file:///etc/passwd")


@respx.mock(assert_all_mocked=True, assert_all_called=False)
def test_a_redirect_to_a_private_address_is_refused(respx_mock):
    respx_mock.get("https://public.example/start").respond(
        302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    metadata = respx_mock.get("http://169.254.169.254/latest/meta-data/").respond(200)
    with pytest.raises(BlockedAddress):
        http.request("GET", "https://public.example/start", follow_redirects=True)
    assert not metadata.called


@respx.mock(assert_all_mocked=True)
def test_redirects_are_followed_by_hand_only_when_asked(respx_mock):
    respx_mock.post("https://public.example/start").respond(
        303, headers={"Location": "/next?step=2"}
    )
    after = respx_mock.get("https://public.example/next").respond(200, json={"ok": True})
    response = http.request("POST", "https://public.example/start", json={"a": 1})
    assert response.status_code == 303
    assert not after.called
    response = http.request(
        "POST", "https://public.example/start", json={"a": 1}, follow_redirects=True
    )
    assert response.json() == {"ok": True}
    sent = after.calls.last.request
    assert sent.method == "GET"
    assert sent.url.params["step"] == "2"
    assert sent.content == b""
    assert sent.headers["User-Agent"] == http.USER_AGENT


@respx.mock(assert_all_mocked=True)
def test_a_redirect_loop_stops(respx_mock):
    respx_mock.get("https://public.example/loop").respond(
        302, headers={"Location": "https://public.example/loop"}
    )
    with pytest.raises(OutboundError) as excinfo:
        http.request("GET", "https://public.example/loop", follow_redirects=True)
    assert excinfo.value.permanent is True
    assert "Too many redirects" in excinfo.value.message
    assert respx_mock.calls.call_count == http.MAX_REDIRECTS + 1


@respx.mock(assert_all_mocked=True, assert_all_called=False)
def test_a_streamed_download_follows_redirects_with_the_same_checks(respx_mock):
    respx_mock.get("https://public.example/file").respond(
        302, headers={"Location": "https://cdn.public.example/file.mp4"}
    )
    respx_mock.get("https://cdn.public.example/file.mp4").respond(200, content=b"x" * 3000)
    with http.stream_get("https://public.example/file") as response:
        assert response.status_code == 200
        assert b"".join(response.iter_bytes(1024)) == b"x" * 3000

    respx_mock.get("https://public.example/sneaky").respond(
        302, headers={"Location": "http://10.0.0.7/internal"}
    )
    internal = respx_mock.get("http://10.0.0.7/internal").respond(200)
    with pytest.raises(BlockedAddress), http.stream_get("https://public.example/sneaky"):
        pass
    assert not internal.called


def response_with(**headers: str) -> httpx.Response:
    return httpx.Response(429, headers=headers)


def test_retry_at_reads_retry_after_in_seconds():
    assert retry_at(response_with(**{"Retry-After": "120"}), NOW) == NOW + timedelta(seconds=120)


def test_retry_at_reads_retry_after_as_an_http_date():
    response = response_with(**{"Retry-After": "Mon, 10 Mar 2025 12:05:00 GMT"})
    assert retry_at(response, NOW) == datetime(2025, 3, 10, 12, 5, tzinfo=UTC)


def test_retry_at_reads_an_epoch_reset():
    epoch = int(datetime(2025, 3, 10, 12, 15, tzinfo=UTC).timestamp())
    response = response_with(**{"X-RateLimit-Reset": str(epoch)})
    assert retry_at(response, NOW) == datetime(2025, 3, 10, 12, 15, tzinfo=UTC)


def test_retry_at_reads_an_iso_date_reset():
    # Mastodon sends an ISO 8601 date with fractional seconds and a Z.
    response = response_with(**{"X-RateLimit-Reset": "2025-03-10T12:30:00.000Z"})
    assert retry_at(response, NOW) == datetime(2025, 3, 10, 12, 30, tzinfo=UTC)


def test_retry_at_reads_a_reset_in_seconds_from_now():
    assert retry_at(response_with(**{"RateLimit-Reset": "42"}), NOW) == NOW + timedelta(seconds=42)


def test_retry_at_is_none_without_a_usable_header():
    assert retry_at(response_with(), NOW) is None
    assert retry_at(response_with(**{"Retry-After": "soon"}), NOW) is None
    assert retry_at(response_with(**{"X-RateLimit-Reset": "whenever"}), NOW) is None


class LocalServer:
    """A real HTTP server on 127.0.0.1, to exercise the connection layer itself."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                server.headers.append(dict(self.headers))
                if self.path.startswith("/slow"):
                    server.release.wait(10)
                body = b"hello from 127.0.0.1"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


def test_a_local_server_is_refused_by_default(local_server):
    with pytest.raises(BlockedAddress):
        http.request("GET", local_server.url("/hello"))
    assert local_server.paths == []


def test_an_address_that_turns_private_at_connect_time_is_refused(local_server, monkeypatch):
    # DNS rebinding: public when the URL is checked, loopback when the connection opens.
    answers = iter([[PUBLIC_TEST_ADDRESS]])
    monkeypatch.setattr(http, "resolve_host", lambda host, port: next(answers, ["127.0.0.1"]))
    with pytest.raises(BlockedAddress) as excinfo:
        http.request("GET", f"http://rebind.example:{local_server.port}/hello")
    assert "rebind.example points to a private or local address (127.0.0.1)" in str(excinfo.value)
    assert local_server.paths == []


def test_a_local_server_is_served_when_private_addresses_are_allowed(
    local_server, private_networks_allowed
):
    response = http.request("GET", local_server.url("/hello"), headers={"X-Test": "1"})
    assert response.status_code == 200
    assert response.text == "hello from 127.0.0.1"
    assert local_server.paths == ["/hello"]
    assert local_server.headers[0]["X-Test"] == "1"
    assert local_server.headers[0]["User-Agent"] == http.USER_AGENT


def test_a_read_timeout_means_the_request_may_have_been_sent(
    local_server, private_networks_allowed
):
    with pytest.raises(OutboundError) as excinfo:
        http.request("GET", local_server.url("/slow"), timeout=0.3)
    assert excinfo.value.sent is True
    assert excinfo.value.permanent is False
    assert "did not answer within 0.3 seconds" in excinfo.value.message
    assert local_server.paths == ["/slow"]


def test_a_refused_connection_was_not_sent(private_networks_allowed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(OutboundError) as excinfo:
        http.request("GET", f"http://127.0.0.1:{port}/", timeout=2)
    assert excinfo.value.sent is False
    assert excinfo.value.permanent is False
    assert "cannot be reached" in excinfo.value.message


def test_the_log_line_has_no_query_string_and_no_credentials(
    local_server, private_networks_allowed, caplog
):
    caplog.set_level(logging.INFO, logger="hubbub.http")
    http.request(
        "GET",
        local_server.url("/api/v1/accounts?access_token=url-secret"),
        headers={"Authorization": "Bearer header-secret"},
    )
    http.request("GET", local_server.url("/api/v1/search"), params={"code": "param-secret"})
    assert local_server.paths == [
        "/api/v1/accounts?access_token=url-secret",
        "/api/v1/search?code=param-secret",
    ]
    assert local_server.headers[0]["Authorization"] == "Bearer header-secret"
    lines = [r.getMessage() for r in caplog.records if r.name == "hubbub.http"]
    assert len(lines) == 2
    base = f"GET http://127.0.0.1:{local_server.port}/api/v1"
    assert lines[0].startswith(f"{base}/accounts -> 200 in ")
    assert lines[1].startswith(f"{base}/search -> 200 in ")
    for line in lines:
        for secret in (
            "?",
            "access_token",
            "url-secret",
            "param-secret",
            "header-secret",
            "Bearer",
        ):
            assert secret not in line
