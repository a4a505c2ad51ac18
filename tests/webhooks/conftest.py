"""Webhook fixtures: a real HTTP receiver on 127.0.0.1 that answers as scripted, an endpoint
pointing at it, and a published delivery to announce."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, PostVariant
from hubbub.webhooks import actions
from hubbub.webhooks.models import WebhookEndpoint
from tests.api.conftest import Api, token_api

# The publishing fixtures (a fake network, a channel on it, a post scheduled there, a frozen
# clock), so webhooks can be tested end to end with the real dispatcher.
from tests.publishing.conftest import channel, clock, fake_network, scheduled  # noqa: F401

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = "ok"
    delay: float = 0.0


class Receiver:
    """Records every request; answers with the scripted answers in order, then 200."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: list[Answer] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(Received(self.path, headers, body))
                answer = receiver.script.pop(0) if receiver.script else Answer()
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.body.encode()
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hubbub"

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture
def editor(bob: User, acme: Workspace) -> Access:
    return Access(user=bob, workspace=acme, role=Role.EDITOR)


@pytest.fixture
def hook(
    owner: Access, receiver: Receiver, private_networks_allowed: None
) -> tuple[WebhookEndpoint, str]:
    """An endpoint subscribed to every event, at the local receiver; with its secret."""
    return actions.create_endpoint(owner, receiver.url, "local receiver")


@pytest.fixture
def published(acme: Workspace, alice: User) -> Delivery:
    bluesky = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )
    post = Post.objects.create(
        workspace=acme,
        author=alice,
        purpose="announce the summer sale",
        status=PostStatus.PUBLISHED,
        scheduled_at=NOW,
    )
    variant = PostVariant.objects.create(post=post, channel=bluesky, parts=["Sale!"])
    return Delivery.objects.create(
        workspace=acme,
        post=post,
        variant=variant,
        channel=bluesky,
        status=DeliveryStatus.PUBLISHED,
        due_at=NOW,
        next_attempt_at=NOW,
        attempt_count=1,
        published_at=NOW,
        published_url="https://bsky.app/profile/acme.bsky.social/post/3kabc",
    )


@pytest.fixture
def alice_api(alice: User, acme: Workspace) -> Api:
    return token_api(alice, acme)


@pytest.fixture
def bob_api(bob: User, acme: Workspace) -> Api:
    return token_api(bob, acme)
