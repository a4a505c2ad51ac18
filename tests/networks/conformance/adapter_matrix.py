"""The conformance adapter for Matrix rooms; answers from tests/networks/matrix (shaped from
the Client-Server API specification's examples), the reading scenarios over the simulated
room of tests/networks/matrix/sim.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.matrix.posting import txn_id
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.matrix import conftest as mx
from tests.networks.matrix import sim

UPLOAD = f"{mx.HOMESERVER}/_matrix/media/v3/upload"


class MatrixAdapter(Adapter):
    name = "matrix"
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    hosts = ("matrix.example.com",)

    def txn(self, what: str = "text") -> str:
        return txn_id(self.part().idempotency_key, what)

    def send_url(self, what: str = "text") -> str:
        return mx.room_url(f"/send/m.room.message/{self.txn(what)}")

    def channel(self, workspace: Workspace) -> Channel:
        return mx.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.put(self.send_url()).respond(200, json={"event_id": mx.EVENT_ID})

    def _assert_send(self, request: httpx.Request, what: str) -> dict[str, Any]:
        assert request.method == "PUT"
        assert str(request.url) == self.send_url(what)
        assert request.headers["authorization"] == f"Bearer {mx.TOKEN}"
        return dict(mx.sent_json(request))

    def assert_text_request(self, request: httpx.Request) -> None:
        # Plain text, no formatted_body; Matrix events carry no language field.
        assert self._assert_send(request, "text") == {"msgtype": "m.text", "body": TEXT}

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=mx.EVENT_ID,
            url=f"https://matrix.to/#/{quote(mx.ROOM_ID, safe='!')}/"
            f"{quote(mx.EVENT_ID, safe='')}?via=example.com",
            data={"room_id": mx.ROOM_ID, "event_ids": [mx.EVENT_ID]},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        upload = router.post(UPLOAD).respond(200, json={"content_uri": mx.CONTENT_URI})
        image = router.put(self.send_url("image")).respond(
            200, json={"event_id": mx.IMAGE_EVENT_ID}
        )
        return [upload, self.text_route(router), image]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        upload, text, picture = routes
        sent = upload.calls.last.request
        assert sent.method == "POST"
        assert str(sent.url) == f"{UPLOAD}?filename=square.png"
        assert sent.headers["authorization"] == f"Bearer {mx.TOKEN}"
        assert sent.headers["content-type"] == "image/png"
        assert sent.content == image
        assert self._assert_send(text.calls.last.request, "text") == {
            "msgtype": "m.text",
            "body": TEXT,
        }
        # The alt text is the m.image body ("m.image": body, url, info).
        assert self._assert_send(picture.calls.last.request, "image") == {
            "msgtype": "m.image",
            "body": ALT,
            "url": mx.CONTENT_URI,
            "info": {"mimetype": "image/png", "size": len(image), "w": 120, "h": 80},
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # The spec's example of M_LIMIT_EXCEEDED ("Rate limiting").
        router.put(self.send_url()).respond(
            429, json=mx.error("M_LIMIT_EXCEEDED", "Too many requests", retry_after_ms=2000)
        )
        return self.now + timedelta(milliseconds=2000)

    def revoked(self, router: respx.MockRouter) -> None:
        # The device was logged out or deleted: every call answers M_UNKNOWN_TOKEN.
        router.put(self.send_url()).respond(
            401, json=mx.error("M_UNKNOWN_TOKEN", "Invalid access token passed.", soft_logout=False)
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        at = int((self.now - timedelta(seconds=30)).timestamp() * 1000)
        ours = sim.our(1, TEXT, self.now)
        ours.update(event_id=mx.EVENT_ID, origin_server_ts=at)
        ours["unsigned"]["transaction_id"] = self.txn()
        older = sim.our(0, "An older post", self.now - timedelta(days=1))
        return router.get(mx.room_url("/messages")).mock(
            side_effect=lambda request: self._lookup(request, [ours, older])
        )

    def _lookup(self, request: httpx.Request, chunk: list[dict[str, Any]]) -> httpx.Response:
        params = request.url.params
        assert params["dir"] == "b"  # the latest first
        assert json.loads(params["filter"])["senders"] == [mx.USER_ID]
        return httpx.Response(200, json={"chunk": chunk, "start": "t47", "end": "t45"})

    # --- reading ------------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return sim.event_id(said.number)

    def incoming_handle(self, said: Said) -> str:
        return f"@{said.author_handle}:example.org"

    def _event(self, said: Said, **content: Any) -> dict[str, Any]:
        return sim.message(said.number, said.text, self.incoming_handle(said), said.at, **content)

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        start = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
        # Our own second part is in the thread too: read past, never returned.
        ours = sim.our(0, "Part 2", start, **sim.in_thread(mx.EVENT_ID))

        def relations(event: str, rel_type: str) -> list[dict[str, Any]]:
            if (event, rel_type) != (mx.EVENT_ID, "m.thread"):
                return []
            return [ours] + [self._event(s, **sim.in_thread(mx.EVENT_ID)) for s in comments]

        sim.Room(page_size=self.page_size, relations=relations).serve(router)

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        def timeline() -> list[dict[str, Any]]:
            events = []
            for said in mentions:
                # Other talk in the room between mentions: read, not returned.
                chatter = Said(said.number + 100_000, "lunch?", "9", "someone", said.at)
                events.append(self._event(chatter))
                events.append(self._event(said, **{"m.mentions": {"user_ids": [mx.USER_ID]}}))
            return events

        sim.Room(page_size=self.page_size, timeline=timeline).serve(router)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        at = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

        def reaction(number: int, sender: str, key: str) -> dict[str, Any]:
            relates = {"rel_type": "m.annotation", "event_id": mx.EVENT_ID, "key": key}
            return {
                "content": {"m.relates_to": relates},
                "event_id": sim.event_id(number),
                "origin_server_ts": int(at.timestamp() * 1000) + number,
                "room_id": mx.ROOM_ID,
                "sender": sender,
                "type": "m.reaction",
            }

        thread = sim.in_thread(mx.EVENT_ID)
        related = {
            "m.annotation": [
                reaction(1, "@ann:example.org", "👍"),
                reaction(2, "@bob:example.org", "👍"),
                reaction(3, "@bob:example.org", "🎉"),
            ],
            "m.thread": [
                sim.our(4, "Part 2", at, **thread),
                sim.message(5, "Nice!", "@ann:example.org", at, **thread),
                sim.message(6, "When?", "@bob:example.org", at, **thread),
            ],
        }
        sim.Room(
            page_size=2,  # the counts span pages
            relations=lambda event, rel: related[rel] if event == mx.EVENT_ID else [],
        ).serve(router)
        return PostMetrics(likes=3, comments=2)
