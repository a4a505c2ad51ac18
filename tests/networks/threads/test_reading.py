"""Reading from Threads beyond the conformance scenarios: the profile's own replies (its
thread parts, its first comment) are not comments; a reply names what it answers; a post
deleted since is left out of the metrics."""

from __future__ import annotations

import pytest
import respx

from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.threads.connector import ThreadsConnector
from tests.networks.threads.conftest import API, MEDIA_ID, USERNAME, error, query

pytestmark = pytest.mark.django_db
POST = PublishedRef(external_id=MEDIA_ID, data={"id": MEDIA_ID})


def test_own_replies_are_not_comments_and_each_names_its_parent(
    channel: Channel, router: respx.MockRouter
) -> None:
    conversation = router.get(f"{API}/{MEDIA_ID}/conversation").respond(
        200,
        json={
            "data": [
                {
                    "id": "1803",
                    "text": "And a nested answer",
                    "username": "bob",
                    "timestamp": "2026-05-04T09:30:00+0000",
                    "replied_to": {"id": "1801"},
                },
                {
                    "id": "1802",
                    "text": "Part two of our thread",
                    "username": USERNAME,
                    "timestamp": "2026-05-04T09:20:00+0000",
                    "replied_to": {"id": MEDIA_ID},
                },
                {
                    "id": "1801",
                    "text": "Lovely <3",
                    "username": "alice",
                    "timestamp": "2026-05-04T09:10:00+0000",
                    "replied_to": {"id": MEDIA_ID},
                },
            ],
            "paging": {"cursors": {"before": "a", "after": "b"}},
        },
    )

    page = ThreadsConnector(channel).fetch_comments(POST, None)

    assert [(i.external_id, i.author.handle, i.in_reply_to) for i in page.items] == [
        ("1801", "@alice", MEDIA_ID),
        ("1803", "@bob", "1801"),
    ]
    assert page.items[0].text == "Lovely <3"  # as written: escaping is the page's job
    assert page.cursor == "2026-05-04T09:30:00+00:00|1803"
    sent = query(conversation.calls.last.request)
    assert sent["reverse"] == ["true"] and "replied_to" in sent["fields"][0]


def test_a_deleted_post_is_left_out_of_the_metrics(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(f"{API}/{MEDIA_ID}/insights").respond(
        400, json=error("Object does not exist or cannot be loaded.", 100, 33)
    )

    assert ThreadsConnector(channel).fetch_metrics([POST]) == {}
