"""The Facebook Pages adapter of the conformance suite: a Page connected with its Page token,
answers shaped from the Graph API references (see tests/networks/facebook/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.facebook import conftest as fb


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def simulate(
    items: Callable[[], list[dict[str, Any]]], page_size: int, newest_first: bool
) -> Callable[[httpx.Request], httpx.Response]:
    """An edge as the Graph API pages it: `since` (Unix seconds, inclusive), `limit`, and
    cursor paging where `after` is the position of the next item, `next` only when more."""

    def answer(request: httpx.Request) -> httpx.Response:
        query = fb.query(request)
        listed = sorted(items(), key=lambda item: item["created_time"], reverse=newest_first)
        if "since" in query:
            since = datetime.fromtimestamp(int(query["since"][0]), UTC)
            listed = [i for i in listed if i["created_time"] >= graph_time(since)]
        return graph_page(listed, request, page_size)

    return answer


def graph_page(
    listed: list[dict[str, Any]], request: httpx.Request, page_size: int
) -> httpx.Response:
    """The page of `listed` that `request` asks for, as the Graph API (and Threads') pages an
    edge: `limit` (at most page_size), and cursor paging where `after` is the position of the
    next item, `next` only when more."""
    query = fb.query(request)
    start = int(query.get("after", ["0"])[0])
    size = min(int(query.get("limit", ["25"])[0]), page_size)
    paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + size)}}
    if start + size < len(listed):
        paging["next"] = f"{request.url.copy_with(query=None)}?after={start + size}"
    return httpx.Response(200, json={"data": listed[start : start + size], "paging": paging})


def media_insights(media_id: str, values: dict[str, int]) -> dict[str, Any]:
    """A media's lifetime insights as Instagram's and Threads' Media Insights references
    show them."""
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": name.title(),
                "id": f"{media_id}/insights/{name}/lifetime",
            }
            for name, value in values.items()
        ]
    }


class FacebookAdapter(Adapter):
    name = "facebook"
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    hosts = ("graph.facebook.com",)
    rate_limit_status = 400  # Meta answers throttling with HTTP 400 and an error code
    FEED = f"{fb.GRAPH}/{fb.PAGE_ID}/feed"
    PHOTOS = f"{fb.GRAPH}/{fb.PAGE_ID}/photos"

    def channel(self, workspace: Workspace) -> Channel:
        return fb.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(self.FEED).respond(200, json={"id": fb.POST_ID})

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST"
        assert str(request.url) == self.FEED  # the token is in the body, never the URL
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        # Facebook has no language field and no idempotency key: neither is sent.
        assert fb.form(request) == {"message": [TEXT], "access_token": [fb.PAGE_TOKEN]}

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=fb.POST_ID,
            url=f"https://www.facebook.com/{fb.POST_ID}",
            data={"id": fb.POST_ID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        answer = {"id": fb.PHOTO_ID, "post_id": fb.POST_ID}
        return [router.post(self.PHOTOS).respond(200, json=answer)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        (photos,) = routes
        sent = photos.calls.last.request
        assert sent.method == "POST" and str(sent.url) == self.PHOTOS
        # Page photos take no alt text through the API (max_alt_text is None): none is sent.
        assert fb.multipart(sent) == {
            "caption": (None, "text/plain", TEXT.encode()),
            "access_token": (None, "text/plain", fb.PAGE_TOKEN.encode()),
            "source": ("square.png", "image/png", image),
        }
        assert ALT.encode() not in sent.content

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # "Handling Errors": code 32, Page-level throttling, with the BUC header's estimate.
        router.post(self.FEED).respond(
            400,
            headers=fb.buc_usage(fb.PAGE_ID, 17),
            json=fb.error("(#32) Page request limit reached", 32),
        )
        return self.now + timedelta(minutes=17)

    def revoked(self, router: respx.MockRouter) -> None:
        router.post(self.FEED).respond(400, json=fb.REVOKED)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        since = int((self.now - timedelta(minutes=3)).timestamp())  # due 2 min ago, 1 min skew
        other = {"id": f"{fb.PAGE_ID}_1", "message": "Yesterday's post", "created_time": "x"}
        ours = {"id": fb.POST_ID, "message": TEXT, "created_time": graph_time(self.now)}
        return router.get(
            f"{fb.GRAPH}/{fb.PAGE_ID}/published_posts", params={"since": str(since)}
        ).respond(200, json={"data": [ours, other], "paging": {"cursors": {}}})

    # --- reading -------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return (
            f"{fb.POST_ID}_{said.number}" if said.text.startswith("comment") else f"m{said.number}"
        )

    def _item(self, said: Said, ident: str) -> dict[str, Any]:
        return {
            "id": ident,
            "message": said.text,
            "created_time": graph_time(said.at),
            "from": {"id": said.author_id, "name": said.author_handle},
            "permalink_url": f"https://www.facebook.com/{ident}",
        }

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        def items() -> list[dict[str, Any]]:
            return [self._item(s, self.incoming_id(s)) for s in comments]

        router.get(f"{fb.GRAPH}/{fb.POST_ID}/comments").mock(
            side_effect=simulate(items, self.page_size, newest_first=False)
        )

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        def items() -> list[dict[str, Any]]:
            return [self._item(s, self.incoming_id(s)) for s in mentions]

        router.get(f"{fb.GRAPH}/{fb.PAGE_ID}/tagged").mock(
            side_effect=simulate(items, self.page_size, newest_first=True)
        )

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        router.get(f"{fb.GRAPH}/{fb.POST_ID}").respond(
            200,
            json={
                "reactions": {
                    "data": [],
                    "summary": {"total_count": 12, "viewer_reaction": "NONE"},
                },
                "comments": {
                    "data": [],
                    "summary": {"order": "ranked", "total_count": 3, "can_comment": True},
                },
                "shares": {"count": 2},
                "id": fb.POST_ID,
            },
        )
        router.get(f"{fb.GRAPH}/{fb.POST_ID}/insights").respond(
            200,
            json={
                "data": [
                    {
                        "name": name,
                        "period": "lifetime",
                        "values": [{"value": value}],
                        "id": f"{fb.POST_ID}/insights/{name}/lifetime",
                    }
                    for name, value in (
                        ("post_impressions", 340),
                        ("post_impressions_unique", 290),
                        ("post_clicks", 17),
                    )
                ]
            },
        )
        return PostMetrics(likes=12, comments=3, shares=2, impressions=340, reach=290, clicks=17)
