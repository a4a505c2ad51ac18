"""Connecting a Slack channel: Slack cannot check an incoming webhook without posting
through it, so the URL's form is checked, and a test message is posted only when asked."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from hubbub.core.access import ActionError
from hubbub.networks.models import Channel, Health
from hubbub.networks.slack.connect import connect_slack
from hubbub.networks.slack.connector import SlackConnector
from tests.api.conftest import token_api
from tests.networks.slack.conftest import HOOK_ID, SECRET, TEAM_ID, WEBHOOK_URL

URL = "/w/acme/channels/slack/connect/"
API = "/workspaces/acme/channels/slack"


@pytest.fixture
def owner(acme, alice):
    from hubbub.core.access import access_workspace

    return access_workspace(alice, acme.slug)


def test_a_well_formed_url_is_saved_encrypted_without_posting(slack_api, owner):
    channel = connect_slack(owner, f" {WEBHOOK_URL} ", " #announcements ")

    assert not slack_api.calls  # nothing was posted in the channel
    channel.refresh_from_db()
    assert (channel.network, channel.external_id) == ("slack", f"{TEAM_ID}/{HOOK_ID}")
    assert (channel.handle, channel.name) == ("#announcements", "#announcements")
    assert channel.credentials == {"webhook_url": WEBHOOK_URL}
    assert SECRET not in str(channel.credentials_encrypted)  # stored encrypted
    assert SECRET not in json.dumps(channel.config)
    assert channel.health == Health.OK
    assert SlackConnector(channel).check().external_id == f"{TEAM_ID}/{HOOK_ID}"


def test_without_a_name_the_webhook_names_the_channel(slack_api, owner):
    channel = connect_slack(owner, WEBHOOK_URL)

    assert channel.name == f"Slack webhook {HOOK_ID}"


def test_a_test_message_is_posted_when_asked(slack_api, owner, caplog):
    send = slack_api.post(WEBHOOK_URL).respond(200, text="ok")

    with caplog.at_level(logging.INFO, logger="hubbub.http"):
        connect_slack(owner, WEBHOOK_URL, "#news", send_test_message=True)

    assert json.loads(send.calls.last.request.content) == {"text": "Hubbub is connected."}
    assert Channel.objects.get().name == "#news"
    # The request log shows the webhook, never its secret.
    assert f"/services/{TEAM_ID}/{HOOK_ID}/<token>" in caplog.text
    assert SECRET not in caplog.text


def test_a_failed_test_message_saves_nothing_and_says_why(slack_api, owner):
    slack_api.post(WEBHOOK_URL).respond(404, text="no_service")

    with pytest.raises(ActionError) as caught:
        connect_slack(owner, WEBHOOK_URL, send_test_message=True)

    assert caught.value.field == "webhook_url"
    assert "removed or disabled in Slack" in caught.value.message
    assert "no_service" in caught.value.message
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    "pasted",
    [
        f"http://hooks.slack.com/services/{TEAM_ID}/{HOOK_ID}/{SECRET}",
        f"https://hooks.slack.com.evil.com/services/{TEAM_ID}/{HOOK_ID}/{SECRET}",
        f"https://hooks.slack.com@evil.com/services/{TEAM_ID}/{HOOK_ID}/{SECRET}",
        f"https://hooks.slack.com/services/{TEAM_ID}/{HOOK_ID}",
        f"https://hooks.slack.com/services/{TEAM_ID}/{HOOK_ID}/{SECRET}?channel=general",
        "https://hooks.slack.com/triggers/T00000000/1234567890/abcdef0123456789",  # Workflow
        "https://acme.slack.com/archives/C0123456789",  # a channel link
        "https://discord.com/api/webhooks/1/abc",
        "xoxb-1234-5678-abcdef",  # a bot token
    ],
)
def test_anything_else_is_refused_before_any_request(slack_api, owner, pasted):
    with pytest.raises(ActionError) as caught:
        connect_slack(owner, pasted, send_test_message=True)

    assert caught.value.field == "webhook_url"
    assert "Incoming Webhooks" in caught.value.message
    assert "https://hooks.slack.com/services/" in caught.value.message
    assert not slack_api.calls
    assert not Channel.objects.exists()


def test_the_channels_page_links_to_the_form(alice_client: Client):
    assert reverse("slack:connect", args=["acme"]) == URL

    page = alice_client.get("/w/acme/channels/").content.decode()

    assert f'href="{URL}" data-testid="connect-slack"' in page
    form = alice_client.get(URL).content.decode()
    assert 'type="password" name="webhook_url"' in form
    assert 'name="send_test_message"' in form
    assert "the first post proves it works" in form


def test_the_page_connects_and_says_the_first_post_proves_it(slack_api, alice_client: Client):
    refused = alice_client.post(URL, {"webhook_url": "https://example.com/hook"})
    assert refused.status_code == 200
    assert "This is not a Slack incoming webhook URL" in refused.content.decode()

    response = alice_client.post(
        URL, {"webhook_url": WEBHOOK_URL, "label": "#announcements"}, follow=True
    )

    assert response.redirect_chain == [("/w/acme/channels/", 302)]
    page = response.content.decode()
    assert "Slack channel #announcements connected." in page
    assert "the first post will show whether it works" in page
    assert SECRET not in page
    assert not slack_api.calls


def test_the_api_connects_and_never_returns_the_url(slack_api, alice, acme):
    send = slack_api.post(WEBHOOK_URL).respond(200, text="ok")

    response = token_api(alice, acme).post(
        API, {"webhook_url": WEBHOOK_URL, "label": "#news", "send_test_message": True}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["network"], body["handle"]) == ("slack", "#news")
    assert SECRET not in json.dumps(body)
    assert send.call_count == 1


def test_the_api_says_what_is_wrong(slack_api, alice, acme):
    slack_api.post(WEBHOOK_URL).respond(503, text="service unavailable")
    api = token_api(alice, acme)

    malformed = api.post(API, {"webhook_url": "https://example.com/"})
    busy = api.post(API, {"webhook_url": WEBHOOK_URL, "send_test_message": True})

    assert malformed.status_code == 400 and malformed.json()["field"] == "webhook_url"
    assert busy.status_code == 502 and "try again in a minute" in busy.json()["detail"]
    assert not Channel.objects.exists()
