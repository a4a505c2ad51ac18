"""The conformance adapter for TikTok; answers from tests/networks/tiktok/conftest.py
(shaped from the examples of TikTok's Content Posting API and Login Kit references).

A TikTok post is a video (Limits.requires_media): the scenario part carries a small MP4.
Its "publishing endpoint" is the PUT of the video's bytes to the upload_url, after the
creator info and the post's initialisation (setup_calls); TikTok then says through the
status fetch that the post is complete, which is also where the lookup after a time-out
asks."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from tests.networks.conformance.adapter_instagram import signed_path
from tests.networks.conformance.adapters import TEXT, Adapter
from tests.networks.tiktok import conftest as tt

SIZE = len(tt.CLIP)


@cache
def _clip() -> MediaFile:
    return tt.clip(Path(tempfile.mkdtemp(prefix="hubbub-tiktok-")))


class TikTokAdapter(Adapter):
    name = "tiktok"
    now = tt.NOW
    hosts = tt.HOSTS
    setup_calls = 2  # creator_info/query, then video/init, before the bytes
    _expired_router: respx.MockRouter

    def part(self, **extra: Any) -> OutgoingPart:
        extra.setdefault("media", (_clip(),))
        return super().part(**extra)

    def channel(self, workspace: Workspace) -> Channel:
        return tt.make_channel(workspace)

    def _status(self, router: respx.MockRouter) -> respx.Route:
        # Same pattern each time: respx keeps one route, so a lookup counts its own calls.
        return router.post(tt.STATUS).respond(200, json=tt.status("PUBLISH_COMPLETE"))

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        router.post(tt.CREATOR_INFO).respond(200, json=tt.creator_info())
        router.post(tt.VIDEO_INIT).respond(200, json=tt.init_answer())
        self._status(router)
        return router.put(tt.UPLOAD_URL).respond(201)

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "PUT" and str(request.url) == tt.UPLOAD_URL
        assert request.headers["content-type"] == "video/mp4"
        assert request.headers["content-range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
        assert request.content == tt.CLIP

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=tt.VIDEO_ID,
            url=f"https://www.tiktok.com/@{tt.USERNAME}/video/{tt.VIDEO_ID}",
            data={"video_id": tt.VIDEO_ID, "publish_id": tt.PUBLISH_ID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        return [
            router.post(tt.CREATOR_INFO).respond(200, json=tt.creator_info()),
            router.post(tt.CONTENT_INIT).respond(
                200, json=tt.ok({"publish_id": tt.PHOTO_PUBLISH_ID})
            ),
            self._status(router),
        ]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        _creator, init, status = routes
        request = init.calls.last.request
        assert request.headers["authorization"] == f"Bearer {tt.ACCESS_TOKEN}"
        body = json.loads(request.content)
        source = body.pop("source_info")
        (address,) = source.pop("photo_images")
        target = signed_path(address)
        # A PNG: its public address serves a JPEG made from it (TikTok takes JPEG and WebP).
        assert Path(target["p"]).name == "square.png" and target["j"] is True
        assert Path(target["p"]).read_bytes() == image
        assert source == {"source": "PULL_FROM_URL", "photo_cover_index": 0}
        # No alt text: TikTok's photo posts have none.
        assert body == {
            "post_info": {
                "description": TEXT,
                "privacy_level": "PUBLIC_TO_EVERYONE",
                "disable_comment": False,
            },
            "post_mode": "DIRECT_POST",
            "media_type": "PHOTO",
        }
        assert json.loads(status.calls.last.request.content) == {"publish_id": tt.PHOTO_PUBLISH_ID}

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # TikTok documents no rate-limit header: its window is one minute.
        router.post(tt.CREATOR_INFO).respond(
            429, json=tt.error("rate_limit_exceeded", "API rate limit exceeded")
        )
        return self.now + timedelta(minutes=1)

    def revoked(self, router: respx.MockRouter) -> None:
        # The person removed Hubbub under Settings → Security → Manage app permissions:
        # the access token is refused, and so is the refresh token.
        router.post(tt.CREATOR_INFO).respond(
            401,
            json=tt.error(
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            ),
        )
        router.post(tt.TOKEN_URL).respond(
            200,
            json={
                "error": "invalid_grant",
                "error_description": "Refresh token is invalid or expired.",
                "log_id": tt.LOG_ID,
            },
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return self._status(router)

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        self._expired_router = router  # assert_refreshed reads the calls around the PUT
        channel.token_expires_at = self.now - timedelta(minutes=1)
        channel.save()
        return router.post(tt.TOKEN_URL).respond(
            200, json=tt.token_answer(tt.NEW_ACCESS_TOKEN, tt.NEW_REFRESH_TOKEN)
        )

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        # The PUT carries no token (the upload_url is its own key): the calls around it do.
        calls = self._expired_router.calls
        init = next(c.request for c in calls if str(c.request.url) == tt.VIDEO_INIT)
        assert init.headers["authorization"] == f"Bearer {tt.NEW_ACCESS_TOKEN}"
        refresh = next(c.request for c in calls if str(c.request.url) == tt.TOKEN_URL)
        assert parse_qs(refresh.content.decode())["refresh_token"] == [tt.REFRESH_TOKEN]
        assert json.loads(init.content)["post_info"]["title"] == TEXT
        stored = channel.credentials
        assert stored["access_token"] == tt.NEW_ACCESS_TOKEN
        assert stored["refresh_token"] == tt.NEW_REFRESH_TOKEN  # TikTok's new one is kept
        assert tt.NEW_ACCESS_TOKEN not in channel.credentials_encrypted
        assert channel.token_expires_at == self.now + timedelta(hours=24)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        router.post(
            tt.VIDEO_QUERY, params={"fields": "id,like_count,comment_count,share_count,view_count"}
        ).respond(
            200,
            json=tt.ok(
                {
                    "videos": [
                        {
                            "id": tt.VIDEO_ID,
                            "like_count": 87,
                            "comment_count": 12,
                            "share_count": 3,
                            "view_count": 1520,
                        }
                    ],
                    "cursor": 0,
                    "has_more": False,
                }
            ),
        )
        return PostMetrics(likes=87, comments=12, shares=3, views=1520)
