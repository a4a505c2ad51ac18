"""The conformance adapter for YouTube; answers from tests/networks/youtube/conftest.py
(shaped from Google's documented examples).

YouTube publishes videos only: the scenario part carries a small MP4, its "publishing
endpoint" is the resumable upload (a session opened first, counted in setup_calls, then the
bytes), and the lookup after a time-out asks the upload session how far it got."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from tests.networks.conformance.adapters import Adapter, Said
from tests.networks.youtube import conftest as yt

SIZE = len(yt.CLIP)


@cache
def _clip() -> MediaFile:
    return yt.clip(Path(tempfile.mkdtemp(prefix="hubbub-youtube-")))


class YouTubeAdapter(Adapter):
    name = "youtube"
    now = yt.NOW
    hosts = ("www.googleapis.com", "oauth2.googleapis.com")
    setup_calls = 1  # the upload session is opened before the bytes are sent

    def part(self, **extra: Any) -> OutgoingPart:
        extra.setdefault("media", (_clip(),))
        return super().part(**extra)

    def channel(self, workspace: Workspace) -> Channel:
        return yt.make_channel(workspace)

    def _start(self, router: respx.MockRouter) -> respx.Route:
        return router.post(
            yt.UPLOAD, params={"uploadType": "resumable", "part": "snippet,status"}
        ).respond(200, headers={"Location": yt.SESSION})

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        self._start(router)
        return router.put(
            yt.SESSION, headers={"Content-Range": f"bytes 0-{SIZE - 1}/{SIZE}"}
        ).respond(200, json=yt.video_resource())

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "PUT" and str(request.url) == yt.SESSION
        assert request.headers["authorization"] == f"Bearer {yt.ACCESS_TOKEN}"
        assert request.headers["content-range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
        assert request.content == yt.CLIP

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=yt.VIDEO_ID,
            url=f"https://www.youtube.com/watch?v={yt.VIDEO_ID}",
            data={"id": yt.VIDEO_ID},
        )

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(yt.UPLOAD).respond(
            429,
            headers={"Retry-After": "30"},
            json=yt.error(
                429,
                "rateLimitExceeded",
                "The request cannot be completed because you have exceeded your quota.",
                domain="youtube.quota",
            ),
        )
        return self.now + timedelta(seconds=30)

    def revoked(self, router: respx.MockRouter) -> None:
        # The person removed Hubbub at myaccount.google.com/permissions: the access token
        # is refused, and so is the refresh token.
        router.post(yt.UPLOAD).respond(
            401, json=yt.error(401, "authError", "Invalid Credentials", domain="global")
        )
        router.post(yt.TOKEN_URL).respond(
            400,
            json={
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            },
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        # The guide's step 3: an empty PUT asking the session; the upload had finished.
        return router.put(yt.SESSION, headers={"Content-Range": f"bytes */{SIZE}"}).respond(
            200, json=yt.video_resource()
        )

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        channel.token_expires_at = self.now - timedelta(minutes=1)
        channel.save()
        # A refresh answer has no new refresh token: the old one stays valid.
        return router.post(yt.TOKEN_URL).respond(
            200, json=yt.token_answer(yt.NEW_ACCESS_TOKEN, refresh=False)
        )

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        assert publish.headers["authorization"] == f"Bearer {yt.NEW_ACCESS_TOKEN}"
        stored = channel.credentials
        assert stored["access_token"] == yt.NEW_ACCESS_TOKEN
        assert stored["refresh_token"] == yt.REFRESH_TOKEN
        assert yt.NEW_ACCESS_TOKEN not in channel.credentials_encrypted
        assert channel.token_expires_at == self.now + timedelta(seconds=3599)

    # --- reading ----------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return f"Ugx{said.number:05d}AaABAg"

    def incoming_handle(self, said: Said) -> str:
        return f"@{said.author_handle}"  # authorDisplayName is the @handle today

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            if params.get("videoId") != yt.VIDEO_ID or params.get("order") != "time":
                return httpx.Response(400, json=yt.error(400, "invalidParameter", "bad"))
            assert params.get("part") == "snippet,replies"
            assert params.get("textFormat") == "plainText"
            newest_first = sorted(comments, key=lambda s: s.number, reverse=True)
            start = int(params.get("pageToken") or 0)
            size = min(int(params.get("maxResults") or 20), self.page_size)
            page = newest_first[start : start + size]
            body: dict[str, Any] = {
                "kind": "youtube#commentThreadListResponse",
                "pageInfo": {"totalResults": len(page), "resultsPerPage": size},
                "items": [
                    yt.thread(self.incoming_id(s), s.text, s.author_handle, s.author_id, s.at)
                    for s in page
                ],
            }
            if start + size < len(newest_first):
                body["nextPageToken"] = str(start + size)
            return httpx.Response(200, json=body)

        router.get(f"{yt.API}/commentThreads").mock(side_effect=answer)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        router.get(f"{yt.API}/videos", params={"part": "statistics", "id": yt.VIDEO_ID}).respond(
            200,
            json={
                "kind": "youtube#videoListResponse",
                "items": [
                    {
                        "kind": "youtube#video",
                        "id": yt.VIDEO_ID,
                        "statistics": {
                            "viewCount": "1520",
                            "likeCount": "87",
                            "favoriteCount": "0",
                            "commentCount": "12",
                        },
                    }
                ],
            },
        )
        return PostMetrics(views=1520, likes=87, comments=12)
