"""The Instagram adapter of the conformance suite: a professional account reached with its
Page's token, answers shaped from the Content Publishing guide and the IG references (see
tests/networks/instagram/conftest.py).

An Instagram post always carries media, so the scenario's part is a caption on a photo
(part() adds one); Instagram declares no PUBLISH_TEXT. The post is made by the container
request (text_route), then its status, the publishing limit, media_publish and the
permalink are asked for."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import respx
from django.conf import settings
from django.core import signing
from django.core.cache import cache

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.instagram import public_media
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from tests.networks.conformance.adapter_facebook import graph_page, graph_time, media_insights
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.facebook import conftest as fb
from tests.networks.instagram import conftest as ig


def signed_path(image_url: str) -> dict[str, Any]:
    """What a public media address names: the file and whether it is served as JPEG."""
    assert image_url.startswith(f"{settings.BASE_URL}/m/")
    token = urlsplit(image_url).path.split("/")[2]
    # Its expiry is the view's business (tests/networks/instagram): asserted later than the
    # frozen clock of the publish, the address has aged.
    value = signing.loads(token, salt=public_media.SALT)
    assert isinstance(value, dict)
    return value


class InstagramAdapter(Adapter):
    name = "instagram"
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    hosts = ("graph.facebook.com",)
    rate_limit_status = 400  # Meta answers throttling with HTTP 400 and an error code
    page_size = 20

    @cached_property
    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="hubbub-ig-conformance-"))

    def photo(self) -> MediaFile:
        return ig.photo(self.folder, alt_text=ALT)

    def part(self, **extra: Any) -> OutgoingPart:
        extra.setdefault("media", (self.photo(),))
        return super().part(**extra)

    def channel(self, workspace: Workspace) -> Channel:
        cache.clear()  # containers kept by an earlier scenario's part
        return ig.make_channel(workspace)

    def _after_container(self, router: respx.MockRouter) -> list[respx.Route]:
        """Once the container is made: its status, the publishing limit, media_publish and
        the permalink."""
        return [
            router.get(ig.STATUS).respond(200, json=ig.status("FINISHED")),
            router.get(ig.LIMIT).respond(200, json=ig.quota(4)),
            router.post(ig.PUBLISH).respond(200, json={"id": ig.MEDIA_ID}),
            router.get(f"{fb.GRAPH}/{ig.MEDIA_ID}").respond(
                200, json={"permalink": ig.PERMALINK, "id": ig.MEDIA_ID}
            ),
        ]

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        self._after_container(router)
        return router.post(ig.MEDIA).respond(200, json={"id": ig.CONTAINER})

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST" and str(request.url) == ig.MEDIA
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        sent = fb.form(request)
        assert signed_path(sent.pop("image_url")[0]) == {
            "p": str((self.folder / "latte.jpg").resolve()),
            "j": False,  # a JPEG already: served as it is
        }
        assert sent == {"caption": [TEXT], "alt_text": [ALT], "access_token": [ig.TOKEN]}

    def published(self) -> PublishedRef:
        return PublishedRef(external_id=ig.MEDIA_ID, url=ig.PERMALINK, data={"id": ig.MEDIA_ID})

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        create = router.post(ig.MEDIA).respond(200, json={"id": ig.CONTAINER})
        return [create, *self._after_container(router)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        create, poll, limit, publish, _permalink = routes
        sent = fb.form(create.calls.last.request)
        target = signed_path(sent.pop("image_url")[0])
        # A PNG: its public address serves a JPEG made from it (Instagram takes JPEG only).
        assert Path(target["p"]).name == "square.png" and target["j"] is True
        assert Path(target["p"]).read_bytes() == image
        assert sent == {"caption": [TEXT], "alt_text": [ALT], "access_token": [ig.TOKEN]}
        assert fb.query(poll.calls.last.request) == {
            "fields": ["status_code,status"],
            "access_token": [ig.TOKEN],
        }
        assert fb.query(limit.calls.last.request)["fields"] == ["quota_usage,config"]
        assert fb.form(publish.calls.last.request) == {
            "creation_id": [ig.CONTAINER],
            "access_token": [ig.TOKEN],
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # "Rate Limits", Business Use Case: Instagram's code 80002 with the BUC estimate.
        router.post(ig.MEDIA).respond(
            400,
            headers=fb.buc_usage(ig.IG_ID, 42, kind="instagram"),
            json=fb.error(
                "There have been too many calls to this Instagram account.",
                80002,
                kind="OAuthException",
            ),
        )
        return self.now + timedelta(minutes=42)

    def revoked(self, router: respx.MockRouter) -> None:
        router.post(ig.MEDIA).respond(400, json=fb.REVOKED)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        since = int((self.now - timedelta(minutes=3)).timestamp())
        media = [
            {
                "id": ig.MEDIA_ID,
                "caption": TEXT,
                "timestamp": graph_time(self.now),
                "permalink": ig.PERMALINK,
            },
            {
                "id": "17900000000000001",
                "caption": "Older",
                "timestamp": graph_time(self.now - timedelta(hours=3)),
            },
        ]
        return router.get(ig.MEDIA, params={"since": str(since)}).respond(
            200, json={"data": media, "paging": {"cursors": {"before": "a", "after": "b"}}}
        )

    # --- reading -------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return f"1790{said.number:013d}"

    def incoming_handle(self, said: Said) -> str:
        return f"@{said.author_handle}"

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        # IG Media comments: no `since`; every page is read. Oldest first here, as the
        # Graph API lists a media's comments (the connector does not rely on the order).
        def answer(request: httpx.Request) -> httpx.Response:
            listed = [
                {
                    "id": self.incoming_id(s),
                    "text": s.text,
                    "timestamp": graph_time(s.at),
                    "username": s.author_handle,
                    "from": {"id": s.author_id, "username": s.author_handle},
                }
                for s in comments
            ]
            return graph_page(listed, request, self.page_size)

        router.get(f"{fb.GRAPH}/{ig.MEDIA_ID}/comments").mock(side_effect=answer)

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        # IG User tags: the media the account is tagged in, newest first.
        def answer(request: httpx.Request) -> httpx.Response:
            listed = [
                {
                    "id": self.incoming_id(s),
                    "caption": s.text,
                    "timestamp": graph_time(s.at),
                    "username": s.author_handle,
                    "permalink": f"https://www.instagram.com/p/{s.number}/",
                }
                for s in sorted(mentions, key=lambda s: s.at, reverse=True)
            ]
            return graph_page(listed, request, self.page_size)

        router.get(f"{fb.GRAPH}/{ig.IG_ID}/tags").mock(side_effect=answer)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        values = {"reach": 812, "likes": 95, "comments": 7, "shares": 4, "saved": 11, "views": 1040}
        router.get(f"{fb.GRAPH}/{ig.MEDIA_ID}/insights").respond(
            200, json=media_insights(ig.MEDIA_ID, values)
        )
        return PostMetrics(likes=95, comments=7, shares=4, saves=11, reach=812, views=1040)
