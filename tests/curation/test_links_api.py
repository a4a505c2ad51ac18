"""The links API: UTM templates (default and per campaign), the shortener with its token
write-only, and the preview of a text's links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from hubbub.core import crypto
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation.models import LinkSettings, ShortLink, UtmTemplate
from hubbub.curation.shorteners import long_key
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from tests.api import conftest as api_fixtures
from tests.api.conftest import Api

L = "/workspaces/acme/links"
pytestmark = pytest.mark.django_db

alice_api = api_fixtures.alice_api  # a token of Acme's owner
bob_api = api_fixtures.bob_api  # a token of Acme's editor


def put(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.call("put", path, body)


@time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False)
def test_the_default_template_set_then_read(alice_api: Api):
    assert alice_api.get(L + "/utm").json() == {"default": None, "campaigns": []}
    answer = put(
        alice_api, L + "/utm/default", {"utm_content": "{post}", "domains": ["www.acme.example"]}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["campaign_id"] is None
    assert (body["utm_source"], body["utm_medium"], body["utm_campaign"]) == (
        "{network}",
        "social",
        "{campaign}",
    )
    assert body["domains"] == ["acme.example"]
    assert body["updated_at"] == "2026-06-01T12:00:00+02:00"  # the workspace's time zone
    assert alice_api.get(L + "/utm").json()["default"]["utm_content"] == "{post}"
    assert AuditEntry.objects.get(action="links.utm_save").via == "api"


def test_a_campaigns_template_and_its_removal(alice_api: Api, acme: Workspace):
    campaign = Campaign.objects.create(workspace=acme, name="Launch")
    path = f"{L}/utm/campaigns/{campaign.pk}"
    answer = put(alice_api, path, {"utm_medium": "paid", "is_active": False})
    assert answer.json()["campaign"] == "Launch" and answer.json()["is_active"] is False
    assert [t["campaign_id"] for t in alice_api.get(L + "/utm").json()["campaigns"]] == [
        campaign.pk
    ]
    assert alice_api.delete(path).status_code == 204
    assert alice_api.delete(path).json()["detail"] == "This campaign has no template of its own."


def test_bad_values_answer_400_with_the_field(alice_api: Api):
    answer = put(alice_api, L + "/utm/default", {"utm_campaign": "{campagne}"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "utm_campaign"
    answer = put(alice_api, L + "/utm/default", {"utm_source": ""})
    assert answer.status_code == 400 and answer.json()["field"] == "utm_source"
    assert not UtmTemplate.objects.exists()


def test_another_workspaces_campaign_answers_404(alice_api: Api, globex: Workspace):
    theirs = Campaign.objects.create(workspace=globex, name="Theirs")
    assert put(alice_api, f"{L}/utm/campaigns/{theirs.pk}", {}).status_code == 404


def test_the_shortener_token_is_write_only(alice_api: Api, acme: Workspace):
    answer = put(alice_api, L + "/shortener", {"shortener": "kutt", "token": "kutt-key"})
    assert answer.json() == {"shortener": "kutt", "api_url": "", "domain": "", "token_set": True}
    assert "kutt-key" not in alice_api.get(L + "/shortener").content.decode()
    row = LinkSettings.objects.get(workspace=acme)
    assert crypto.decrypt(row.token) == "kutt-key"
    # absent: kept; "": removed (and a shortener without a token is refused)
    put(alice_api, L + "/shortener", {"shortener": "kutt", "domain": "go.acme.example"})
    row.refresh_from_db()
    assert crypto.decrypt(row.token) == "kutt-key"
    refused = put(alice_api, L + "/shortener", {"shortener": "kutt", "token": ""})
    assert refused.status_code == 400 and refused.json()["field"] == "token"
    none = put(alice_api, L + "/shortener", {"shortener": "", "token": ""})
    assert none.json()["token_set"] is False


def test_a_shortener_on_a_private_address_is_refused(alice_api: Api, settings):
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False
    answer = put(
        alice_api,
        L + "/shortener",
        {"shortener": "yourls", "api_url": "http://192.168.1.5/", "token": "sig"},
    )
    assert answer.status_code == 400 and answer.json()["field"] == "api_url"
    assert "private or local address" in answer.json()["detail"]


def test_testing_without_a_shortener_says_to_choose_one(alice_api: Api):
    answer = alice_api.post(L + "/shortener/test")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Choose and save a shortener first."


def test_the_preview_shows_each_link_before_and_after(alice_api: Api, acme: Workspace):
    campaign = Campaign.objects.create(workspace=acme, name="Rentrée 2026")
    UtmTemplate.objects.create(workspace=acme)
    channel = Channel.objects.create(
        workspace=acme, network="mastodon", external_id="1", handle="@acme@mastodon.example"
    )
    text = "Lisez « https://acme.example/guide » et https://youtu.be/x."
    answer = alice_api.post(
        L + "/preview", {"text": text, "campaign_id": campaign.pk, "channel_id": channel.pk}
    )
    assert answer.status_code == 200, answer.content
    tagged = (
        "https://acme.example/guide?utm_source=mastodon&utm_medium=social&utm_campaign=rentree-2026"
    )
    assert answer.json() == {
        "text": f"Lisez « {tagged} » et https://youtu.be/x.",
        "links": [
            {"before": "https://acme.example/guide", "after": tagged, "note": ""},
            {
                "before": "https://youtu.be/x",
                "after": "https://youtu.be/x",
                "note": "a link to a social network",
            },
        ],
        "problems": [],
    }


def test_the_preview_uses_short_links_made_before_and_makes_none(alice_api: Api, acme: Workspace):
    LinkSettings.objects.create(workspace=acme, shortener="kutt", token=crypto.encrypt("k"))
    made = "https://acme.example/a"
    ShortLink.objects.create(
        workspace=acme,
        long_url=made,
        long_key=long_key(made),
        short_url="https://kutt.to/a1",
        provider="kutt",
    )
    body = alice_api.post(L + "/preview", {"text": f"{made} https://acme.example/b"}).json()
    assert body["text"] == "https://kutt.to/a1 https://acme.example/b"
    assert body["links"][1]["note"] == "shortened when published"
    assert ShortLink.objects.count() == 1


def test_an_editor_may_preview_but_not_change_settings(bob_api: Api):
    assert bob_api.post(L + "/preview", {"text": "https://acme.example/"}).status_code == 200
    refused = put(bob_api, L + "/utm/default", {})
    assert refused.status_code == 403 and "Editor" in refused.json()["detail"]
