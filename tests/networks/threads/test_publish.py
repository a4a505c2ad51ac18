"""Publishing on Threads: text in one request, media through a container polled until
FINISHED (bounded: a video still processing comes back later, the same container), the
publishing limit, threads of replies, lookups after an unknown outcome, deletion, errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from django.core.cache import cache

from hubbub.networks.base import ConnectorError, PermanentError, RateLimited, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.threads.connector import ThreadsConnector
from tests.networks.threads.conftest import (
    API,
    CONTAINER,
    LIMIT,
    MEDIA_ID,
    NOW,
    PERMALINK,
    PUBLISH,
    STATUS,
    THREADS,
    TOKEN,
    USER_ID,
    clip,
    error,
    form,
    photo,
    query,
    quota,
    status,
)

pytestmark = pytest.mark.django_db
ROOT = PublishedRef(external_id="18050206876700001", data={"id": "18050206876700001"})
PARENT = PublishedRef(external_id="18050206876700002", data={"id": "18050206876700002"})


def part(text: str = "Fresh roast today", **extra: Any) -> OutgoingPart:
    return OutgoingPart(
        text=text, idempotency_key="delivery-3:0", not_before=NOW - timedelta(minutes=5), **extra
    )


def after_container(router: respx.MockRouter, used: int = 4) -> dict[str, respx.Route]:
    return {
        "limit": router.get(LIMIT).respond(200, json=quota(used)),
        "publish": router.post(PUBLISH).respond(200, json={"id": MEDIA_ID}),
        "permalink": router.get(f"{API}/{MEDIA_ID}").respond(
            200, json={"permalink": PERMALINK, "id": MEDIA_ID}
        ),
    }


def test_a_reply_in_a_thread_names_its_parent_and_carries_the_link(
    channel: Channel, router: respx.MockRouter
) -> None:
    send = router.post(THREADS).respond(200, json={"id": MEDIA_ID})
    # The answer carries the id only; the post's address is asked for. If that fails, the
    # post is published all the same (see test_a_text_post_without_its_address_is_published).
    router.get(f"{API}/{MEDIA_ID}", params={"fields": "permalink"}).respond(
        200, json={"id": MEDIA_ID, "permalink": PERMALINK}
    )

    ref = ThreadsConnector(channel).publish(
        part(
            "Part two: the beans",
            link="https://acme.example/beans",
            reply_to=ReplyTarget(root=ROOT, parent=PARENT),
        )
    )

    assert form(send.calls.last.request) == {
        "media_type": ["TEXT"],
        "text": ["Part two: the beans"],
        "auto_publish_text": ["true"],
        "link_attachment": ["https://acme.example/beans"],
        "reply_to_id": [PARENT.external_id],  # the previous part, not the root
        "access_token": [TOKEN],
    }
    assert ref == PublishedRef(external_id=MEDIA_ID, url=PERMALINK, data={"id": MEDIA_ID})


def test_a_text_post_without_its_address_is_published(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.post(THREADS).respond(200, json={"id": MEDIA_ID})
    router.get(f"{API}/{MEDIA_ID}").respond(500, json={"error": {"message": "x", "code": 2}})

    ref = ThreadsConnector(channel).publish(part("Hello"))

    assert ref == PublishedRef(external_id=MEDIA_ID, data={"id": MEDIA_ID})


def test_emojis_weigh_their_utf8_bytes_and_are_refused_before_any_request(
    channel: Channel, router: respx.MockRouter
) -> None:
    text = "x" * 490 + "😀😀😀"  # 493 code points, 502 as Threads counts

    with pytest.raises(PermanentError) as caught:
        ThreadsConnector(channel).publish(part(text))

    assert "502" in caught.value.message and "500" in caught.value.message
    assert not router.calls


def test_the_composer_counts_emojis_as_threads_does(channel: Channel) -> None:
    from hubbub.publishing.validation import check_variant

    assert check_variant(channel, ["x" * 488 + "😀😀😀"]) == []  # 500 as Threads counts
    problems = check_variant(channel, ["x" * 490 + "😀😀😀"])  # 502
    assert len(problems) == 1 and "502" in problems[0].message


def test_more_than_five_links_are_refused_before_any_request(
    channel: Channel, router: respx.MockRouter
) -> None:
    text = " ".join(f"https://acme.example/{n}" for n in range(6))

    with pytest.raises(PermanentError) as caught:
        ThreadsConnector(channel).publish(part(text))

    assert "5 links" in caught.value.message and not router.calls


def test_a_carousel_gathers_its_items_then_publishes(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    files = (photo(media_root, "a.jpg", alt_text="Beans"), clip(media_root, "b.mp4"))
    answers = iter([{"id": "1801"}, {"id": "1802"}, {"id": CONTAINER}])
    create = router.post(THREADS).mock(
        side_effect=lambda _r: httpx.Response(200, json=next(answers))
    )
    poll = router.get(STATUS).respond(200, json=status("FINISHED"))
    routes = after_container(router)

    ref = ThreadsConnector(channel).publish(part("Two ways", media=files))

    first, second, carousel = (form(c.request) for c in create.calls)
    assert first["media_type"] == ["IMAGE"] and first["is_carousel_item"] == ["true"]
    assert first["alt_text"] == ["Beans"]
    assert first["image_url"][0].startswith("https://hubbub.example/m/")
    assert second["media_type"] == ["VIDEO"] and second["is_carousel_item"] == ["true"]
    assert second["video_url"][0].startswith("https://hubbub.example/m/")
    assert carousel == {
        "media_type": ["CAROUSEL"],
        "children": ["1801,1802"],
        "text": ["Two ways"],
        "access_token": [TOKEN],
    }
    assert poll.call_count == 1
    assert form(routes["publish"].calls.last.request)["creation_id"] == [CONTAINER]
    assert ref == PublishedRef(external_id=MEDIA_ID, url=PERMALINK, data={"id": MEDIA_ID})


def test_a_video_still_processing_comes_back_later_to_the_same_container(
    channel: Channel, router: respx.MockRouter, media_root: Path, no_sleep: list[float]
) -> None:
    create = router.post(THREADS).respond(200, json={"id": CONTAINER})
    poll = router.get(STATUS).respond(200, json=status("IN_PROGRESS"))
    video = part("Pouring", media=(clip(media_root),))

    with pytest.raises(TransientError) as caught:
        ThreadsConnector(channel).publish(video)

    assert caught.value.retry_at == NOW + timedelta(minutes=2)
    assert poll.call_count == 4 and sum(no_sleep) == 5.0  # a few seconds, never more
    assert create.call_count == 1

    poll.respond(200, json=status("FINISHED"))
    routes = after_container(router)
    ref = ThreadsConnector(channel).publish(video)

    assert create.call_count == 1  # the same container, not a second upload
    assert routes["publish"].call_count == 1 and ref.external_id == MEDIA_ID


def test_a_container_in_error_is_refused_with_the_reason(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    router.post(THREADS).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("ERROR", "FAILED_DOWNLOADING_VIDEO"))
    publish = router.post(PUBLISH).respond(200, json={"id": MEDIA_ID})

    with pytest.raises(PermanentError) as caught:
        ThreadsConnector(channel).publish(part(media=(clip(media_root),)))

    assert caught.value.network_message == "FAILED_DOWNLOADING_VIDEO"
    assert "FAILED_DOWNLOADING_VIDEO" in caught.value.message
    assert not publish.called and not cache.get(
        f"hubbub:threads:container:{channel.pk}:delivery-3:0"
    )


def test_an_expired_container_is_made_again(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    create = router.post(THREADS).respond(200, json={"id": CONTAINER})
    router.get(STATUS).mock(
        side_effect=[
            httpx.Response(200, json=status("EXPIRED")),
            httpx.Response(200, json=status("FINISHED")),
        ]
    )
    after_container(router)

    ref = ThreadsConnector(channel).publish(part(media=(photo(media_root),)))

    assert create.call_count == 2 and ref.external_id == MEDIA_ID


def test_an_exhausted_publishing_limit_waits_without_publishing(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    router.post(THREADS).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("FINISHED"))
    routes = after_container(router, used=250)

    with pytest.raises(RateLimited) as caught:
        ThreadsConnector(channel).publish(part(media=(photo(media_root),)))

    assert caught.value.retry_at == NOW + timedelta(hours=1)
    assert caught.value.network_message == "quota_usage 250 of 250"
    assert not routes["publish"].called


def test_a_reply_checks_the_reply_quota(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    create = router.post(THREADS).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("FINISHED"))
    limit = router.get(LIMIT).respond(
        200,
        json={
            "data": [
                {
                    "reply_quota_usage": 1,
                    "reply_config": {"quota_total": 1000, "quota_duration": 86400},
                }
            ]
        },
    )
    router.post(PUBLISH).respond(200, json={"id": MEDIA_ID})
    router.get(f"{API}/{MEDIA_ID}").respond(200, json={"permalink": PERMALINK, "id": MEDIA_ID})

    ThreadsConnector(channel).publish(
        part(media=(photo(media_root),), reply_to=ReplyTarget(root=ROOT, parent=ROOT))
    )

    assert form(create.calls.last.request)["reply_to_id"] == [ROOT.external_id]
    assert query(limit.calls.last.request)["fields"] == ["reply_quota_usage,reply_config"]


def test_a_published_container_is_found_rather_than_published_again(
    channel: Channel, router: respx.MockRouter, media_root: Path
) -> None:
    router.post(THREADS).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("PUBLISHED"))
    lookup = router.get(THREADS).respond(
        200,
        json={
            "data": [
                {"id": MEDIA_ID, "text": "Fresh  roast\ntoday", "permalink": PERMALINK},
            ]
        },
    )
    publish = router.post(PUBLISH).respond(200, json={"id": "other"})

    ref = ThreadsConnector(channel).publish(part(media=(photo(media_root),)))

    assert ref == PublishedRef(external_id=MEDIA_ID, url=PERMALINK, data={"id": MEDIA_ID})
    assert not publish.called
    sent = query(lookup.calls.last.request)
    assert sent["since"] == [str(int((NOW - timedelta(minutes=6)).timestamp()))]
    assert sent["fields"] == ["id,text,timestamp,permalink"]


def test_a_reply_is_looked_up_among_the_profiles_replies(
    channel: Channel, router: respx.MockRouter
) -> None:
    lookup = router.get(f"{API}/{USER_ID}/replies").respond(200, json={"data": []})

    found = ThreadsConnector(channel).find_published(
        part(reply_to=ReplyTarget(root=ROOT, parent=PARENT))
    )

    assert found is None and lookup.call_count == 1


def test_delete_removes_the_post(channel: Channel, router: respx.MockRouter) -> None:
    gone = router.delete(f"{API}/{MEDIA_ID}").respond(
        200, json={"success": True, "deleted_id": MEDIA_ID}
    )

    ThreadsConnector(channel).delete(PublishedRef(external_id=MEDIA_ID))

    assert query(gone.calls.last.request) == {"access_token": [TOKEN]}


def test_deleting_a_post_already_gone_is_done(channel: Channel, router: respx.MockRouter) -> None:
    router.delete(f"{API}/{MEDIA_ID}").respond(
        400, json=error("Object does not exist or cannot be loaded.", 100, 33)
    )

    ThreadsConnector(channel).delete(PublishedRef(external_id=MEDIA_ID))  # no error


@pytest.mark.parametrize(
    ("answer", "permanent", "reconnect", "words"),
    [
        (
            error("Application does not have permission for this action", 10),
            True,
            False,
            "Application does not have permission for this action (code 10)",
        ),
        (
            error("An unknown error occurred", 1, is_transient=True),
            False,
            False,
            "An unknown error occurred (code 1)",
        ),
        (
            error("Error validating access token: Session has expired.", 190, 463),
            True,
            True,
            "Error validating access token: Session has expired. (code 190/463)",
        ),
        (
            error("Invalid parameter", 100, 4279009, error_user_msg="Media not found"),
            True,
            False,
            "Media not found (code 100/4279009)",
        ),
    ],
)
def test_errors_say_what_to_do(
    channel: Channel,
    router: respx.MockRouter,
    answer: dict[str, object],
    permanent: bool,
    reconnect: bool,
    words: str,
) -> None:
    router.post(THREADS).respond(400, json=answer)

    with pytest.raises(ConnectorError) as caught:
        ThreadsConnector(channel).publish(part())

    assert (caught.value.permanent, caught.value.needs_reconnect) == (permanent, reconnect)
    assert caught.value.network_message.startswith(words)


def test_a_server_error_is_temporary(channel: Channel, router: respx.MockRouter) -> None:
    router.post(THREADS).respond(503, text="Service Unavailable")

    with pytest.raises(TransientError):
        ThreadsConnector(channel).publish(part())
