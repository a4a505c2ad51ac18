"""The conformance adapter for Discord webhooks; answers from tests/networks/discord (shaped
from the examples of Discord's "Webhook Resource" and "Message Resource" documentation)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import ALT, TEXT, Adapter
from tests.networks.discord import conftest as dc
from tests.networks.telegram.test_publish import multipart

MESSAGE_ID = "1201030507090110213"


class DiscordAdapter(Adapter):
    name = "discord"
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    hosts = ("discord.com",)
    EXECUTE = f"{dc.WEBHOOK_URL}?wait=true"

    def channel(self, workspace: Workspace) -> Channel:
        channel = Channel(
            workspace=workspace,
            network="discord",
            external_id=dc.CHANNEL_ID,
            handle="Acme News",
            name="Acme News",
            config={
                "webhook_id": dc.WEBHOOK_ID,
                "channel_id": dc.CHANNEL_ID,
                "guild_id": dc.GUILD_ID,
            },
        )
        channel.credentials = {"webhook_id": dc.WEBHOOK_ID, "webhook_token": dc.TOKEN}
        channel.save()
        return channel

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(self.EXECUTE).respond(200, json=dc.message(MESSAGE_ID, content=TEXT))

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST"
        assert str(request.url) == self.EXECUTE
        # No language field, no idempotency key on Discord; mentions never notify.
        assert dc.sent_json(request) == {"content": TEXT, "allowed_mentions": {"parse": []}}

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=MESSAGE_ID,
            url=f"https://discord.com/channels/{dc.GUILD_ID}/{dc.CHANNEL_ID}/{MESSAGE_ID}",
            data={"channel_id": dc.CHANNEL_ID, "webhook_id": dc.WEBHOOK_ID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        answer = dc.message(MESSAGE_ID, content=TEXT)
        return [router.post(self.EXECUTE).respond(200, json=answer)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        (send,) = routes
        sent = send.calls.last.request
        assert sent.method == "POST" and str(sent.url) == self.EXECUTE
        fields = multipart(sent)
        assert set(fields) == {"payload_json", "files[0]"}
        assert json.loads(fields["payload_json"][2]) == {
            "content": TEXT,
            "allowed_mentions": {"parse": []},
            "attachments": [{"id": 0, "filename": "square.png", "description": ALT}],
        }
        assert fields["files[0]"] == ("square.png", "image/png", image)

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(self.EXECUTE).respond(
            429,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.5"},
            json={"message": "You are being rate limited.", "retry_after": 2.5, "global": False},
        )
        return self.now + timedelta(seconds=2.5)

    def revoked(self, router: respx.MockRouter) -> None:
        # Someone deleted the webhook in Discord: 404 Unknown Webhook.
        router.post(self.EXECUTE).respond(404, json=dc.UNKNOWN_WEBHOOK)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return None  # a webhook cannot list its channel's messages
