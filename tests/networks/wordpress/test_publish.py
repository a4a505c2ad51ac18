"""Publishing on WordPress: the requests sent (posts, media, comments), the statuses, finding
a part again after an unknown outcome, deleting, and what each documented error becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.wordpress.connector import WordPressConnector
from hubbub.networks.wordpress.content import slug_for
from tests.networks.wordpress.conftest import (
    API,
    AUTH,
    INCORRECT_PASSWORD,
    MEDIA_ID,
    POST_ID,
    SITE,
    USER_ID,
    comment,
    make_channel,
    me,
    media,
    post,
    sent_json,
    wp_error,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
POSTS = f"{API}/wp/v2/posts"
MEDIA = f"{API}/wp/v2/media"
COMMENTS = f"{API}/wp/v2/comments"
TEXT = "Spring launch\n\nIt starts today: https://example.com/a?x=1&y=2\nSee <you> there."
KEY = "delivery-9:0"
SLUG = slug_for("Spring launch", KEY)


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def part(**extra: object) -> OutgoingPart:
    return OutgoingPart(text=TEXT, idempotency_key=KEY, not_before=NOW, **extra)  # type: ignore[arg-type]


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "Carré rouge.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


def test_a_post_is_sent_with_its_title_body_slug_and_options(
    wp: respx.MockRouter, acme: Workspace
) -> None:
    channel = make_channel(acme, categories=[4, 9], comment_status="closed")
    route = wp.post(POSTS).respond(201, json=post(slug=SLUG))

    ref = WordPressConnector(channel).publish(part())

    request = route.calls.last.request
    assert request.headers["authorization"] == AUTH
    assert request.headers["content-type"] == "application/json"
    assert sent_json(request) == {
        "title": "Spring launch",
        "content": '<p>It starts today: <a href="https://example.com/a?x=1&amp;y=2">'
        "https://example.com/a?x=1&amp;y=2</a><br>\nSee &lt;you&gt; there.</p>",
        "slug": SLUG,
        "status": "publish",
        "categories": [4, 9],
        "comment_status": "closed",
    }
    assert ref == PublishedRef(
        external_id=str(POST_ID),
        url=f"{SITE}/2026/03/{SLUG}/",
        data={"kind": "post", "id": POST_ID, "status": "publish"},
    )


def test_the_featured_image_is_uploaded_with_its_alt_text_first(
    wp: respx.MockRouter, channel: Channel, png: MediaFile
) -> None:
    upload = wp.post(MEDIA).respond(201, json=media(alt="A red square"))
    create = wp.post(POSTS).respond(201, json=post(featured_media=MEDIA_ID))

    WordPressConnector(channel).publish(part(media=(png,)))

    sent = upload.calls.last.request
    assert sent.url.params["alt_text"] == "A red square"
    assert sent.headers["content-type"] == "image/png"
    assert sent.headers["content-disposition"] == 'attachment; filename="Carre-rouge.png"'
    assert sent.headers["authorization"] == AUTH
    assert sent.content == png.path.read_bytes()
    assert sent_json(create.calls.last.request)["featured_media"] == MEDIA_ID


def test_two_images_are_refused_before_any_request(
    wp: respx.MockRouter, channel: Channel, png: MediaFile
) -> None:
    with pytest.raises(PermanentError, match="one image"):
        WordPressConnector(channel).publish(part(media=(png, png)))
    assert not wp.calls


@pytest.mark.parametrize(
    ("mode", "due", "expected"),
    [
        # Hubbub sends when due: published at once, dated now, never back-dated.
        ("publish", NOW, {"status": "publish"}),
        ("publish", NOW - timedelta(hours=3), {"status": "publish"}),
        # Within WordPress's own one-minute margin: published.
        ("publish", NOW + timedelta(seconds=30), {"status": "publish"}),
        # Reaching WordPress before its time: WordPress holds it until then.
        (
            "publish",
            NOW + timedelta(days=1),
            {"status": "future", "date_gmt": "2026-03-03T09:30:00"},
        ),
        ("draft", NOW, {"status": "draft"}),
        ("draft", NOW + timedelta(days=1), {"status": "draft"}),
    ],
)
def test_the_status_follows_the_channel_setting(
    wp: respx.MockRouter, acme: Workspace, mode: str, due: datetime, expected: dict[str, str]
) -> None:
    channel = make_channel(acme, post_status=mode)
    route = wp.post(POSTS).respond(201, json=post(status=expected["status"]))

    WordPressConnector(channel).publish(
        OutgoingPart(text="Hello", idempotency_key=KEY, not_before=due)
    )

    body = sent_json(route.calls.last.request)
    assert {k: body[k] for k in body if k in ("status", "date_gmt")} == expected


def test_a_single_long_line_is_cut_for_the_title_and_kept_whole_in_the_body(
    wp: respx.MockRouter, channel: Channel
) -> None:
    text = (
        "We are thrilled to announce that our spring collection arrives in every store next "
        "Monday morning"
    )
    route = wp.post(POSTS).respond(201, json=post())

    WordPressConnector(channel).publish(OutgoingPart(text=text, idempotency_key=KEY))

    body = sent_json(route.calls.last.request)
    assert (
        body["title"]
        == "We are thrilled to announce that our spring collection arrives in every store…"
    )
    assert len(body["title"]) <= 80
    assert body["content"] == f"<p>{text}</p>"


def test_a_reply_to_a_comment_is_a_comment_with_its_parent(
    wp: respx.MockRouter, channel: Channel
) -> None:
    route = wp.post(COMMENTS).respond(
        201, json=comment(51, "Thanks!", "2026-03-02T09:30:00", author=USER_ID, parent=50)
    )
    root = PublishedRef(external_id=str(POST_ID), data={"kind": "post", "id": POST_ID})
    parent = PublishedRef(external_id="50", data={"kind": "comment", "post": POST_ID})

    ref = WordPressConnector(channel).publish(
        OutgoingPart(text="Thanks!", idempotency_key=KEY, reply_to=ReplyTarget(root, parent))
    )

    assert sent_json(route.calls.last.request) == {
        "post": POST_ID,
        "parent": 50,
        "content": "<p>Thanks!</p>",
    }
    assert ref.external_id == "51" and ref.data == {"kind": "comment", "id": 51, "post": POST_ID}
    assert ref.url.endswith("#comment-51")


def test_a_comment_flood_waits_fifteen_seconds(wp: respx.MockRouter, channel: Channel) -> None:
    wp.post(COMMENTS).respond(
        400, json=wp_error("comment_flood", "You are posting comments too quickly. Slow down.", 400)
    )
    root = PublishedRef(external_id=str(POST_ID))
    with pytest.raises(RateLimited) as caught:
        WordPressConnector(channel).publish(
            OutgoingPart(text="Hi", idempotency_key=KEY, reply_to=ReplyTarget(root, root))
        )
    assert caught.value.retry_at == NOW + timedelta(seconds=15)


def test_find_published_asks_for_the_slug_in_every_status(
    wp: respx.MockRouter, channel: Channel
) -> None:
    found = wp.get(POSTS, params={"slug": SLUG, "status": "any", "context": "edit"}).respond(
        200, json=[post(slug=SLUG, status="draft")]
    )
    connector = WordPressConnector(channel)

    ref = connector.find_published(part())

    assert found.called and ref is not None and ref.external_id == str(POST_ID)
    found.respond(200, json=[])
    assert connector.find_published(part()) is None


def test_find_published_finds_a_reply_by_its_text_since_it_was_due(
    wp: respx.MockRouter, channel: Channel
) -> None:
    route = wp.get(COMMENTS).respond(
        200,
        json=[
            comment(52, "Something else", "2026-03-02T09:30:01", author=USER_ID, parent=50),
            comment(51, "Thanks &amp; see you", "2026-03-02T09:30:00", author=USER_ID, parent=50),
        ],
    )
    root = PublishedRef(external_id=str(POST_ID))
    parent = PublishedRef(external_id="50", data={"kind": "comment", "post": POST_ID})
    reply = OutgoingPart(
        text="Thanks & see you",
        idempotency_key=KEY,
        reply_to=ReplyTarget(root, parent),
        not_before=NOW,
    )

    ref = WordPressConnector(channel).find_published(reply)

    assert ref is not None and ref.external_id == "51"
    assert dict(route.calls.last.request.url.params) == {
        "post": str(POST_ID),
        "parent": "50",
        "author": str(USER_ID),
        "per_page": "100",
        "orderby": "date_gmt",
        "order": "desc",
        "after": "2026-03-02T09:25:00+00:00",
    }


def test_delete_moves_the_post_to_the_trash_and_tolerates_it_being_gone(
    wp: respx.MockRouter, channel: Channel
) -> None:
    route = wp.delete(f"{POSTS}/{POST_ID}", params={"force": "false"}).respond(
        200, json=post(status="trash")
    )
    connector = WordPressConnector(channel)
    ref = PublishedRef(external_id=str(POST_ID), data={"kind": "post"})

    connector.delete(ref)
    assert route.called

    route.respond(
        410, json=wp_error("rest_already_trashed", "The post has already been deleted.", 410)
    )
    connector.delete(ref)
    route.respond(404, json=wp_error("rest_post_invalid_id", "Invalid post ID.", 404))
    connector.delete(ref)
    route.respond(
        403,
        json=wp_error("rest_cannot_delete", "Sorry, you are not allowed to delete this post.", 403),
    )
    with pytest.raises(PermanentError, match="does not allow this user"):
        connector.delete(ref)


def test_a_comment_is_deleted_through_the_comments_route(
    wp: respx.MockRouter, channel: Channel
) -> None:
    route = wp.delete(f"{COMMENTS}/51").respond(200, json=comment(51, "x", "2026-03-02T09:30:00"))
    WordPressConnector(channel).delete(PublishedRef(external_id="51", data={"kind": "comment"}))
    assert route.called


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "needs_reconnect", "words"),
    [
        (401, INCORRECT_PASSWORD, {}, AuthError, True, "application password"),
        (
            401,
            wp_error(
                "rest_cannot_create",
                "Sorry, you are not allowed to create posts as this user.",
                401,
            ),
            {},
            AuthError,
            True,
            "reconnect",
        ),
        (
            403,
            wp_error(
                "rest_cannot_create",
                "Sorry, you are not allowed to create posts as this user.",
                403,
            ),
            {},
            PermanentError,
            False,
            "Author role",
        ),
        (
            500,
            wp_error(
                "rest_upload_sideload_error",
                "Sorry, you are not allowed to upload this file type.",
                500,
            ),
            {},
            PermanentError,
            False,
            "refused the file",
        ),
        (
            400,
            wp_error("rest_upload_no_data", "No data supplied.", 400),
            {},
            PermanentError,
            False,
            "post_max_size",
        ),
        (
            503,
            "<html>Maintenance</html>",
            {"Retry-After": "120"},
            TransientError,
            False,
            "unavailable",
        ),
        (
            403,
            wp_error(
                "rest_cannot_access", "Only authenticated users can access the REST API.", 401
            ),
            {},
            PermanentError,
            False,
            "switched off",
        ),
    ],
)
def test_wordpress_errors_say_what_to_do(
    wp: respx.MockRouter,
    channel: Channel,
    status: int,
    body: object,
    headers: dict[str, str],
    kind: type[Exception],
    needs_reconnect: bool,
    words: str,
) -> None:
    if isinstance(body, dict):
        wp.post(POSTS).respond(status, json=body, headers=headers)
    else:
        wp.post(POSTS).respond(
            status, text=str(body), headers={"content-type": "text/html", **headers}
        )

    with pytest.raises(kind) as caught:
        WordPressConnector(channel).publish(part())

    error = caught.value
    assert isinstance(error, PermanentError | AuthError | TransientError | RateLimited)
    assert error.needs_reconnect is needs_reconnect
    assert words in error.message
    assert error.status == status
    if isinstance(body, dict):
        assert error.network_message == f"{body['code']}: {body['message']}"
    if status == 503:
        assert error.retry_at == NOW + timedelta(seconds=120)


def test_a_rate_limit_comes_back_when_the_site_says(wp: respx.MockRouter, channel: Channel) -> None:
    wp.post(POSTS).respond(
        429,
        headers={"Retry-After": "90"},
        json={"code": "too_many_requests", "message": "Slow down", "data": {"status": 429}},
    )
    with pytest.raises(RateLimited) as caught:
        WordPressConnector(channel).publish(part())
    assert caught.value.retry_at == NOW + timedelta(seconds=90)


def test_a_web_page_instead_of_json_is_refused_clearly(
    wp: respx.MockRouter, channel: Channel
) -> None:
    wp.post(POSTS).respond(
        200, text="<html>Please wait…</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(PermanentError, match="web page instead"):
        WordPressConnector(channel).publish(part())


def test_a_time_out_after_sending_is_an_unknown_outcome(
    wp: respx.MockRouter, channel: Channel
) -> None:
    wp.post(POSTS).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(Exception) as caught:
        WordPressConnector(channel).publish(part())
    assert getattr(caught.value, "sent", False) is True


def test_the_health_check_reads_the_user_and_the_site(
    wp: respx.MockRouter, channel: Channel
) -> None:
    from tests.networks.wordpress.conftest import INDEX

    wp.get(f"{API}/wp/v2/users/me", params={"context": "edit"}).respond(200, json=me())
    wp.get(f"{API}/").respond(200, json=INDEX)

    account = WordPressConnector(channel).check()

    assert (account.external_id, account.handle, account.profile_url) == (SITE, "Acme Blog", SITE)


def test_the_health_check_says_when_the_user_lost_the_right_to_publish(
    wp: respx.MockRouter, channel: Channel
) -> None:
    wp.get(f"{API}/wp/v2/users/me", params={"context": "edit"}).respond(
        200, json=me(("contributor",), publish_posts=False, upload_files=False)
    )
    with pytest.raises(PermanentError, match=r"role: contributor\) cannot publish posts"):
        WordPressConnector(channel).check()


def test_a_user_without_upload_rights_takes_no_image(acme: Workspace) -> None:
    limits = WordPressConnector(make_channel(acme, can_upload=False)).limits()
    assert limits.media.max_images == 0
    assert WordPressConnector.default_limits().media.max_images == 1


def test_a_reply_on_a_post_with_comments_closed_says_so(
    wp: respx.MockRouter, channel: Channel
) -> None:
    wp.post(COMMENTS).respond(
        403, json=wp_error("rest_comment_closed", "Sorry, comments are closed for this item.", 403)
    )
    root = PublishedRef(external_id=str(POST_ID))
    with pytest.raises(PermanentError) as caught:
        WordPressConnector(channel).publish(
            OutgoingPart(text="Hi", idempotency_key=KEY, reply_to=ReplyTarget(root, root))
        )
    assert "Comments are closed on this post" in caught.value.message
    assert caught.value.needs_reconnect is False
