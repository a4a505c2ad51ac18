"""A small threaded HTTP server answering every GET with the same JSON document.

Runs in its own process (see http_seam.py): only the standard library is imported here.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

# About the size of one post as a network's API returns it.
BODY = json.dumps(
    {
        "id": "113512345678901234",
        "created_at": "2024-11-20T09:30:00.000Z",
        "content": "<p>Nouvelle collection automne ☕🍂 https://example.com/automne</p>",
        "account": {"id": "42", "acct": "maison", "display_name": "Maison Dupont"},
        "replies_count": 3,
        "reblogs_count": 12,
        "favourites_count": 48,
        "media_attachments": [],
        "tags": [{"name": "automne"}],
    }
).encode()


class JSONHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open, as real API servers do; both clients pool them.
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for
    # the client's delayed ACK, 40 ms a request, which would measure the kernel, not us.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would be most of the work


def serve(ready: Connection) -> None:
    """Listen on a free port of 127.0.0.1, send the port through `ready`, serve forever."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), JSONHandler)
    server.daemon_threads = True
    ready.send(server.server_address[1])
    ready.close()
    server.serve_forever()
