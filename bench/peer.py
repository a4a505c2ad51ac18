"""A local HTTP "network" that accepts posts and injects faults: used by the dispatch
benchmark and by the exactly-once tests (tests/publishing/test_exactly_once_processes.py).
It records the wall-clock time each key first arrived (the benchmark's lateness).

POST /posts {idempotency_key, text, reply_to} creates a post; GET /posts?key=... looks one up
(404 when absent). The fault plan applies to POSTs only, drawn from a seeded generator so a
run can be replayed:
- latency on every request;
- "timeout after accept": the post is recorded, then the answer is held longer than the
  client's timeout, so the client sees a time-out with the request sent (outcome unknown);
- 500 (not recorded) and 429 with Retry-After: 1 (not recorded).

A post is recorded when the request arrives, before the latency: a client killed while
waiting for the answer has still published, which is what reconciliation must find.

`max_faults_per_key` bounds the faults one key can draw (the dispatcher's backoff grows
30 s, 2 min, 8 min...). The default benchmark injects no faults: latency only.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    # Workers open dozens of connections at once; the default backlog (5) would refuse some,
    # an error of the peer rather than one of the faults the plan injects.
    request_queue_size = 256


@dataclass
class FaultPlan:
    latency: float = 0.02  # seconds before every answer
    timeout_after_accept: float = 0.0  # fraction of POSTs recorded then answered too late
    server_error: float = 0.0  # fraction of POSTs answered 500, not recorded
    rate_limited: float = 0.0  # fraction of POSTs answered 429 Retry-After: 1, not recorded
    hold_seconds: float = 2.0  # how long a "timeout after accept" holds its answer
    max_faults_per_key: int = 2
    seed: int = 1


@dataclass
class FaultPeer:
    plan: FaultPlan = field(default_factory=FaultPlan)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    accepted: Counter[str] = field(default_factory=Counter)  # POSTs recorded, by key
    faults: Counter[str] = field(default_factory=Counter)  # by kind
    # arrival times (monotonic) of POSTs not yet answered
    in_flight: dict[int, float] = field(default_factory=dict)
    # wall-clock time (time.time()) each key's first POST arrived, comparable with due_at
    received: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.plan.seed)
        self._faults_by_key: Counter[str] = Counter()
        self._next_request = 0
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass  # hundreds of requests a test: keep the output readable

            def do_POST(self) -> None:
                peer._handle_post(self)

            def do_GET(self) -> None:
                peer._handle_get(self)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FaultPeer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what the benchmark reads ---------------------------------------------------------

    def accepted_count(self) -> int:
        with self._lock:
            return sum(self.accepted.values())

    def oldest_in_flight(self) -> float | None:
        """Seconds the oldest unanswered POST has been waiting, or None."""
        with self._lock:
            if not self.in_flight:
                return None
            return time.monotonic() - min(self.in_flight.values())

    def in_flight_count(self) -> int:
        """POSTs that reached the peer and wait for their answer."""
        with self._lock:
            return len(self.in_flight)

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.accepted)

    # --- the network ---------------------------------------------------------------------

    def _draw(self, key: str) -> str:
        plan = self.plan
        with self._lock:
            roll = self._random.random()
            if self._faults_by_key[key] >= plan.max_faults_per_key:
                return "ok"
            kind = "ok"
            if roll < plan.timeout_after_accept:
                kind = "timeout"
            elif roll < plan.timeout_after_accept + plan.server_error:
                kind = "500"
            elif roll < plan.timeout_after_accept + plan.server_error + plan.rate_limited:
                kind = "429"
            if kind != "ok":
                self._faults_by_key[key] += 1
                self.faults[kind] += 1
            return kind

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        arrived = time.time()
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        if urlsplit(handler.path).path != "/posts" or not body.get("idempotency_key"):
            self._answer(handler, 400, {"error": "POST /posts with an idempotency_key"})
            return
        key = str(body["idempotency_key"])
        kind = self._draw(key)
        with self._lock:
            number = self._next_request
            self._next_request += 1
            self.in_flight[number] = time.monotonic()
        try:
            if kind in ("ok", "timeout"):
                post = self._record(key, body, arrived)
                delay = self.plan.hold_seconds if kind == "timeout" else self.plan.latency
                time.sleep(delay)
                self._answer(handler, 200, post)
            elif kind == "500":
                time.sleep(self.plan.latency)
                self._answer(handler, 500, {"error": "internal error"})
            else:
                time.sleep(self.plan.latency)
                self._answer(handler, 429, {"error": "slow down"}, {"Retry-After": "1"})
        finally:
            with self._lock:
                self.in_flight.pop(number, None)

    def _record(self, key: str, body: dict[str, Any], arrived: float) -> dict[str, Any]:
        with self._lock:
            self.accepted[key] += 1
            self.received.setdefault(key, arrived)
            # A real network without idempotency: a second POST makes a second post; the
            # lookup keeps answering with the first.
            post = self.posts.setdefault(
                key,
                {
                    "id": f"p{len(self.posts) + 1}",
                    "key": key,
                    "text": body.get("text", ""),
                    "reply_to": body.get("reply_to"),
                },
            )
            return {**post, "url": f"{self.url}/posts/{post['id']}"}

    def _handle_get(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        key = (query.get("key") or [""])[0]
        time.sleep(self.plan.latency)
        with self._lock:
            post = self.posts.get(key)
        if post is None:
            self._answer(handler, 404, {"error": "no such post"})
        else:
            self._answer(handler, 200, {**post, "url": f"{self.url}/posts/{post['id']}"})

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (time-out) or was killed: the post stays recorded
