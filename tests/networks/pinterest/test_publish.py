"""Publishing Pins: the title from the first line, the post's link, text alone refused before
any request; an expired or revoked token refreshed once on a 401; refreshed tokens shared
with the account's other boards; lookups, deletion, analytics; errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, ConnectorError, PermanentError, RateLimited
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.pinterest.connector import PinterestConnector
from hubbub.networks.pinterest.oauth import API
from hubbub.networks.pinterest.posting import title_of
from tests.networks.pinterest.conftest import (
    ACCESS,
    BOARD_ID,
    FRESH_ACCESS,
    FRESH_REFRESH,
    NOW,
    PIN_ID,
    PINS,
    REFRESH,
    TOKEN_URL,
    error,
    make_channel,
    picture,
    pin,
    query,
    sent_json,
    token_answer,
)

pytestmark = pytest.mark.django_db
REF = PublishedRef(external_id=PIN_ID, url=f"https://www.pinterest.com/pin/{PIN_ID}/")


def part(text: str = "Latte art\nOur barista's best pour", **extra: Any) -> OutgoingPart:
    return OutgoingPart(
        text=text, idempotency_key="delivery-9:0", not_before=NOW - timedelta(minutes=5), **extra
    )


def test_a_pin_takes_its_title_from_the_first_line_and_carries_the_link(
    channel: Channel, router: respx.MockRouter, tmp_path: Path
) -> None:
    create = router.post(PINS).respond(201, json=pin(description="x"))
    image = picture(tmp_path)

    ref = PinterestConnector(channel).publish(
        part(media=(image,), link="https://acme.example/latte")
    )

    body = sent_json(create.calls.last.request)
    assert body["title"] == "Latte art"
    assert body["description"] == "Latte art\nOur barista's best pour"
    assert body["link"] == "https://acme.example/latte"
    assert body["board_id"] == BOARD_ID and "alt_text" not in body
    assert body["media_source"]["content_type"] == "image/png"
    assert ref == PublishedRef(
        external_id=PIN_ID,
        url=f"https://www.pinterest.com/pin/{PIN_ID}/",
        data={"id": PIN_ID, "board_id": BOARD_ID},
    )


def test_a_long_first_line_is_cut_to_a_hundred_characters() -> None:
    title = title_of("\n" + "a" * 150 + "\nrest")

    assert len(title) == 100 and title.endswith("…")


def test_text_alone_is_refused_before_any_request(
    channel: Channel, router: respx.MockRouter
) -> None:
    with pytest.raises(PermanentError) as caught:
        PinterestConnector(channel).publish(part())

    assert "image" in caught.value.message and not router.calls


def test_an_expired_token_is_refreshed_on_a_401_then_the_pin_is_made(
    channel: Channel, router: respx.MockRouter, tmp_path: Path
) -> None:
    create = router.post(PINS).mock(
        side_effect=[
            httpx.Response(401, json=error(2, "Authentication failed.")),
            httpx.Response(201, json=pin(description="x")),
        ]
    )
    refresh = router.post(TOKEN_URL).respond(
        200, json=token_answer(access=FRESH_ACCESS, refresh=FRESH_REFRESH)
    )

    ref = PinterestConnector(channel).publish(part(media=(picture(tmp_path),)))

    assert ref.external_id == PIN_ID and refresh.call_count == 1
    first, second = (c.request for c in create.calls)
    assert first.headers["authorization"] == f"Bearer {ACCESS}"
    assert second.headers["authorization"] == f"Bearer {FRESH_ACCESS}"
    channel.refresh_from_db()
    assert channel.credentials["refresh_token"] == FRESH_REFRESH


def test_a_refresh_is_shared_with_the_accounts_other_boards(
    acme: Workspace, router: respx.MockRouter
) -> None:
    channel = make_channel(acme, expires_at=NOW + timedelta(hours=3))
    sibling = make_channel(acme, board_id="549755885177", name="Shop")
    router.post(TOKEN_URL).respond(
        200, json=token_answer(access=FRESH_ACCESS, refresh=FRESH_REFRESH)
    )

    assert PinterestConnector(channel).refresh_if_due() is True

    sibling.refresh_from_db()
    assert sibling.credentials["access_token"] == FRESH_ACCESS
    assert sibling.credentials["refresh_token"] == FRESH_REFRESH
    assert sibling.token_expires_at == NOW + timedelta(days=30)


def test_a_token_with_days_left_is_not_refreshed(
    channel: Channel, router: respx.MockRouter
) -> None:
    refresh = router.post(TOKEN_URL).respond(200, json=token_answer())

    assert PinterestConnector(channel).refresh_if_due() is False
    assert not refresh.called


def test_a_refused_refresh_needs_a_reconnect(acme: Workspace, router: respx.MockRouter) -> None:
    channel = make_channel(acme, expires_at=NOW - timedelta(minutes=1))
    router.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})

    with pytest.raises(AuthError):
        PinterestConnector(channel).refresh_if_due()

    channel.refresh_from_db()
    assert channel.credentials["refresh_token"] == REFRESH  # nothing half-saved


@pytest.mark.parametrize(
    ("status", "permanent", "reconnect"),
    [(403, True, False), (404, True, False), (400, True, False), (503, False, False)],
)
def test_errors_say_what_to_do(
    channel: Channel,
    router: respx.MockRouter,
    tmp_path: Path,
    status: int,
    permanent: bool,
    reconnect: bool,
) -> None:
    router.post(PINS).respond(status, json=error(3, "Something about the board."))

    with pytest.raises(ConnectorError) as caught:
        PinterestConnector(channel).publish(part(media=(picture(tmp_path),)))

    assert (caught.value.permanent, caught.value.needs_reconnect) == (permanent, reconnect)
    assert caught.value.network_message == "Something about the board. (code 3)"


def test_a_rate_limit_without_headers_waits_a_minute(
    channel: Channel, router: respx.MockRouter, tmp_path: Path
) -> None:
    router.post(PINS).respond(429, json=error(8, "Rate limit exceeded."))

    with pytest.raises(RateLimited) as caught:
        PinterestConnector(channel).publish(part(media=(picture(tmp_path),)))

    assert caught.value.retry_at == NOW + timedelta(minutes=1)


def test_a_lookup_stops_at_pins_older_than_the_part(
    channel: Channel, router: respx.MockRouter
) -> None:
    listing = router.get(f"{API}/boards/{BOARD_ID}/pins").respond(
        200,
        json={
            "items": [pin("1", description="Other", created_at="2026-05-03T09:00:00")],
            "bookmark": "more",
        },
    )

    assert PinterestConnector(channel).find_published(part()) is None
    assert listing.call_count == 1  # older than the part: no further page
    assert query(listing.calls.last.request) == {"page_size": ["25"]}


def test_delete_removes_the_pin_and_a_missing_one_is_done(
    channel: Channel, router: respx.MockRouter
) -> None:
    gone = router.delete(f"{API}/pins/{PIN_ID}").mock(
        side_effect=[
            httpx.Response(204),
            httpx.Response(404, json=error(50, "Pin not found.")),
        ]
    )

    PinterestConnector(channel).delete(REF)
    PinterestConnector(channel).delete(REF)

    assert gone.call_count == 2
    assert gone.calls[0].request.headers["authorization"] == f"Bearer {ACCESS}"


def test_metrics_sum_the_days_when_there_is_no_summary(
    channel: Channel, router: respx.MockRouter
) -> None:
    analytics = router.get(f"{API}/pins/{PIN_ID}/analytics").respond(
        200,
        json={
            "all": {
                "daily_metrics": [
                    {
                        "data_status": "READY",
                        "date": "2026-05-02",
                        "metrics": {"IMPRESSION": 100, "SAVE": 2, "OUTBOUND_CLICK": 5},
                    },
                    {
                        "data_status": "READY",
                        "date": "2026-05-03",
                        "metrics": {"IMPRESSION": 20, "SAVE": 1, "OUTBOUND_CLICK": 0},
                    },
                ]
            }
        },
    )
    router.get(f"{API}/pins/404/analytics").respond(404, json=error(50, "Pin not found."))

    got = PinterestConnector(channel).fetch_metrics([REF, PublishedRef(external_id="404")])

    assert list(got) == [PIN_ID]
    assert (got[PIN_ID].impressions, got[PIN_ID].saves, got[PIN_ID].clicks) == (120, 3, 5)
    assert query(analytics.calls.last.request) == {
        "start_date": ["2026-02-04"],  # 90 days, today included: the longest window
        "end_date": ["2026-05-04"],
        "metric_types": ["IMPRESSION,SAVE,OUTBOUND_CLICK"],
        "app_types": ["ALL"],
    }


def test_the_channel_check_names_the_board(channel: Channel, router: respx.MockRouter) -> None:
    from hubbub.networks.actions import check_channel
    from hubbub.networks.models import Health
    from tests.networks.pinterest.conftest import USER, board

    router.get(f"{API}/user_account").respond(200, json=USER)
    router.get(f"{API}/boards/{BOARD_ID}").respond(200, json=board(name="Latte art, 2026"))

    check_channel(channel)

    assert channel.health == Health.OK and channel.name == "Latte art, 2026"


def test_a_deleted_board_shows_on_the_channel(channel: Channel, router: respx.MockRouter) -> None:
    from hubbub.networks.actions import check_channel
    from hubbub.networks.models import Health
    from tests.networks.pinterest.conftest import USER

    router.get(f"{API}/user_account").respond(200, json=USER)
    router.get(f"{API}/boards/{BOARD_ID}").respond(404, json=error(40, "Board not found."))

    check_channel(channel)

    assert channel.health == Health.ERROR
    assert "does not exist" in channel.health_message
