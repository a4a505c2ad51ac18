"""A real HTTP server on 127.0.0.1 for the feeds tests: each path answers as the test says
(a body, a status, headers such as ETag), and the paths asked are kept in `hits`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]
RSS_TYPE = "application/rss+xml; charset=utf-8"


def answer(body: bytes, content_type: str = RSS_TYPE, status: int = 200, **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


def streaming(total: int, chunk: int = 64 * 1024) -> Route:
    """A body of `total` bytes with no Content-Length: only counting while reading stops it."""

    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", RSS_TYPE)
        handler.end_headers()
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        sent = 0
        while sent < total and not stop.is_set():
            handler.wfile.write(b" " * chunk)
            sent += chunk

    return route


def rss_item(link: str, title: str, text: str = "", *, author: str = "", date: str = "") -> str:
    return (
        f"<item><guid>{link}</guid><link>{link}</link><title>{title}</title>"
        f"<description>{text}</description>"
        + (f"<author>{author}</author>" if author else "")
        + f"<pubDate>{date or 'Wed, 18 Nov 2026 08:30:00 +0000'}</pubDate></item>"
    )


def rss(*items: str, title: str = "Coffee Weekly", encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title>" + "".join(items) + "</channel></rss>"
    )


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            route = state.routes.get(self.path) or answer(b"not here", "text/plain", 404)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self, state.stop)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read `state.hits`."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield state
    state.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
