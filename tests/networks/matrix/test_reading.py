"""Reading a Matrix room back: thread replies, mentions, reactions, and the health check.
(The paging and cursors over 2.5 pages are in the conformance suite.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx

from hubbub.networks.base import AuthError
from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.outgoing import PublishedRef
from tests.networks.matrix import sim
from tests.networks.matrix.conftest import (
    CLIENT,
    EVENT_ID,
    POWER_LEVELS,
    ROOM_ID,
    USER_ID,
    error,
    room_url,
)

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FAN = "@fan:example.org"
POST = PublishedRef(EVENT_ID)


@pytest.fixture
def conn(channel) -> MatrixConnector:
    return MatrixConnector(channel)


def _thread(events: list[dict[str, Any]]) -> sim.Room:
    return sim.Room(relations=lambda e, r: events if (e, r) == (EVENT_ID, "m.thread") else [])


def test_a_reply_keeps_what_the_person_wrote_and_where_it_answers(homeserver, conn):
    fallback = "> <@hubbub:example.com> Part 2\n> more\n\nThanks!"
    reply = sim.message(
        1,
        fallback,
        FAN,
        AT,
        **{
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": EVENT_ID,
                "is_falling_back": False,
                "m.in_reply_to": {"event_id": "$part2:example.com"},
            }
        },
    )
    _thread([sim.our(0, "Part 2", AT, **sim.in_thread(EVENT_ID)), reply]).serve(homeserver)

    page = conn.fetch_comments(POST, None)

    (item,) = page.items  # our own part is not a comment
    assert item.text == "Thanks!"
    assert item.in_reply_to == "$part2:example.com"
    assert item.author.external_id == FAN and item.author.profile_url == (
        "https://matrix.to/#/%40fan%3Aexample.org"
    )
    assert item.created_at == AT
    assert item.url == (
        "https://matrix.to/#/!abnjk1jdasj98%3Aexample.com/%24event1%3Aexample.com?via=example.com"
    )


def test_the_cursor_holds_when_its_event_was_redacted(homeserver, conn):
    events = [
        sim.message(n, f"reply {n}", FAN, AT + timedelta(minutes=n), **sim.in_thread(EVENT_ID))
        for n in (1, 2, 3)
    ]
    _thread(events).serve(homeserver)
    first = conn.fetch_comments(POST, None)
    assert [i.external_id for i in first.items] == [sim.event_id(n) for n in (1, 2, 3)]

    # Reply 3 (the cursor's event) is redacted, which strips its relation; reply 4 arrives.
    del events[2]
    events.append(
        sim.message(4, "reply 4", FAN, AT + timedelta(minutes=4), **sim.in_thread(EVENT_ID))
    )
    second = conn.fetch_comments(POST, first.cursor)

    assert [i.external_id for i in second.items] == [sim.event_id(4)]


def test_mentions_by_display_name_or_user_id_without_m_mentions(homeserver, conn):
    timeline = [
        sim.message(1, "Thanks hubbub bot, great post", FAN, AT),  # display name, any case
        sim.message(2, "cc @hubbub:example.com", FAN, AT),  # the user id
        sim.message(3, "the hubbub botanist", FAN, AT),  # a longer word: not the name
        sim.message(4, "Hubbub Bot said", FAN, AT, **{"m.mentions": {"user_ids": ["@x:y"]}}),
        sim.our(5, "Hubbub Bot here", AT),  # ourselves
    ]
    sim.Room(timeline=lambda: timeline).serve(homeserver)

    page = conn.fetch_mentions(None)

    assert [i.external_id for i in page.items] == [sim.event_id(1), sim.event_id(2)]


def test_metrics_leave_out_a_post_that_is_gone(homeserver, conn):
    gone = PublishedRef("$gone:example.com")
    homeserver.get(url__startswith=room_url("/relations/%24gone", version="v1")).respond(
        404, json=error("M_NOT_FOUND", "Event not found")
    )
    reactions = [
        {
            "type": "m.reaction",
            "event_id": "$r1:example.org",
            "sender": FAN,
            "origin_server_ts": 1,
            "content": {
                "m.relates_to": {"rel_type": "m.annotation", "event_id": EVENT_ID, "key": "❤️"}
            },
        }
    ]
    sim.Room(
        relations=lambda e, r: reactions if (e, r) == (EVENT_ID, "m.annotation") else []
    ).serve(homeserver)

    counts = conn.fetch_metrics([gone, POST])

    assert set(counts) == {EVENT_ID}
    assert (counts[EVENT_ID].likes, counts[EVENT_ID].comments) == (1, 0)
    assert counts[EVENT_ID].shares is None  # Matrix has no shares


def _health(homeserver: respx.MockRouter, joined: list[str], levels: dict[str, Any]) -> None:
    homeserver.get(f"{CLIENT}/v3/account/whoami").respond(200, json={"user_id": USER_ID})
    homeserver.get(f"{CLIENT}/v3/joined_rooms").respond(200, json={"joined_rooms": joined})
    homeserver.get(room_url("/state/m.room.power_levels")).respond(200, json=levels)
    homeserver.get(room_url("/state/m.room.name")).respond(200, json={"name": "News"})
    homeserver.get(room_url("/state/m.room.canonical_alias")).respond(
        404, json=error("M_NOT_FOUND", "Event not found.")
    )


def test_the_health_check_notices_a_kick(homeserver, conn):
    _health(homeserver, ["!other:example.com"], POWER_LEVELS)

    with pytest.raises(AuthError) as caught:
        conn.check()
    assert "no longer in the room" in caught.value.message


def test_the_health_check_notices_a_lowered_power_level(homeserver, conn):
    _health(homeserver, [ROOM_ID], {**POWER_LEVELS, "users_default": 0, "events_default": 10})

    with pytest.raises(AuthError) as caught:
        conn.check()
    assert "may no longer send messages" in caught.value.message


def test_the_health_check_reads_the_room_name(homeserver, conn):
    _health(homeserver, [ROOM_ID], POWER_LEVELS)

    account = conn.check()

    # No canonical alias: the alias the room was connected with still names it.
    assert (account.handle, account.name) == ("#announcements:example.com", "News")
    assert account.profile_url == "https://matrix.to/#/%23announcements%3Aexample.com"
