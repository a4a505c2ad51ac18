"""The conformance adapter for LinkedIn organization pages; answers from
tests/networks/linkedin/conftest.py (shaped from LinkedIn's documented examples)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.linkedin.client import next_midnight_utc
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.linkedin import conftest as li


def expected_post(**content: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "author": li.ORG_URN,
        "commentary": TEXT,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if content:
        body["content"] = content
    return body


def assert_api_request(request: httpx.Request, method: str, url: str, token: str) -> None:
    assert request.method == method
    assert str(request.url) == url
    assert request.headers["authorization"] == f"Bearer {token}"
    assert request.headers["linkedin-version"] == li.HEADERS["LinkedIn-Version"]
    assert request.headers["x-restli-protocol-version"] == "2.0.0"


def raw_query(request: httpx.Request) -> dict[str, list[str]]:
    """The query as sent, values still percent-encoded (Rest.li 2.0 wants URNs encoded)."""
    found: dict[str, list[str]] = {}
    for pair in request.url.query.decode().split("&"):
        name, _sep, value = pair.partition("=")
        found.setdefault(name, []).append(value)
    return found


class LinkedInAdapter(Adapter):
    name = "linkedin"
    now = li.NOW
    hosts = ("api.linkedin.com", "www.linkedin.com")
    POSTS = f"{li.API}/posts"

    def channel(self, workspace: Workspace) -> Channel:
        return li.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(self.POSTS).respond(201, headers={"x-restli-id": li.POST_URN})

    def assert_text_request(self, request: httpx.Request) -> None:
        assert_api_request(request, "POST", self.POSTS, li.ACCESS_TOKEN)
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == expected_post()

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=li.POST_URN,
            url=f"https://www.linkedin.com/feed/update/{li.POST_URN}/",
            data={"urn": li.POST_URN},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        start = router.post(f"{li.API}/images", params={"action": "initializeUpload"}).respond(
            200,
            json={
                "value": {
                    "uploadUrlExpiresAt": 1778578200000,
                    "uploadUrl": li.UPLOAD_URL,
                    "image": li.IMAGE_URN,
                }
            },
        )
        upload = router.put(li.UPLOAD_URL).respond(201)
        return [start, upload, self.text_route(router)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        start, upload, post = routes
        sent = start.calls.last.request
        assert_api_request(
            sent, "POST", f"{li.API}/images?action=initializeUpload", li.ACCESS_TOKEN
        )
        assert json.loads(sent.content) == {"initializeUploadRequest": {"owner": li.ORG_URN}}
        put = upload.calls.last.request
        assert put.method == "PUT" and str(put.url) == li.UPLOAD_URL
        assert put.headers["authorization"] == f"Bearer {li.ACCESS_TOKEN}"
        assert put.content == image
        created = post.calls.last.request
        assert_api_request(created, "POST", self.POSTS, li.ACCESS_TOKEN)
        assert json.loads(created.content) == expected_post(
            media={"id": li.IMAGE_URN, "altText": ALT}
        )

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(self.POSTS).respond(
            429,
            json=li.error(
                429,
                "TOO_MANY_REQUESTS",
                "Resource level throttle APPLICATION DAY limit for calls to this resource "
                "is reached.",
                service=101,
            ),
        )
        return next_midnight_utc(self.now)  # no header: the daily limits reset at 00:00 UTC

    def revoked(self, router: respx.MockRouter) -> None:
        router.post(self.POSTS).respond(
            401,
            json=li.error(
                401,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
                service=65601,
            ),
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        due = self.now - timedelta(minutes=2)
        return router.get(
            self.POSTS,
            params={"author": li.ORG_URN, "q": "author", "count": "20", "sortBy": "CREATED"},
        ).respond(
            200,
            json={
                "elements": [
                    li.post("urn:li:share:6844785523593134081", "Something else", due),
                    li.post(li.POST_URN, TEXT, due + timedelta(seconds=20)),
                    # The same words a month ago: an older post, not this part.
                    li.post("urn:li:share:6830000000000000000", TEXT, due - timedelta(days=30)),
                ],
                "paging": {"start": 0, "count": 20, "links": []},
            },
        )

    # --- refresh: apps LinkedIn approved for programmatic refresh tokens ------------------

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        channel.credentials = {**channel.credentials, "refresh_token": li.REFRESH_TOKEN}
        channel.token_expires_at = self.now - timedelta(minutes=1)
        channel.save()
        return router.post(li.TOKEN_URL).respond(
            200, json=li.token_answer(li.NEW_ACCESS_TOKEN, refresh=True)
        )

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        assert publish.headers["authorization"] == f"Bearer {li.NEW_ACCESS_TOKEN}"
        stored = channel.credentials
        assert stored["access_token"] == li.NEW_ACCESS_TOKEN
        assert stored["refresh_token"] == li.REFRESH_TOKEN
        assert li.NEW_ACCESS_TOKEN not in channel.credentials_encrypted
        assert channel.token_expires_at == self.now + timedelta(days=60)

    # --- reading ----------------------------------------------------------------------------

    def incoming_handle(self, said: Said) -> str:
        # The Comments API names the commenter by URN only (no member name for a page).
        return f"urn:li:person:{said.author_id}"

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        path = f"/rest/socialActions/{li.POST_URN.replace(':', '%3A')}/comments"

        def answer(request: httpx.Request) -> httpx.Response:
            if request.url.raw_path.decode().split("?")[0] != path:
                return httpx.Response(404, json=li.error(404, "NOT_FOUND", "Not found"))
            query = raw_query(request)
            start = int(query.get("start", ["0"])[0])
            count = min(int(query.get("count", ["10"])[0]), self.page_size)
            page = comments[start : start + count]  # oldest first, as the page shows them
            return httpx.Response(
                200,
                json={
                    "paging": {"start": start, "count": count, "total": len(comments)},
                    "elements": [
                        li.comment(s.number, s.text, f"urn:li:person:{s.author_id}", s.at)
                        for s in page
                    ],
                },
            )

        router.get(url__startswith=f"{li.API}/socialActions/").mock(side_effect=answer)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        encoded = li.POST_URN.replace(":", "%3A")

        def answer(request: httpx.Request) -> httpx.Response:
            query = raw_query(request)
            assert query["q"] == ["organizationalEntity"]
            assert query["organizationalEntity"] == [li.ORG_URN.replace(":", "%3A")]
            assert query["shares"] == [f"List({encoded})"]
            return httpx.Response(
                200,
                json={
                    "paging": {"start": 0, "count": 10, "links": []},
                    "elements": [
                        {
                            "organizationalEntity": li.ORG_URN,
                            "share": li.POST_URN,
                            "totalShareStatistics": {
                                "uniqueImpressionsCount": 80,
                                "shareCount": 2,
                                "engagement": 0.0875,
                                "clickCount": 9,
                                "likeCount": 12,
                                "impressionCount": 300,
                                "commentCount": 3,
                            },
                        }
                    ],
                },
            )

        router.get(url__startswith=f"{li.API}/organizationalEntityShareStatistics").mock(
            side_effect=answer
        )
        return PostMetrics(likes=12, comments=3, shares=2, impressions=300, clicks=9, reach=80)
