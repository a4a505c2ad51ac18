"""A simulated Matrix room for the reading tests and the conformance adapter: a timeline of
events answered as the spec's /relations and /messages do, with their pagination (relations:
newest first by default, `next_batch` while older ones remain; messages: `dir=f` from an
`end` token, `end` omitted once no further events are available). The side effects read the
request's parameters, so a connector that sends the wrong token gets the wrong page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import httpx
import respx

from tests.networks.matrix.conftest import ROOM_ID, USER_ID, room_url


def event_id(number: int) -> str:
    return f"$event{number}:example.com"


def message(
    number: int,
    body: str,
    sender: str,
    at: datetime,
    **content: Any,
) -> dict[str, Any]:
    """An m.room.message as the server sends it in a /messages or /relations chunk."""
    return {
        "content": {"msgtype": "m.text", "body": body, **content},
        "event_id": event_id(number),
        "origin_server_ts": int(at.timestamp() * 1000),
        "room_id": ROOM_ID,
        "sender": sender,
        "type": "m.room.message",
        "unsigned": {"age": 1234},
    }


def in_thread(root: str, parent: str | None = None) -> dict[str, Any]:
    return {
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": parent or root},
        }
    }


Events = list[dict[str, Any]]


@dataclass
class Room:
    """The events of one room, read at each request (a test's list grows as time passes):
    `timeline()` oldest first, `relations(event_id, rel_type)` oldest first."""

    page_size: int = 20
    timeline: Callable[[], Events] = list
    relations: Callable[[str, str], Events] = field(default=lambda _event, _rel: [])

    def serve(self, router: respx.MockRouter) -> None:
        router.get(url__regex=re.escape(room_url("/messages")) + r"(\?.*)?$").mock(
            side_effect=self._messages
        )
        router.get(url__regex=re.escape(room_url("/relations/", version="v1")) + r".*").mock(
            side_effect=self._relations
        )

    def _limit(self, request: httpx.Request) -> int:
        return min(int(request.url.params.get("limit") or 10), self.page_size)

    def _messages(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params.get("dir") == "f"
        token = params.get("from")
        start = int(token.removeprefix("s")) if token else 0
        chunk = self.timeline()[start : start + self._limit(request)]
        body: dict[str, Any] = {"chunk": chunk, "start": f"s{start}"}
        if chunk:
            body["end"] = f"s{start + len(chunk)}"
        return httpx.Response(200, json=body)

    def _relations(self, request: httpx.Request) -> httpx.Response:
        # /relations/{eventId}/{relType}
        tail = request.url.raw_path.decode().split("/relations/", 1)[1].split("?")[0]
        event, rel_type = (unquote(piece) for piece in tail.split("/")[:2])
        params = request.url.params
        assert params.get("dir", "b") == "b"
        newest_first = list(reversed(self.relations(event, rel_type)))
        token = params.get("from")
        start = int(token.removeprefix("r")) if token else 0
        chunk = newest_first[start : start + self._limit(request)]
        body: dict[str, Any] = {"chunk": chunk}
        if start + len(chunk) < len(newest_first):
            body["next_batch"] = f"r{start + len(chunk)}"
        return httpx.Response(200, json=body)


def our(number: int, body: str, at: datetime, **content: Any) -> dict[str, Any]:
    return message(number, body, USER_ID, at, **content)
