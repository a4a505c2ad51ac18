"""The Threads adapter of the conformance suite: a profile with a long-lived token, answers
shaped from Meta's Threads documentation (see tests/networks/threads/conftest.py).

A text part is one request (auto_publish_text), answering the post's id without an address:
post_urls is False. An image goes through a container, its status, the publishing limit,
threads_publish and the permalink. The long-lived token is refreshed once a month."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import respx
from django.core.cache import cache

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapter_facebook import graph_page, graph_time, media_insights
from tests.networks.conformance.adapter_instagram import signed_path
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.threads import conftest as th


class ThreadsAdapter(Adapter):
    name = "threads"
    now = th.NOW
    hosts = ("graph.threads.net",)
    page_size = 20
    text_calls = 2  # auto_publish_text answers the id only: the permalink is asked for
    rate_limit_status = 400  # Meta throttles with HTTP 400 and an error code

    @cached_property
    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="hubbub-threads-conformance-"))

    def channel(self, workspace: Workspace) -> Channel:
        cache.clear()  # containers kept by an earlier scenario's part
        return th.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        router.get(f"{th.API}/{th.MEDIA_ID}", params={"fields": "permalink"}).respond(
            200, json={"permalink": th.PERMALINK, "id": th.MEDIA_ID}
        )
        return router.post(th.THREADS).respond(200, json={"id": th.MEDIA_ID})

    def assert_text_request(self, request: httpx.Request) -> None:
        assert request.method == "POST" and str(request.url) == th.THREADS
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert th.form(request) == {
            "media_type": ["TEXT"],
            "text": [TEXT],
            "auto_publish_text": ["true"],
            "access_token": [th.TOKEN],
        }

    def published(self) -> PublishedRef:
        return PublishedRef(external_id=th.MEDIA_ID, url=th.PERMALINK, data={"id": th.MEDIA_ID})

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        return [
            router.post(th.THREADS).respond(200, json={"id": th.CONTAINER}),
            router.get(th.STATUS).respond(200, json=th.status("FINISHED")),
            router.get(th.LIMIT).respond(200, json=th.quota(4)),
            router.post(th.PUBLISH).respond(200, json={"id": th.MEDIA_ID}),
            router.get(f"{th.API}/{th.MEDIA_ID}").respond(
                200, json={"permalink": th.PERMALINK, "id": th.MEDIA_ID}
            ),
        ]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        create, poll, limit, publish, permalink = routes
        sent = th.form(create.calls.last.request)
        target = signed_path(sent.pop("image_url")[0])
        assert Path(target["p"]).name == "square.png" and Path(target["p"]).read_bytes() == image
        assert sent == {
            "media_type": ["IMAGE"],
            "alt_text": [ALT],
            "text": [TEXT],
            "access_token": [th.TOKEN],
        }
        assert th.query(poll.calls.last.request) == {
            "fields": ["status,error_message"],
            "access_token": [th.TOKEN],
        }
        assert th.query(limit.calls.last.request)["fields"] == ["quota_usage,config"]
        assert th.form(publish.calls.last.request) == {
            "creation_id": [th.CONTAINER],
            "access_token": [th.TOKEN],
        }
        assert th.query(permalink.calls.last.request)["fields"] == ["permalink"]

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # Graph-style throttling (code 613); Threads documents no usage header, so the
        # connector waits one rolling hour.
        router.post(th.THREADS).respond(
            400, json=th.error("Calls to this api have exceeded the rate limit.", 613)
        )
        return self.now + timedelta(hours=1)

    def revoked(self, router: respx.MockRouter) -> None:
        router.post(th.THREADS).respond(400, json=th.REVOKED)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        since = int((self.now - timedelta(minutes=3)).timestamp())
        posts = [
            {
                "id": th.MEDIA_ID,
                "text": TEXT,
                "timestamp": graph_time(self.now),
                "permalink": th.PERMALINK,
            },
            {
                "id": "18050206876700001",
                "text": "Older",
                "timestamp": graph_time(self.now - timedelta(hours=3)),
            },
        ]
        return router.get(
            th.THREADS, params={"since": str(since), "fields": "id,text,timestamp,permalink"}
        ).respond(200, json={"data": posts, "paging": {"cursors": {"before": "a", "after": "b"}}})

    # --- token refresh -------------------------------------------------------------------

    _refresh: respx.Route

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        # A long-lived token is never let expire (an expired one cannot be refreshed): two
        # days before its end, 58 days after it was issued, it is due.
        channel.token_expires_at = self.now + timedelta(days=2)
        channel.credentials = {
            **channel.credentials,
            "issued_at": (self.now - timedelta(days=58)).isoformat(),
        }
        channel.save()
        self._refresh = router.get(th.REFRESH_URL).respond(
            200,
            json={"access_token": th.FRESH_TOKEN, "token_type": "bearer", "expires_in": 5184000},
        )
        return self._refresh

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        assert th.query(self._refresh.calls.last.request) == {
            "grant_type": ["th_refresh_token"],
            "access_token": [th.TOKEN],
        }
        assert th.form(publish)["access_token"] == [th.FRESH_TOKEN]
        assert channel.credentials == {
            "access_token": th.FRESH_TOKEN,
            "scope": th.SCOPE,
            "issued_at": self.now.isoformat(),
        }
        assert th.FRESH_TOKEN not in channel.credentials_encrypted
        assert channel.token_expires_at == self.now + timedelta(seconds=5184000)

    # --- reading -------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return f"1805{said.number:013d}"

    def incoming_handle(self, said: Said) -> str:
        return f"@{said.author_handle}"

    def _item(self, said: Said, **extra: Any) -> dict[str, Any]:
        return {
            "id": self.incoming_id(said),
            "text": said.text,
            "username": said.author_handle,
            "timestamp": graph_time(said.at),
            "permalink": f"https://www.threads.com/@{said.author_handle}/post/C{said.number}",
            **extra,
        }

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        # GET /{media-id}/conversation: no `since`; reverse=true (the default) lists the
        # newest first, reverse=false the oldest first.
        def answer(request: httpx.Request) -> httpx.Response:
            newest_first = th.query(request).get("reverse", ["true"])[0] != "false"
            ordered = sorted(comments, key=lambda s: s.at, reverse=newest_first)
            listed = [self._item(s, replied_to={"id": th.MEDIA_ID}) for s in ordered]
            return graph_page(listed, request, self.page_size)

        router.get(f"{th.API}/{th.MEDIA_ID}/conversation").mock(side_effect=answer)

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        # GET /{threads-user-id}/mentions: newest first, `since` in Unix seconds (inclusive).
        def answer(request: httpx.Request) -> httpx.Response:
            query = th.query(request)
            listed = sorted(mentions, key=lambda s: s.at, reverse=True)
            if "since" in query:
                since = int(query["since"][0])
                listed = [s for s in listed if s.at.timestamp() >= since]
            return graph_page([self._item(s) for s in listed], request, self.page_size)

        router.get(f"{th.API}/{th.USER_ID}/mentions").mock(side_effect=answer)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        # "Insights", Media Insights: lifetime values, shaped as the reference's example.
        values = {
            "views": 4523,
            "likes": 187,
            "replies": 42,
            "reposts": 23,
            "quotes": 8,
            "shares": 5,
        }
        router.get(f"{th.API}/{th.MEDIA_ID}/insights").respond(
            200, json=media_insights(th.MEDIA_ID, values)
        )
        return PostMetrics(views=4523, likes=187, comments=42, shares=36)
