"""The Pinterest adapter of the conformance suite: one board of an account, answers shaped
from the Pinterest API v5 reference (see tests/networks/pinterest/conftest.py).

A Pin is always a picture, so the scenario's part carries one (part() adds it); Pinterest
declares no PUBLISH_TEXT. The Pin is one request with the image inline. Pinterest has no
comments or mentions in its API: only metrics are read."""

from __future__ import annotations

import base64
import tempfile
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.pinterest.oauth import PROVIDER
from tests.networks.conformance.adapters import ALT, TEXT, Adapter
from tests.networks.pinterest import conftest as pn


class PinterestAdapter(Adapter):
    name = "pinterest"
    now = pn.NOW
    hosts = ("api.pinterest.com",)

    @cached_property
    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="hubbub-pinterest-conformance-"))

    def picture(self) -> MediaFile:
        return pn.picture(self.folder, alt_text=ALT)

    def part(self, **extra: Any) -> OutgoingPart:
        extra.setdefault("media", (self.picture(),))
        return super().part(**extra)

    def channel(self, workspace: Workspace) -> Channel:
        return pn.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(pn.PINS).respond(201, json=pn.pin(description=TEXT))

    def _assert_pin(self, request: httpx.Request, image: bytes) -> None:
        assert request.method == "POST" and str(request.url) == pn.PINS
        assert request.headers["authorization"] == f"Bearer {pn.ACCESS}"
        assert request.headers["content-type"] == "application/json"
        assert pn.sent_json(request) == {
            "board_id": pn.BOARD_ID,
            "title": TEXT,
            "description": TEXT,
            "alt_text": ALT,
            "media_source": {
                "source_type": "image_base64",
                "content_type": "image/png",
                "data": base64.b64encode(image).decode("ascii"),
            },
        }

    def assert_text_request(self, request: httpx.Request) -> None:
        self._assert_pin(request, (self.folder / "latte.png").read_bytes())

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=pn.PIN_ID,
            url=f"https://www.pinterest.com/pin/{pn.PIN_ID}/",
            data={"id": pn.PIN_ID, "board_id": pn.BOARD_ID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        return [self.text_route(router)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        (create,) = routes
        self._assert_pin(create.calls.last.request, image)

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        reset = self.now + timedelta(seconds=42)
        router.post(pn.PINS).respond(
            429,
            headers={
                "x-ratelimit-limit": "100",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": "42",
            },
            json=pn.error(8, "You have exceeded your rate limit. Try again later."),
        )
        return reset

    def revoked(self, router: respx.MockRouter) -> None:
        # The access token is refused, and so is the refresh token (access removed in the
        # account's settings): one refresh is tried, then the channel needs a reconnect.
        router.post(pn.PINS).respond(401, json=pn.error(2, "Authentication failed."))
        router.post(pn.TOKEN_URL).respond(
            400, json=pn.error(1, "Invalid refresh token: revoked by the user.")
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return router.get(f"{pn.API}/boards/{pn.BOARD_ID}/pins").respond(
            200,
            json={
                "items": [
                    pn.pin("813744226420795885", description="Something newer"),
                    pn.pin(description=TEXT),
                ],
                "bookmark": None,
            },
        )

    # --- token refresh -------------------------------------------------------------------

    _refresh: respx.Route

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        channel.token_expires_at = self.now - timedelta(hours=1)
        channel.save()
        self._refresh = router.post(pn.TOKEN_URL).respond(
            200,
            json=pn.token_answer(access=pn.FRESH_ACCESS, refresh=pn.FRESH_REFRESH)
            | {"response_type": "refresh_token"},
        )
        return self._refresh

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        sent = self._refresh.calls.last.request
        # The app's id and secret in Basic auth (whatever the deployment configured).
        pair = f"{PROVIDER.client_id()}:{PROVIDER.client_secret()}".encode()
        assert sent.headers["authorization"] == "Basic " + base64.b64encode(pair).decode()
        assert pn.form(sent) == {"grant_type": ["refresh_token"], "refresh_token": [pn.REFRESH]}
        assert publish.headers["authorization"] == f"Bearer {pn.FRESH_ACCESS}"
        assert channel.credentials == {
            "access_token": pn.FRESH_ACCESS,
            "refresh_token": pn.FRESH_REFRESH,
            "scope": pn.SCOPE,
            "refresh_expires_at": (self.now + timedelta(seconds=31536000)).isoformat(),
        }
        assert pn.FRESH_ACCESS not in channel.credentials_encrypted
        assert channel.token_expires_at == self.now + timedelta(days=30)

    # --- reading -------------------------------------------------------------------------

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        router.get(f"{pn.API}/pins/{pn.PIN_ID}/analytics").respond(
            200,
            json={
                "all": {
                    "daily_metrics": [
                        {
                            "data_status": "READY",
                            "date": "2026-05-03",
                            "metrics": {"IMPRESSION": 120, "SAVE": 4, "OUTBOUND_CLICK": 9},
                        }
                    ],
                    "summary_metrics": {"IMPRESSION": 340, "SAVE": 11, "OUTBOUND_CLICK": 23},
                }
            },
        )
        return PostMetrics(impressions=340, saves=11, clicks=23)
