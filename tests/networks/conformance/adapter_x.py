"""X in the conformance suite: recorded answers shaped from docs.x.com's examples (see
tests/networks/x/conftest.py), and simulated mentions / replies / metrics that honour X's
paging exactly: newest first, `since_id`, `max_results`, and an opaque next token passed
back as `pagination_token` (timelines) or `next_token` (recent search)."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.x import conftest as xc

# Simulated posts get Snowflake-like ids that grow with Said.number, all newer than the post,
# ten apart so that our own replies can fall between two comments.
BASE_ID = 1445880548472330000


def tweet_id(number: int) -> int:
    return BASE_ID + 10 * number


class XAdapter(Adapter):
    name = "x"
    now = xc.NOW  # the access token has 90 minutes left
    hosts = ("api.x.com",)
    TIMELINE = f"{xc.API}/2/users/{xc.USER_ID}/tweets"
    MENTIONS = f"{xc.API}/2/users/{xc.USER_ID}/mentions"
    SEARCH = f"{xc.API}/2/tweets/search/recent"

    def channel(self, workspace: Workspace) -> Channel:
        return xc.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(xc.TWEETS).respond(201, json=xc.created())

    def _assert_create(self, request: httpx.Request) -> dict[str, Any]:
        assert request.method == "POST"
        assert str(request.url) == xc.TWEETS
        assert request.headers["authorization"] == f"Bearer {xc.ACCESS}"
        assert request.headers["content-type"] == "application/json"
        body: dict[str, Any] = json.loads(request.content)
        return body

    def assert_text_request(self, request: httpx.Request) -> None:
        # X has no language field on a post and no idempotency key: neither is sent.
        assert self._assert_create(request) == {"text": TEXT}

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=xc.TWEET_ID,
            url=f"https://x.com/{xc.USERNAME}/status/{xc.TWEET_ID}",
            data={"id": xc.TWEET_ID},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        upload = router.post(xc.UPLOAD).respond(200, json=xc.uploaded())
        describe = router.post(xc.METADATA).respond(200, json={"data": {"id": xc.MEDIA_ID}})
        return [upload, describe, self.text_route(router)]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        upload, describe, create = routes
        sent = upload.calls.last.request
        assert sent.method == "POST" and str(sent.url) == xc.UPLOAD
        assert sent.headers["authorization"] == f"Bearer {xc.ACCESS}"
        assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert image in sent.content
        assert b'name="media_category"\r\n\r\ntweet_image' in sent.content
        assert b'name="media_type"\r\n\r\nimage/png' in sent.content
        alt = describe.calls.last.request
        assert alt.headers["authorization"] == f"Bearer {xc.ACCESS}"
        assert json.loads(alt.content) == {
            "id": xc.MEDIA_ID,
            "metadata": {"alt_text": {"text": ALT}},
        }
        assert self._assert_create(create.calls.last.request) == {
            "text": TEXT,
            "media": {"media_ids": [xc.MEDIA_ID]},
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        reset = self.now + timedelta(minutes=7)
        router.post(xc.TWEETS).respond(
            429,
            headers={
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(reset.timestamp())),
            },
            json=xc.problem(429, "Too Many Requests", "Too Many Requests"),
        )
        return reset

    def revoked(self, router: respx.MockRouter) -> None:
        # The person revoked Hubbub in X's "Connected apps": the access token is refused,
        # and so is the refresh token the connector then tries.
        router.post(xc.TWEETS).respond(401, json=xc.problem(401, "Unauthorized", "Unauthorized"))
        router.post(xc.TOKEN_URL).respond(
            400,
            json={
                "error": "invalid_request",
                "error_description": "Value passed for the token was invalid.",
            },
        )

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        # The part was due two minutes ago: its posts are read from a minute before that.
        return router.get(self.TIMELINE, params={"start_time": "2026-05-04T11:57:00Z"}).respond(
            200,
            json={
                "data": [
                    {"id": "1445880548472328100", "text": "Something else"},
                    {"id": xc.TWEET_ID, "text": TEXT},
                ],
                "meta": {"result_count": 2},
            },
        )

    def expire(self, router: respx.MockRouter, channel: Channel) -> respx.Route | None:
        channel.token_expires_at = self.now - timedelta(minutes=10)
        channel.save()
        return router.post(xc.TOKEN_URL).respond(
            200, json=xc.token_answer("fresh-access", "fresh-refresh")
        )

    def assert_refreshed(self, channel: Channel, publish: httpx.Request) -> None:
        assert publish.headers["authorization"] == "Bearer fresh-access"
        assert channel.credentials["access_token"] == "fresh-access"
        # X rotates refresh tokens: the old one is dead, the new one is kept.
        assert channel.credentials["refresh_token"] == "fresh-refresh"
        assert "fresh-access" not in str(channel.credentials_encrypted)
        assert channel.token_expires_at == self.now + timedelta(hours=2)

    # --- reading ------------------------------------------------------------------------

    def incoming_id(self, said: Said) -> str:
        return str(tweet_id(said.number))

    def incoming_handle(self, said: Said) -> str:
        return f"@{said.author_handle}"

    def _tweet(self, said: Said, **extra: Any) -> dict[str, Any]:
        return {
            "id": self.incoming_id(said),
            # X escapes &, < and > in a post's text.
            "text": html.escape(said.text, quote=False),
            "author_id": said.author_id,
            "created_at": said.at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            **extra,
        }

    def _serve(
        self,
        request: httpx.Request,
        items: list[tuple[int, dict[str, Any], dict[str, Any]]],
        token_name: str,
    ) -> httpx.Response:
        """One page of `items` (id, tweet, user), as X pages them: newest first, only ids
        above since_id, at most max_results, and a next token while more remain."""
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        assert query["expansions"] == "author_id"
        assert "username" in query["user.fields"]
        since = int(query.get("since_id", "0"))
        size = min(self.page_size, int(query.get("max_results", "10")))
        offset = int(query[token_name], 16) if token_name in query else 0
        newest_first = sorted((i for i in items if i[0] > since), key=lambda i: -i[0])
        page = newest_first[offset : offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": str(page[0][0]), "oldest_id": str(page[-1][0])}
        if offset + size < len(newest_first):
            meta["next_token"] = format(offset + size, "x")
        body: dict[str, Any] = {"meta": meta}
        if page:
            users = {u["id"]: u for _i, _t, u in page}
            body |= {"data": [t for _i, t, _u in page], "includes": {"users": list(users.values())}}
        return httpx.Response(200, json=body)

    def _user(self, said: Said) -> dict[str, Any]:
        return {
            "id": said.author_id,
            "name": said.author_handle.title(),
            "username": said.author_handle,
        }

    def serve_mentions(self, router: respx.MockRouter, mentions: list[Said]) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            items = [
                (
                    tweet_id(s.number),
                    self._tweet(s, conversation_id=self.incoming_id(s)),
                    self._user(s),
                )
                for s in mentions
            ]
            return self._serve(request, items, "pagination_token")

        router.get(self.MENTIONS).mock(side_effect=answer)

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        root = int(xc.TWEET_ID)
        own = {"id": xc.USER_ID, "name": "Developers", "username": xc.USERNAME}

        def answer(request: httpx.Request) -> httpx.Response:
            assert request.url.params["query"] == f"conversation_id:{xc.TWEET_ID}"
            in_it = {"conversation_id": xc.TWEET_ID}
            replied_to = [{"type": "replied_to", "id": xc.TWEET_ID}]
            items = [
                (
                    tweet_id(s.number),
                    self._tweet(s, referenced_tweets=replied_to, **in_it),
                    self._user(s),
                )
                for s in comments
            ]
            # The post itself is in its conversation, and so is our own answer to comment
            # 25: neither is a comment to read.
            ours = tweet_id(25) + 5
            items += [
                (root, {"id": xc.TWEET_ID, "text": TEXT, "author_id": xc.USER_ID, **in_it}, own),
                (ours, {"id": str(ours), "text": "Thanks!", "author_id": xc.USER_ID, **in_it}, own),
            ]
            return self._serve(request, items, "next_token")

        router.get(self.SEARCH).mock(side_effect=answer)

    def serve_metrics(self, router: respx.MockRouter) -> PostMetrics:
        router.get(
            f"{xc.API}/2/tweets", params={"ids": xc.TWEET_ID, "tweet.fields": "public_metrics"}
        ).respond(
            200,
            json={
                "data": [
                    {
                        "id": xc.TWEET_ID,
                        "text": TEXT,
                        "public_metrics": {
                            "retweet_count": 3,
                            "reply_count": 2,
                            "like_count": 15,
                            "quote_count": 1,
                            "bookmark_count": 4,
                            "impression_count": 560,
                        },
                    }
                ]
            },
        )
        return PostMetrics(likes=15, shares=4, comments=2, impressions=560, saves=4)
