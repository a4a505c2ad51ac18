"""One adapter per network for the conformance suite: how to make a connected channel, which
recorded answers (respx routes) stand for each situation, and what the request we send must
hold. The answers and helpers come from each network's own tests (shaped from the network's
documented examples); this module only arranges them behind one interface."""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.bluesky import tid
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.mastodon.connector import MastodonConfig
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from tests.networks.bluesky import conftest as bsky
from tests.networks.bluesky import reading_sim as bsky_sim
from tests.networks.bluesky.test_publish import BLOB, CID, created
from tests.networks.mastodon import bodies
from tests.networks.mastodon import reading_sim as masto_sim
from tests.networks.mastodon.test_publish import ATTACHMENT, STATUS, fields, multipart, status
from tests.networks.telegram import conftest as tg
from tests.networks.telegram.test_publish import multipart as tg_multipart

TEXT = "Hello from Hubbub"
ALT = "A red square"


@dataclass(frozen=True)
class Said:
    """One comment or mention on a simulated network, as the scenarios describe it; each
    adapter turns it into the network's own JSON. `number` grows with time: a newer item
    has a larger number (and a later `at`)."""

    number: int
    text: str
    author_id: str
    author_handle: str  # as the network shows it; the adapter's incoming_handle may adorn it
    at: datetime


class Adapter(ABC):
    name: str
    now: datetime  # the frozen clock of the network's recorded answers
    hosts: tuple[str, ...] = ()  # names the test DNS must resolve
    # How many items the simulated network answers per page in serve_comments and
    # serve_mentions (at most what the connector asks for): the scenarios read 2.5 pages.
    page_size: int = 20
    # Requests a text post takes: 1, or 2 where the network's answer lacks the post's
    # address and the connector asks for it (Threads).
    text_calls: int = 1
    # Does publishing say where the post is (a https:// url)? False where the network answers
    # without one (Slack's incoming webhooks answer "ok"); published() then has url "".
    post_urls: bool = True
    # Calls a publish makes before the request that creates the post, each on its own route
    # (YouTube opens an upload session, then sends the bytes): the time-out scenario counts
    # them as expected, and still asserts that nothing is sent again.
    setup_calls: int = 0
    # What a rate-limited answer's status is: HTTP 429, or the SMTP reply code (451).
    rate_limit_status: int = 429
    # find_published answers from Hubbub's own records of what it sent (the newsletter's
    # Sending rows) rather than by asking the network: lookup_route is None, no request.
    finds_in_own_records: bool = False

    def seam(self, router: respx.MockRouter) -> contextlib.AbstractContextManager[None]:
        """Put in place, for the length of a scenario, the seam of a network not reached
        over HTTP (the newsletter's SMTP), recording what leaves in router.calls as respx
        records HTTP calls. Nothing for HTTP networks: respx is their seam."""
        return contextlib.nullcontext()

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
    def rate_limited(self, router: respx.MockRouter) -> datetime:
        """Answer the publish with a 429; the retry_at the network's answer implies."""

    @abstractmethod
    def revoked(self, router: respx.MockRouter) -> None:
        """Answer as the network does once the channel's authorization is gone."""

    @abstractmethod
    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        """Where find_published looks, answering that the part is there (None: it cannot)."""

    # --- images: networks that declare PUBLISH_IMAGE --------------------------------------

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        """The calls that publish the part with one PNG (uploads, then the post)."""
        raise NotImplementedError

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        """Each request of image_routes, field by field (alt text where the network has it)."""
        raise NotImplementedError

    # --- token refresh: networks whose access tokens expire and can be refreshed ----------

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        """Make the channel's access token expired (as saved when it was connected) and
        answer the network's refresh call with a new one; return that route. None: the
        network's tokens do not expire, or cannot be refreshed (then token_expires_at is
        None or a person reconnects, which the expiry warning covers)."""
        return None

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        """After the refresh: the publish request carried the new token, the channel keeps
        the new credentials (encrypted) and their new expiry."""
        raise NotImplementedError

    # --- reading: simulated networks, one per capability the connector declares ----------

    def incoming_id(self, said: Said) -> str:
        """The external_id the connector reports for this item."""
        return str(said.number)

    def incoming_handle(self, said: Said) -> str:
        return said.author_handle

    def comment_target(self) -> PublishedRef:
        """The published post whose comments the scenario reads."""
        return self.published()

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        """READ_COMMENTS: answer the connector's comment requests for comment_target() from
        `comments` (which the scenario grows between calls) exactly as the network
        documents: its pagination (page_size a page), its cursor or since parameters, its
        JSON. The side effect reads the request's parameters, so a connector that sends
        the wrong cursor gets the wrong answer."""
        raise NotImplementedError

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        """MENTIONS: as serve_comments, for posts that mention the account."""
        raise NotImplementedError

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        """METRICS: answer the metrics request for published() and return what the
        connector must report (None for a count the network does not give)."""
        raise NotImplementedError


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

    # The access token lapsed an hour ago (still inside the refresh token's two months).
    EXPIRED_ACCESS = bsky.access_jwt(
        issued=bsky.ISSUED - timedelta(hours=3), expires=bsky.ISSUED - timedelta(hours=1)
    )
    FRESH_ACCESS = bsky.access_jwt(issued=now, expires=now + timedelta(hours=2))
    FRESH_REFRESH = bsky.refresh_jwt("2")
    _refresh: respx.Route  # the refresh route expire() made, read by assert_refreshed()

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        channel.credentials = {**channel.credentials, "accessJwt": self.EXPIRED_ACCESS}
        channel.save()
        self._refresh = router.post(self.REFRESH).respond(
            200, json=bsky.session_output(access=self.FRESH_ACCESS, refresh=self.FRESH_REFRESH)
        )
        return self._refresh

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        refresh = self._refresh.calls.last.request
        # refreshSession authenticates with the refresh token and has no body.
        assert refresh.headers["authorization"] == f"Bearer {bsky.refresh_jwt()}"
        assert refresh.content == b""
        assert publish.headers["authorization"] == f"Bearer {self.FRESH_ACCESS}"
        assert channel.credentials == {
            "accessJwt": self.FRESH_ACCESS,
            "refreshJwt": self.FRESH_REFRESH,
            "did": bsky.DID,
            "pds_url": bsky.PDS,
            "app_password": bsky.APP_PASSWORD,
        }
        assert self.FRESH_ACCESS not in channel.credentials_encrypted
        # The app password opens a new session whenever the refresh token lapses, so nothing
        # expires that a person would have to act on: no date, no warning on the channels page.
        assert channel.token_expires_at is None

    def incoming_id(self, said: Said) -> str:
        return bsky_sim.uri_of(said)

    def incoming_handle(self, said: Said) -> str:
        return f"@{bsky_sim.handle_of(said)}"

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        bsky_sim.serve_thread(router, self.uri(), CID, comments)

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        bsky_sim.serve_notifications(router, mentions, self.uri(), CID, page_size=self.page_size)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        view = bsky_sim.own_post(self.uri(), CID)
        view.update(likeCount=12, repostCount=3, quoteCount=1, replyCount=5)
        bsky_sim.serve_posts(router, {self.uri(): view})
        return PostMetrics(likes=12, shares=4, comments=5)


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

    def incoming_id(self, said: Said) -> str:
        return masto_sim.status_id(said)

    def incoming_handle(self, said: Said) -> str:
        return masto_sim.handle(said)

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        masto_sim.serve_context(router, str(STATUS["id"]), comments)

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        masto_sim.serve_notifications(router, mentions, page_size=self.page_size)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        counted = status(favourites_count=9, reblogs_count=2, replies_count=4)
        masto_sim.serve_statuses(router, {str(STATUS["id"]): counted})
        return PostMetrics(likes=9, shares=2, comments=4)


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


# Adapters in their own modules (they import Adapter from here, hence the late imports).
from tests.networks.conformance.adapter_discord import DiscordAdapter  # noqa: E402
from tests.networks.conformance.adapter_facebook import FacebookAdapter  # noqa: E402
from tests.networks.conformance.adapter_instagram import InstagramAdapter  # noqa: E402
from tests.networks.conformance.adapter_linkedin import LinkedInAdapter  # noqa: E402
from tests.networks.conformance.adapter_matrix import MatrixAdapter  # noqa: E402
from tests.networks.conformance.adapter_newsletter import NewsletterAdapter  # noqa: E402
from tests.networks.conformance.adapter_pinterest import PinterestAdapter  # noqa: E402
from tests.networks.conformance.adapter_slack import SlackAdapter  # noqa: E402
from tests.networks.conformance.adapter_threads import ThreadsAdapter  # noqa: E402
from tests.networks.conformance.adapter_tiktok import TikTokAdapter  # noqa: E402
from tests.networks.conformance.adapter_wordpress import WordPressAdapter  # noqa: E402
from tests.networks.conformance.adapter_x import XAdapter  # noqa: E402
from tests.networks.conformance.adapter_youtube import YouTubeAdapter  # noqa: E402

# Typed as Adapter: the late imports form an import cycle in which mypy cannot infer the
# `name` of each subclass.
_ALL: tuple[Adapter, ...] = (
    BlueskyAdapter(),
    DiscordAdapter(),
    FacebookAdapter(),
    InstagramAdapter(),
    LinkedInAdapter(),
    MastodonAdapter(),
    MatrixAdapter(),
    NewsletterAdapter(),
    PinterestAdapter(),
    SlackAdapter(),
    TelegramAdapter(),
    ThreadsAdapter(),
    TikTokAdapter(),
    WordPressAdapter(),
    XAdapter(),
    YouTubeAdapter(),
)
ADAPTERS: dict[str, Adapter] = {adapter.name: adapter for adapter in _ALL}
