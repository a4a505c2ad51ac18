"""Publishing on a Slack channel through its incoming webhook: the text, escaped for
mrkdwn; what Slack's plain-text error codes become; what a webhook cannot do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from PIL import Image

from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.slack.connector import SlackConnector
from hubbub.networks.slack.posting import escape
from hubbub.publishing.validation import check_variant
from tests.networks.slack.conftest import HOOK_ID, WEBHOOK_URL

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def publish(channel, text: str = "Hi", **extra) -> PublishedRef:
    return SlackConnector(channel).publish(
        OutgoingPart(text=text, idempotency_key="delivery-7:0", **extra)
    )


def test_a_text_is_posted_and_gets_hubbubs_own_id(slack_api, channel):
    send = slack_api.post(WEBHOOK_URL).respond(200, text="ok")

    published = publish(channel, "Hello from Hubbub", link="https://acme.example/news")

    request = send.calls.last.request
    assert request.method == "POST" and str(request.url) == WEBHOOK_URL
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"text": "Hello from Hubbub"}
    # Slack answers "ok" and nothing else: no id, no link to the message.
    assert published == PublishedRef("slack:delivery-7:0", "", {"hook_id": HOOK_ID})


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("<!channel> look", "&lt;!channel&gt; look"),  # would notify the whole channel
        ("<https://evil.example|our site>", "&lt;https://evil.example|our site&gt;"),
        ("&lt; stays as typed", "&amp;lt; stays as typed"),
        ("*bold* and https://acme.example", "*bold* and https://acme.example"),
    ],
)
def test_slack_control_characters_are_escaped(slack_api, channel, written, sent):
    send = slack_api.post(WEBHOOK_URL).respond(200, text="ok")

    publish(channel, written)

    assert json.loads(send.calls.last.request.content) == {"text": sent}
    assert escape(written) == sent


def test_limits_are_checked_while_composing_and_before_any_request(slack_api, channel, tmp_path):
    path = tmp_path / "square.png"
    Image.new("RGB", (10, 10)).save(path)
    png = MediaFile(path, "image/png", path.stat().st_size, alt_text="A square")

    assert check_variant(channel, ["a" * 4000]) == []
    [problem] = check_variant(channel, ["a" * 4001])
    assert "4001" in problem.message and "4000" in problem.message
    image = check_variant(channel, ["a"], media=[(0, png)])
    assert any("allows 0" in problem.message for problem in image), image
    assert check_variant(channel, ["1/2", "2/2"])  # no threads

    with pytest.raises(PermanentError, match="4000"):
        publish(channel, "a" * 4001)
    with pytest.raises(PermanentError, match="cannot upload images"):
        publish(channel, "a", media=(png,))
    assert not slack_api.calls


def test_a_rate_limit_waits_for_retry_after(slack_api, channel):
    slack_api.post(WEBHOOK_URL).respond(429, headers={"Retry-After": "30"}, text="rate_limited")

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        publish(channel)

    assert caught.value.retry_at == NOW + timedelta(seconds=30)
    assert caught.value.network_message == "rate_limited"


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (403, "invalid_token", "no longer valid"),
        (404, "no_service", "removed or disabled in Slack"),
        (404, "no_team", "workspace of this webhook no longer exists"),
        (403, "team_disabled", "workspace of this webhook is disabled"),
        (404, "channel_not_found", "channel of this webhook was deleted"),
        (410, "channel_is_archived", "unarchive it in Slack"),
        (410, "something_new", "Slack no longer accepts this webhook"),
    ],
)
def test_a_webhook_that_cannot_post_any_more_needs_a_reconnect(
    slack_api, channel, status, code, says
):
    slack_api.post(WEBHOOK_URL).respond(status, text=code)

    with pytest.raises(AuthError) as caught:
        publish(channel)

    assert caught.value.needs_reconnect and caught.value.permanent
    assert says in caught.value.message
    assert caught.value.network_message == code


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (403, "action_prohibited", "administrator has restricted posting"),
        (403, "posting_to_general_channel_denied", "Only Slack administrators"),
        (400, "invalid_payload", "could not read the message"),
        (400, "something_else", "Slack rejected the message"),
    ],
)
def test_a_refused_message_is_permanent_without_a_reconnect(slack_api, channel, status, code, says):
    slack_api.post(WEBHOOK_URL).respond(status, text=code)

    with pytest.raises(PermanentError) as caught:
        publish(channel)

    assert not caught.value.needs_reconnect
    assert says in caught.value.message
    assert code in str(caught.value)


def test_a_server_error_is_transient(slack_api, channel):
    slack_api.post(WEBHOOK_URL).respond(500, text="internal_error")

    with pytest.raises(TransientError):
        publish(channel)


def test_an_unknown_outcome_cannot_be_looked_up_so_a_person_decides(slack_api, channel):
    with pytest.raises(PermanentError) as caught:
        SlackConnector(channel).find_published(OutgoingPart(text="Hi", idempotency_key="k"))

    assert not caught.value.needs_reconnect
    assert "Look in the channel" in str(caught.value)
    assert not slack_api.calls


def test_a_slack_post_cannot_be_deleted(channel):
    with pytest.raises(PermanentError, match="cannot delete"):
        SlackConnector(channel).delete(PublishedRef("slack:delivery-7:0"))


def test_the_health_check_reads_the_stored_url_without_posting(slack_api, channel):
    from hubbub.networks.actions import check_channel
    from hubbub.networks.models import Health

    check_channel(channel)
    assert channel.health == Health.OK
    assert not slack_api.calls

    channel.credentials = {}
    channel.save()
    check_channel(channel)
    assert channel.health == Health.NEEDS_RECONNECT
