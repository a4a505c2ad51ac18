"""The conformance adapter for Slack incoming webhooks; answers from tests/networks/slack
(shaped from Slack's "Sending messages using incoming webhooks": `ok` as plain text,
plain-text error codes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import TEXT, Adapter
from tests.networks.slack import conftest as sl


class SlackAdapter(Adapter):
    name = "slack"
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    hosts = ("hooks.slack.com",)
    post_urls = False  # a webhook answers "ok": no id, no link to the message

    def channel(self, workspace: Workspace) -> Channel:
        channel = Channel(
            workspace=workspace,
            network="slack",
            external_id=f"{sl.TEAM_ID}/{sl.HOOK_ID}",
            handle="#announcements",
            name="#announcements",
            config={"team_id": sl.TEAM_ID, "hook_id": sl.HOOK_ID, "label": "#announcements"},
        )
        channel.credentials = {"webhook_url": sl.WEBHOOK_URL}
        channel.save()
        return channel

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(sl.WEBHOOK_URL).respond(200, text="ok")

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST"
        assert str(request.url) == sl.WEBHOOK_URL
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == {"text": TEXT}

    def published(self) -> PublishedRef:
        # Hubbub's own id: Slack says nothing about the message it created.
        return PublishedRef(external_id="slack:delivery-7:0", url="", data={"hook_id": sl.HOOK_ID})

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        router.post(sl.WEBHOOK_URL).respond(429, headers={"Retry-After": "30"}, text="rate_limited")
        return self.now + timedelta(seconds=30)

    def revoked(self, router: respx.MockRouter) -> None:
        # The webhook was removed in the Slack app's settings (or the app uninstalled).
        router.post(sl.WEBHOOK_URL).respond(404, text="no_service")

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return None  # a webhook cannot read its channel
