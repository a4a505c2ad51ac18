"""Publishing on a Facebook Page beyond the conformance scenarios: a link, several photos
(unpublished uploads, then one feed post), the first comment, deleting, finding a first
comment again, and what each documented Graph API error becomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from django.test import override_settings
from PIL import Image

from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.facebook.connector import FacebookConnector
from hubbub.networks.facebook.graph import appsecret_proof
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.facebook.conftest import (
    GRAPH,
    PAGE_ID,
    PAGE_TOKEN,
    POST_ID,
    error,
    form,
    multipart,
    query,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
FEED = f"{GRAPH}/{PAGE_ID}/feed"
PHOTOS = f"{GRAPH}/{PAGE_ID}/photos"
POST_REF = PublishedRef(POST_ID, f"https://www.facebook.com/{POST_ID}", {"id": POST_ID})
pytestmark = pytest.mark.django_db


def part(text: str = "Fresh beans today", **extra: object) -> OutgoingPart:
    return OutgoingPart(text=text, idempotency_key="delivery-3:0", **extra)  # type: ignore[arg-type]


def image(tmp_path: Path, name: str) -> MediaFile:
    path = tmp_path / name
    Image.new("RGB", (40, 30), (10, 20, 30)).save(path, "JPEG")
    return MediaFile(path, "image/jpeg", path.stat().st_size, alt_text="beans", width=40, height=30)


def test_a_link_is_sent_for_its_preview(router: respx.MockRouter, channel: Channel) -> None:
    route = router.post(FEED).respond(200, json={"id": POST_ID})

    ref = FacebookConnector(channel).publish(part(link="https://acme.example/beans"))

    assert form(route.calls.last.request) == {
        "message": ["Fresh beans today"],
        "link": ["https://acme.example/beans"],
        "access_token": [PAGE_TOKEN],
    }
    assert ref == POST_REF


def test_the_app_secret_proof_goes_with_every_call(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(FEED).respond(200, json={"id": POST_ID})

    with override_settings(HUBBUB_META_CLIENT_SECRET="s3cret"):
        FacebookConnector(channel).publish(part())
        expected = appsecret_proof(PAGE_TOKEN)

    assert form(route.calls.last.request)["appsecret_proof"] == [expected]
    assert len(expected) == 64  # hex HMAC-SHA256


def test_several_photos_are_uploaded_unpublished_then_attached(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    photos = router.post(PHOTOS).mock(
        side_effect=[
            httpx.Response(200, json={"id": "9001"}),
            httpx.Response(200, json={"id": "9002"}),
        ]
    )
    feed = router.post(FEED).respond(200, json={"id": POST_ID})
    media = (image(tmp_path, "a.jpg"), image(tmp_path, "b.jpg"))

    ref = FacebookConnector(channel).publish(part(media=media))

    first, second = (multipart(call.request) for call in photos.calls)
    assert first["published"] == (None, "text/plain", b"false")
    assert first["source"] == ("a.jpg", "image/jpeg", media[0].path.read_bytes())
    assert second["source"][0] == "b.jpg"
    assert "caption" not in first  # the text goes with the post, once
    sent = form(feed.calls.last.request)
    assert sent["message"] == ["Fresh beans today"]
    assert [json.loads(sent[f"attached_media[{i}]"][0]) for i in (0, 1)] == [
        {"media_fbid": "9001"},
        {"media_fbid": "9002"},
    ]
    assert ref.external_id == POST_ID


def test_the_first_comment_is_posted_on_the_post_as_the_page(
    router: respx.MockRouter, channel: Channel
) -> None:
    comment_id = f"{POST_ID.split('_')[1]}_555"
    route = router.post(f"{GRAPH}/{POST_ID}/comments").respond(200, json={"id": comment_id})

    ref = FacebookConnector(channel).publish(
        part("Menu: https://acme.example/menu", reply_to=ReplyTarget(POST_REF, POST_REF))
    )

    assert form(route.calls.last.request) == {
        "message": ["Menu: https://acme.example/menu"],
        "access_token": [PAGE_TOKEN],
    }
    assert ref.external_id == comment_id


def test_a_first_comment_whose_answer_was_lost_is_found_among_the_page_comments(
    router: respx.MockRouter, channel: Channel
) -> None:
    comments = router.get(f"{GRAPH}/{POST_ID}/comments").respond(
        200,
        json={
            "data": [
                {"id": "1_1", "message": "Menu: https://acme.example/menu", "from": {"id": "42"}},
                {
                    "id": "1_2",
                    "message": "Menu: https://acme.example/menu",
                    "from": {"id": PAGE_ID},
                },
            ]
        },
    )
    wanted = part("Menu: https://acme.example/menu", reply_to=ReplyTarget(POST_REF, POST_REF))

    found = FacebookConnector(channel).find_published(wanted)

    assert found is not None and found.external_id == "1_2"  # the Page's, not a visitor's copy
    assert query(comments.calls.last.request)["filter"] == ["stream"]


def test_nothing_found_means_not_published(router: respx.MockRouter, channel: Channel) -> None:
    router.get(f"{GRAPH}/{PAGE_ID}/published_posts").respond(
        200, json={"data": [{"id": "1_9", "message": "Another post"}], "paging": {"cursors": {}}}
    )

    assert FacebookConnector(channel).find_published(part()) is None


def test_delete_removes_the_post_and_accepts_one_already_gone(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.delete(f"{GRAPH}/{POST_ID}").mock(
        side_effect=[
            httpx.Response(200, json={"success": True}),
            httpx.Response(
                400,
                json=error(
                    "Unsupported delete request. Object with ID does not exist, cannot be "
                    "loaded due to missing permissions, or does not support this operation.",
                    100,
                    33,
                    kind="GraphMethodException",
                ),
            ),
        ]
    )
    connector = FacebookConnector(channel)

    connector.delete(POST_REF)
    connector.delete(POST_REF)

    assert route.call_count == 2
    assert query(route.calls.last.request) == {"access_token": [PAGE_TOKEN]}


def test_a_video_is_refused_before_any_request(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")

    with pytest.raises(PermanentError):
        FacebookConnector(channel).publish(part(media=(MediaFile(clip, "video/mp4", 12),)))

    assert not router.calls


# --- errors ("Handling Errors") --------------------------------------------------------


@pytest.mark.parametrize(
    ("subcode", "words"),
    [
        (458, "removed Hubbub's app"),
        (459, "log in at facebook.com"),
        (460, "changed their Facebook password"),
        (463, "has expired"),
        (467, "no longer valid"),
        (None, "no longer accepts this authorization"),
    ],
)
def test_an_invalid_token_asks_for_a_reconnect_and_says_why(
    router: respx.MockRouter, channel: Channel, subcode: int | None, words: str
) -> None:
    router.post(FEED).respond(400, json=error("Error validating access token", 190, subcode))

    with pytest.raises(AuthError) as caught:
        FacebookConnector(channel).publish(part())

    assert caught.value.needs_reconnect is True
    assert words in str(caught.value)
    assert "Error validating access token" in caught.value.network_message
    assert "fbtrace_id AbCdEfGhIjK" in caught.value.network_message


def test_an_app_limit_without_an_estimate_waits_a_rolling_hour(
    router: respx.MockRouter, channel: Channel
) -> None:
    usage = {"call_count": 100, "total_cputime": 12, "total_time": 9}
    router.post(FEED).respond(
        403,
        headers={"X-App-Usage": json.dumps(usage)},
        json=error("(#4) Application request limit reached", 4),
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        FacebookConnector(channel).publish(part())

    assert caught.value.retry_at == NOW + timedelta(hours=1)
    assert caught.value.status == 403  # Meta's own status, whatever it is


def test_the_largest_business_use_case_estimate_counts(
    router: respx.MockRouter, channel: Channel
) -> None:
    usage = {
        PAGE_ID: [
            {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12},
            {"type": "instagram", "call_count": 40, "estimated_time_to_regain_access": 0},
        ],
        "999": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 30}],
    }
    router.post(FEED).respond(
        400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        json=error("(#80001) There have been too many calls to this Page account.", 80001),
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        FacebookConnector(channel).publish(part())

    assert caught.value.retry_at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("code", "subcode", "kind", "words"),
    [
        (200, None, PermanentError, "a permission is missing"),
        (10, None, PermanentError, "a permission is missing"),
        (368, None, PermanentError, "temporarily blocked"),
        (100, 33, PermanentError, "does not exist"),
        (506, None, PermanentError, "same post twice"),
        (1, None, TransientError, "temporary problem"),
        (2, None, TransientError, "temporary problem"),
        (100, None, PermanentError, "rejected the request"),
    ],
)
def test_documented_error_codes(
    router: respx.MockRouter,
    channel: Channel,
    code: int,
    subcode: int | None,
    kind: type[Exception],
    words: str,
) -> None:
    router.post(FEED).respond(400, json=error("Meta's own words", code, subcode, kind="X"))

    with pytest.raises(kind) as caught:
        FacebookConnector(channel).publish(part())

    assert words in str(caught.value)
    assert caught.value.needs_reconnect is False  # type: ignore[attr-defined]
    assert "Meta's own words" in caught.value.network_message  # type: ignore[attr-defined]


def test_an_answer_that_is_not_the_graph_api_is_transient_when_the_server_fails(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(FEED).respond(502, text="<html>Bad gateway</html>")

    with pytest.raises(TransientError):
        FacebookConnector(channel).publish(part())


def test_check_names_the_page(router: respx.MockRouter, channel: Channel) -> None:
    router.get(f"{GRAPH}/{PAGE_ID}").respond(
        200,
        json={
            "id": PAGE_ID,
            "name": "Acme Coffee",
            "username": "acmecoffee",
            "link": "https://www.facebook.com/acmecoffee",
            "picture": {"data": {"url": "https://scontent.example/p.jpg", "is_silhouette": False}},
        },
    )

    account = FacebookConnector(channel).check()

    assert (account.external_id, account.handle, account.name) == (
        PAGE_ID,
        "@acmecoffee",
        "Acme Coffee",
    )
    assert account.avatar_url == "https://scontent.example/p.jpg"
