"""What X's error answers mean for a channel (docs.x.com, Fundamentals > Response codes and
errors; Rate limits), and how the two-hour access token is refreshed: before a call when
due, once more after a 401, and a refused refresh means reconnecting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import respx

from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import (
    ACCESS,
    NOW,
    REFRESH,
    TOKEN_URL,
    TWEETS,
    created,
    problem,
    token_answer,
)

pytestmark = pytest.mark.django_db
PART = OutgoingPart(text="Hello from Hubbub", idempotency_key="delivery-3:0")


def publish_error(channel: Channel) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        XConnector(channel).publish(PART)
    return caught.value


def test_duplicate_content_is_permanent_and_says_what_to_change(
    channel: Channel, router: respx.MockRouter
) -> None:
    words = "You are not allowed to create a Tweet with duplicate content."
    router.post(TWEETS).respond(403, json=problem(403, "Forbidden", words))

    error = publish_error(channel)

    assert isinstance(error, PermanentError) and not error.needs_reconnect
    assert "identical" in error.message and error.network_message == words


def test_the_older_duplicate_code_187_means_the_same(
    channel: Channel, router: respx.MockRouter
) -> None:
    body = {"errors": [{"code": 187, "message": "Status is a duplicate."}]}
    router.post(TWEETS).respond(403, json=body)

    error = publish_error(channel)

    assert error.permanent and "identical" in error.message
    assert error.network_message == "Status is a duplicate."


def test_an_app_without_the_access_level_is_the_operators_to_fix(
    channel: Channel, router: respx.MockRouter
) -> None:
    body = {
        "client_id": "12345",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
        "keys and tokens from a Twitter developer App that is attached to a Project.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    router.post(TWEETS).respond(403, json=body)

    error = publish_error(channel)

    assert error.permanent and not error.needs_reconnect
    assert "operator" in error.message and "attached to a Project" in error.network_message


def test_a_forbidden_action_keeps_xs_words(channel: Channel, router: respx.MockRouter) -> None:
    words = "You are not permitted to perform this action."
    router.post(TWEETS).respond(403, json=problem(403, "Forbidden", words))

    error = publish_error(channel)

    assert error.permanent and not error.needs_reconnect and words in str(error)


def test_a_rate_limit_waits_for_the_window_reset(
    channel: Channel, router: respx.MockRouter
) -> None:
    reset = NOW + timedelta(minutes=11)
    router.post(TWEETS).respond(
        429,
        headers={
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(reset.timestamp())),
        },
        json=problem(429, "Too Many Requests", "Too Many Requests"),
    )

    error = publish_error(channel)

    assert isinstance(error, RateLimited) and error.retry_at == reset
    assert "0 calls left" in error.message


def test_the_24_hour_posting_cap_waits_for_its_own_reset(
    channel: Channel, router: respx.MockRouter
) -> None:
    window = NOW + timedelta(minutes=5)
    day = datetime(2026, 5, 5, 9, 30, tzinfo=UTC)
    router.post(TWEETS).respond(
        429,
        headers={
            "x-rate-limit-remaining": "90",
            "x-rate-limit-reset": str(int(window.timestamp())),
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(int(day.timestamp())),
        },
        json=problem(429, "Too Many Requests", "Too Many Requests"),
    )

    error = publish_error(channel)

    assert isinstance(error, RateLimited) and error.retry_at == day


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, {"errors": [{"code": 130, "message": "Over capacity"}]}),
        (500, problem(500, "Internal Server Error", "Something went wrong")),
    ],
)
def test_xs_own_troubles_are_transient(
    channel: Channel, router: respx.MockRouter, status: int, body: dict[str, object]
) -> None:
    router.post(TWEETS).respond(status, json=body)

    error = publish_error(channel)

    assert isinstance(error, TransientError) and error.status == status
    assert error.network_message


def test_a_401_refreshes_once_then_repeats_the_call(
    channel: Channel, router: respx.MockRouter
) -> None:
    send = router.post(TWEETS)
    send.side_effect = [
        respx.MockResponse(401, json=problem(401, "Unauthorized", "Unauthorized")),
        respx.MockResponse(201, json=created()),
    ]
    refresh = router.post(TOKEN_URL).respond(200, json=token_answer("new-access", "new-refresh"))

    XConnector(channel).publish(PART)

    assert {k: v[0] for k, v in parse_qs(refresh.calls.last.request.content.decode()).items()} == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
    }
    assert [c.request.headers["authorization"] for c in send.calls] == [
        f"Bearer {ACCESS}",
        "Bearer new-access",
    ]
    channel.refresh_from_db()
    # Refresh tokens rotate: the new one replaces the old, which X has retired.
    assert channel.credentials["refresh_token"] == "new-refresh"
    assert channel.token_expires_at == NOW + timedelta(hours=2)


def test_a_second_401_means_reconnecting(channel: Channel, router: respx.MockRouter) -> None:
    router.post(TWEETS).respond(401, json=problem(401, "Unauthorized", "Unauthorized"))
    router.post(TOKEN_URL).respond(200, json=token_answer("new-access", "new-refresh"))

    error = publish_error(channel)

    assert isinstance(error, AuthError) and error.needs_reconnect
    assert error.network_message == "Unauthorized"


def test_a_token_due_is_refreshed_before_the_call(
    channel: Channel, router: respx.MockRouter
) -> None:
    channel.token_expires_at = NOW + timedelta(minutes=3)
    channel.save()
    refresh = router.post(TOKEN_URL).respond(200, json=token_answer("new-access", "new-refresh"))
    send = router.post(TWEETS).respond(201, json=created())

    XConnector(channel).publish(PART)

    assert refresh.call_count == 1
    assert send.calls.last.request.headers["authorization"] == "Bearer new-access"


def test_a_refresh_token_x_no_longer_accepts_means_reconnecting(
    channel: Channel, router: respx.MockRouter
) -> None:
    channel.token_expires_at = NOW - timedelta(minutes=1)
    channel.save()
    # What X answers for a refresh token already used (rotated) or revoked.
    router.post(TOKEN_URL).respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid.",
        },
    )
    send = router.post(TWEETS).respond(201, json=created())

    error = publish_error(channel)

    assert isinstance(error, AuthError) and error.needs_reconnect
    assert error.network_message == "Value passed for the token was invalid."
    assert not send.called


def test_wrong_app_credentials_are_the_operators_not_a_reconnect(
    channel: Channel, router: respx.MockRouter
) -> None:
    channel.token_expires_at = NOW - timedelta(minutes=1)
    channel.save()
    router.post(TOKEN_URL).respond(
        401,
        json={
            "error": "unauthorized_client",
            "error_description": "Missing valid authorization header",
        },
    )

    error = publish_error(channel)

    assert error.permanent and not error.needs_reconnect
    assert "HUBBUB_X_CLIENT_ID" in error.message


def test_a_refresh_another_worker_won_is_not_a_lost_authorization(
    channel: Channel, router: respx.MockRouter
) -> None:
    """Two workers found the token due; the other one refreshed first and saved the new
    tokens, so X refuses our (now used) refresh token: we take the saved ones."""
    channel.token_expires_at = NOW - timedelta(minutes=1)
    channel.save()
    connector = XConnector(channel)  # holds the old credentials
    other = Channel.objects.get(pk=channel.pk)
    other.credentials = {**other.credentials, "access_token": "theirs", "refresh_token": "r2"}
    other.token_expires_at = NOW + timedelta(hours=2)
    other.save()
    router.post(TOKEN_URL).respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid.",
        },
    )
    send = router.post(TWEETS).respond(201, json=created())

    connector.publish(PART)

    assert send.calls.last.request.headers["authorization"] == "Bearer theirs"
