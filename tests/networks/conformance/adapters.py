"""One adapter per network for the conformance suite: how to make a connected channel, which
recorded answers (respx routes) stand for each situation, and what the request we send must
hold. The answers and helpers come from each network's own tests (shaped from the network's
documented examples); this module only arranges them behind one interface."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.bluesky import tid
from hubbub.networks.mastodon.connector import MastodonConfig
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from tests.networks.bluesky import conftest as bsky
from tests.networks.bluesky.test_publish import BLOB, CID, created
from tests.networks.mastodon import bodies
from tests.networks.mastodon.test_publish import ATTACHMENT, STATUS, fields, multipart, status
from tests.networks.telegram import conftest as tg
from tests.networks.telegram.test_publish import multipart as tg_multipart

TEXT = "Hello from Hubbub"
ALT = "A red square"


class Adapter(ABC):
    name: str
    now: datetime  # the frozen clock of the network's recorded answers
    hosts: tuple[str, ...] = ()  # names the test DNS must resolve

    def __repr__(self) -> str:
        return self.name

    def part(self, **extra: Any) -> OutgoingPart:
        """The part every scenario publishes: due two minutes ago, in English."""
        return OutgoingPart(
            text=TEXT,
            idempotency_key="delivery-7:0",
            language="en",
            not_before=self.now - timedelta(minutes=2),
            **extra,
        )

    @abstractmethod
    def channel(self, workspace: Workspace) -> Channel: ...

    @abstractmethod
    def text_route(self, router: respx.MockRouter) -> respx.Route:
        """The publishing endpoint, answering success for the text part."""

    @abstractmethod
    def assert_text_request(self, request: httpx.Request) -> None: ...

    @abstractmethod
    def published(self) -> PublishedRef:
        """What publishing the part (or finding it again) returns."""

    @abstractmethod
    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]: ...

    @abstractmethod
    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None: ...

    @abstractmethod
    def rate_limited(self, router: respx.MockRouter) -> datetime:
        """Answer the publish with a 429; the retry_at the network's answer implies."""

    @abstractmethod
    def revoked(self, router: respx.MockRouter) -> None:
        """Answer as the network does once the channel's authorization is gone."""

    @abstractmethod
    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        """Where find_published looks, answering that the part is there (None: it cannot)."""


class BlueskyAdapter(Adapter):
    name = "bluesky"
    now = bsky.ISSUED + timedelta(minutes=30)  # the access token has 90 minutes left
    hosts = ("bsky.social",)
    CREATE = f"{bsky.PDS}/xrpc/com.atproto.repo.createRecord"
    UPLOAD = f"{bsky.PDS}/xrpc/com.atproto.repo.uploadBlob"
    GET_RECORD = f"{bsky.PDS}/xrpc/com.atproto.repo.getRecord"
    REFRESH = f"{bsky.PDS}/xrpc/com.atproto.server.refreshSession"
    CREATE_SESSION = f"{bsky.PDS}/xrpc/com.atproto.server.createSession"

    def rkey(self) -> str:
        part = self.part()
        return tid.for_part(part.idempotency_key, part.not_before)

    def uri(self) -> str:
        return f"at://{bsky.DID}/app.bsky.feed.post/{self.rkey()}"

    def channel(self, workspace: Workspace) -> Channel:
        channel = Channel(
            workspace=workspace,
            network="bluesky",
            external_id=bsky.DID,
            handle=bsky.HANDLE,
            name="Alice",
            config={"pds_url": bsky.PDS, "app_password_login": True},
        )
        channel.credentials = {
            "accessJwt": bsky.access_jwt(),
            "refreshJwt": bsky.refresh_jwt(),
            "did": bsky.DID,
            "pds_url": bsky.PDS,
            "app_password": bsky.APP_PASSWORD,
        }
        channel.save()
        return channel

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(self.CREATE).respond(200, json=created(self.rkey()))

    def _assert_create(self, request: httpx.Request) -> dict[str, Any]:
        assert request.method == "POST"
        assert str(request.url) == self.CREATE
        assert request.headers["authorization"] == f"Bearer {bsky.access_jwt()}"
        assert request.headers["content-type"] == "application/json"
        body: dict[str, Any] = json.loads(request.content)
        assert set(body) == {"repo", "collection", "rkey", "record"}
        assert (body["repo"], body["collection"], body["rkey"]) == (
            bsky.DID,
            "app.bsky.feed.post",
            self.rkey(),
        )
        return dict(body["record"])

    def assert_text_request(self, request: httpx.Request) -> None:
        assert self._assert_create(request) == {
            "$type": "app.bsky.feed.post",
            "text": TEXT,
            "createdAt": "2026-03-02T09:30:00.000Z",
            "langs": ["en"],
        }

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=self.uri(),
            url=f"https://bsky.app/profile/{bsky.HANDLE}/post/{self.rkey()}",
            data={"uri": self.uri(), "cid": CID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        upload = router.post(self.UPLOAD).respond(200, json={"blob": BLOB})
        return [upload, self.text_route(router)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        upload, create = routes
        sent = upload.calls.last.request
        assert sent.method == "POST" and str(sent.url) == self.UPLOAD
        assert sent.headers["authorization"] == f"Bearer {bsky.access_jwt()}"
        assert sent.headers["content-type"] == "image/png"
        assert sent.content == image
        record = self._assert_create(create.calls.last.request)
        assert record["text"] == TEXT
        assert record["embed"] == {
            "$type": "app.bsky.embed.images",
            "images": [
                {"alt": ALT, "image": BLOB, "aspectRatio": {"width": 120, "height": 80}},
            ],
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        reset = self.now + timedelta(minutes=7)
        router.post(self.CREATE).respond(
            429,
            headers={"ratelimit-reset": str(int(reset.timestamp()))},
            json=bsky.xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"),
        )
        return reset

    def revoked(self, router: respx.MockRouter) -> None:
        # The session was revoked, and so was the app password that could open a new one.
        router.post(self.CREATE).respond(
            400, json=bsky.xrpc_error("InvalidToken", "Token has been revoked")
        )
        router.post(self.REFRESH).respond(
            400, json=bsky.xrpc_error("InvalidToken", "Token has been revoked")
        )
        router.post(self.CREATE_SESSION).respond(
            401, json=bsky.xrpc_error("AuthenticationRequired", "Invalid identifier or password")
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return router.get(self.GET_RECORD, params={"rkey": self.rkey()}).respond(
            200, json={"uri": self.uri(), "cid": CID, "value": {"text": TEXT}}
        )


class MastodonAdapter(Adapter):
    name = "mastodon"
    now = datetime(2026, 10, 14, 19, 4, 20, tzinfo=UTC)  # STATUS's created_at
    STATUSES = f"{bodies.SERVER}/api/v1/statuses"
    MEDIA = f"{bodies.SERVER}/api/v2/media"
    ACCOUNT_ID = str(bodies.ACCOUNT["id"])

    def channel(self, workspace: Workspace) -> Channel:
        config = MastodonConfig(
            server=bodies.SERVER, domain=bodies.HOST, account_id=self.ACCOUNT_ID
        )
        channel = Channel(
            workspace=workspace,
            network="mastodon",
            external_id=f"{self.ACCOUNT_ID}@{bodies.HOST}",
            handle=f"@brand@{bodies.HOST}",
            name="Brand",
            config=config.model_dump(),
        )
        channel.credentials = {"access_token": bodies.ACCESS_TOKEN, "scope": bodies.TOKEN["scope"]}
        channel.save()
        return channel

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(self.STATUSES).respond(200, json=STATUS)

    def _assert_status(self, request: httpx.Request) -> dict[str, list[str]]:
        assert request.method == "POST"
        assert str(request.url) == self.STATUSES
        assert request.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
        assert request.headers["idempotency-key"] == "delivery-7:0"
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        return fields(request)

    def assert_text_request(self, request: httpx.Request) -> None:
        assert self._assert_status(request) == {
            "status": [TEXT],
            "visibility": ["public"],
            "language": ["en"],
        }

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=str(STATUS["id"]), url=str(STATUS["url"]), data={"id": str(STATUS["id"])}
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        # 200 with a url: the attachment is ready at once, so nothing polls or waits.
        upload = router.post(self.MEDIA).respond(200, json=ATTACHMENT)
        post = router.post(self.STATUSES).respond(200, json=status(media_attachments=[ATTACHMENT]))
        return [upload, post]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        upload, post = routes
        sent = upload.calls.last.request
        assert sent.method == "POST" and str(sent.url) == self.MEDIA
        assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
        assert multipart(sent) == {
            "description": (None, "text/plain", ALT.encode()),
            "file": ("square.png", "image/png", image),
        }
        assert self._assert_status(post.calls.last.request) == {
            "status": [TEXT],
            "visibility": ["public"],
            "language": ["en"],
            "media_ids[]": [str(ATTACHMENT["id"])],
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(self.STATUSES).respond(
            429,
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "2026-10-14T19:30:00.000Z",
            },
            json={"error": "Too many requests"},
        )
        return datetime(2026, 10, 14, 19, 30, tzinfo=UTC)

    def revoked(self, router: respx.MockRouter) -> None:
        router.post(self.STATUSES).respond(401, json=bodies.INVALID_TOKEN)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return router.get(
            f"{bodies.SERVER}/api/v1/accounts/{self.ACCOUNT_ID}/statuses",
            params={"limit": "40"},
        ).respond(200, json=[status(id="1", content="<p>Something else</p>"), STATUS])


class TelegramAdapter(Adapter):
    name = "telegram"
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    hosts = ("api.telegram.org",)

    def channel(self, workspace: Workspace) -> Channel:
        channel = Channel(
            workspace=workspace,
            network="telegram",
            external_id=str(tg.CHAT_ID),
            handle=f"@{tg.USERNAME}",
            name="Acme News",
            config={
                "chat_id": tg.CHAT_ID,
                "username": tg.USERNAME,
                "bot_id": tg.BOT_ID,
                "bot_username": "acme_hubbub_bot",
                "can_delete": True,
            },
        )
        channel.credentials = {"bot_token": tg.TOKEN}
        channel.save()
        return channel

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(tg.method_url("sendMessage")).respond(200, json=tg.ok(tg.message(42)))

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST"
        assert str(request.url) == f"https://api.telegram.org/bot{tg.TOKEN}/sendMessage"
        # Telegram has no language field and no idempotency key: neither is sent.
        assert tg.sent_json(request) == {"chat_id": tg.CHAT_ID, "text": TEXT}

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id="42",
            url=f"https://t.me/{tg.USERNAME}/42",
            data={"chat_id": tg.CHAT_ID, "message_id": 42},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        answer = tg.message(42, text=None, caption=TEXT, photo=[])
        return [router.post(tg.method_url("sendPhoto")).respond(200, json=tg.ok(answer))]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        (send,) = routes
        sent = send.calls.last.request
        assert sent.method == "POST"
        assert str(sent.url) == f"https://api.telegram.org/bot{tg.TOKEN}/sendPhoto"
        # A photo has no alt text on Telegram (max_alt_text is None): none is sent.
        assert tg_multipart(sent) == {
            "chat_id": (None, "text/plain", str(tg.CHAT_ID).encode()),
            "caption": (None, "text/plain", TEXT.encode()),
            "photo": ("square.png", "image/png", image),
        }
        assert ALT.encode() not in sent.content

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(tg.method_url("sendMessage")).respond(
            429, json=tg.error(429, "Too Many Requests: retry after 35", retry_after=35)
        )
        return self.now + timedelta(seconds=35)

    def revoked(self, router: respx.MockRouter) -> None:
        # /revoke in @BotFather: every method answers 401 Unauthorized.
        router.post(tg.method_url("sendMessage")).respond(401, json=tg.error(401, "Unauthorized"))

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return None  # a bot cannot read its channel's messages


ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter for adapter in (BlueskyAdapter(), MastodonAdapter(), TelegramAdapter())
}
