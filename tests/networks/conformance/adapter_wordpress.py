"""The conformance adapter for WordPress sites; answers from tests/networks/wordpress (shaped
from the REST API Handbook's reference and a real WordPress 6.1's answers), the reading
scenario over a simulated comments endpoint that pages as WordPress does."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import httpx
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.wordpress.content import slug_for
from tests.networks.conformance.adapters import ALT, TEXT, Adapter, Said
from tests.networks.wordpress import conftest as wpc

POSTS = f"{wpc.API}/wp/v2/posts"
MEDIA = f"{wpc.API}/wp/v2/media"
COMMENTS = f"{wpc.API}/wp/v2/comments"


class WordPressAdapter(Adapter):
    name = "wordpress"
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    hosts = ("blog.example.com",)

    def slug(self) -> str:
        return slug_for(TEXT, self.part().idempotency_key)

    def channel(self, workspace: Workspace) -> Channel:
        return wpc.make_channel(workspace)

    def text_route(self, router: respx.MockRouter) -> respx.Route:
        return router.post(POSTS).respond(201, json=wpc.post(slug=self.slug()))

    def _assert_post(self, request: httpx.Request) -> dict[str, object]:
        assert request.method == "POST"
        assert str(request.url) == POSTS
        assert request.headers["authorization"] == wpc.AUTH
        assert request.headers["content-type"] == "application/json"
        body: dict[str, object] = wpc.sent_json(request)
        return body

    def assert_text_request(self, request: httpx.Request) -> None:
        # One line: it is the title, and the body (WordPress has no language field).
        assert self._assert_post(request) == {
            "title": TEXT,
            "content": f"<p>{TEXT}</p>",
            "slug": self.slug(),
            "status": "publish",
        }

    def published(self) -> PublishedRef:
        return PublishedRef(
            external_id=str(wpc.POST_ID),
            url=f"{wpc.SITE}/2026/03/{self.slug()}/",
            data={"kind": "post", "id": wpc.POST_ID, "status": "publish"},
        )

    def image_routes(self, router: respx.MockRouter) -> list[respx.Route]:
        upload = router.post(MEDIA).respond(201, json=wpc.media(alt=ALT))
        create = router.post(POSTS).respond(
            201, json=wpc.post(slug=self.slug(), featured_media=wpc.MEDIA_ID)
        )
        return [upload, create]

    def assert_image_requests(self, routes: list[respx.Route], image: bytes) -> None:
        upload, create = routes
        sent = upload.calls.last.request
        assert sent.method == "POST"
        assert str(sent.url.copy_with(query=None)) == MEDIA
        assert dict(sent.url.params) == {"alt_text": ALT}
        assert sent.headers["authorization"] == wpc.AUTH
        assert sent.headers["content-type"] == "image/png"
        assert sent.headers["content-disposition"] == 'attachment; filename="square.png"'
        assert sent.content == image
        assert self._assert_post(create.calls.last.request) == {
            "title": TEXT,
            "content": f"<p>{TEXT}</p>",
            "slug": self.slug(),
            "status": "publish",
            "featured_media": wpc.MEDIA_ID,
        }

    def rate_limited(self, router: respx.MockRouter) -> datetime:
        # Core WordPress has no rate limit of its own; hosts and security plugins answer 429
        # with Retry-After (RFC 9110), which Hubbub honours.
        router.post(POSTS).respond(
            429,
            headers={"Retry-After": "120"},
            json=wpc.wp_error("rest_too_many_requests", "Too many requests.", 429),
        )
        return self.now + timedelta(seconds=120)

    def revoked(self, router: respx.MockRouter) -> None:
        # The application password was revoked under Users → Profile.
        router.post(POSTS).respond(401, json=wpc.INCORRECT_PASSWORD)

    def lookup_route(self, router: respx.MockRouter) -> respx.Route | None:
        return router.get(
            POSTS, params={"slug": self.slug(), "status": "any", "context": "edit"}
        ).respond(200, json=[wpc.post(slug=self.slug())])

    def serve_comments(self, router: respx.MockRouter, comments: list[Said]) -> None:
        """GET /wp/v2/comments as WordPress answers it: the post's comments after `after`
        (exclusive, to the second), in date_gmt order, `page_size` a page, the number of
        pages in X-WP-TotalPages."""

        def answer(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            assert params["post"] == str(wpc.POST_ID)
            assert (params["orderby"], params["order"]) == ("date_gmt", "asc")
            after = params.get("after")
            since = datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
            chosen = [s for s in comments if since is None or s.at > since]
            size = min(int(params.get("per_page", "10")), self.page_size)
            page = int(params.get("page", "1"))
            pages = max(1, -(-len(chosen) // size))
            if page > pages and chosen:
                return httpx.Response(
                    400,
                    json=wpc.wp_error(
                        "rest_comment_invalid_page_number",
                        "The page number requested is larger than the number of pages available.",
                        400,
                    ),
                )
            body = [
                wpc.comment(
                    s.number,
                    html.escape(s.text),
                    s.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    author=int(s.author_id),
                    name=s.author_handle,
                )
                for s in chosen[(page - 1) * size : page * size]
            ]
            return httpx.Response(
                200,
                json=body,
                headers={"X-WP-Total": str(len(chosen)), "X-WP-TotalPages": str(pages)},
            )

        router.get(COMMENTS).mock(side_effect=answer)
