# ruff: noqa: F811  (pytest fixtures imported from guardrails_support are redefined as arguments)
"""The guardrails' settings page, its "Try a text" box, and the API: settings read and
changed (owners and managers only), and "what would the guardrails say about this text?"."""

from __future__ import annotations

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation.models import GuardrailSetting
from hubbub.networks.models import Channel
from tests.api.conftest import token_api
from tests.curation.guardrails_support import channel, fake_network, persona  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = "/w/acme/curate/guardrails/"
TRY = "/w/acme/curate/guardrails/try/"
API = "/workspaces/acme/guardrails"


def test_the_page_lists_every_rule_with_its_mode(alice_client: Client):
    page = alice_client.get(PAGE).content.decode()
    assert page.count('data-testid="guardrail-rule"') == 11
    assert 'data-rule="personal_data"' in page and "Near-duplicate" in page


def test_saving_the_page_changes_modes_and_options(alice_client: Client, acme: Workspace):
    response = alice_client.post(
        PAGE,
        {
            "mode-personal_data": "block",
            "mode-duplicate": "warn",
            "opt-duplicate-days": "7",
            "mode-banned_words": "block",
            "opt-banned_words-words": "cheap\nguaranteed\n",
        },
    )
    assert response.status_code == 302
    rows = {s.rule: s for s in GuardrailSetting.objects.filter(workspace=acme)}
    assert rows["personal_data"].mode == "block"
    assert rows["duplicate"].options == {"days": 7, "similarity": 0.8}
    assert rows["banned_words"].options == {"words": ["cheap", "guaranteed"]}
    assert AuditEntry.objects.filter(action="guardrails.update").count() == 1


def test_a_bad_option_is_said_and_nothing_is_saved(alice_client: Client):
    response = alice_client.post(PAGE, {"mode-duplicate": "warn", "opt-duplicate-days": "9000"})
    assert response.status_code == 400
    assert "choose a number from 1 to 365" in response.content.decode()
    assert not GuardrailSetting.objects.exists()


def test_an_editor_cannot_open_the_page(bob: User, acme: Workspace):
    client = Client()
    client.force_login(bob)
    assert client.get(PAGE).status_code == 403


def test_try_a_text_shows_the_findings_and_saves_nothing(alice_client: Client):
    response = alice_client.post(
        TRY, {"try_text": "Mail jane@example.com"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<mark>jane@example.com</mark>" in page and "<html" not in page
    clear = alice_client.post(TRY, {"try_text": "A lovely spring day in the park."})
    assert 'data-testid="guardrails-clear"' in clear.content.decode()


# --- the API ------------------------------------------------------------------------------


def test_the_api_reads_and_changes_the_settings(alice: User, acme: Workspace):
    api = token_api(alice, acme)
    rules = {r["rule"]: r for r in api.get(API).json()}
    assert rules["banned_words"]["mode"] == "block" and rules["links"]["default_mode"] == "warn"
    response = api.call("put", API, {"guardrails": [{"rule": "tone", "mode": "off"}]})
    assert response.status_code == 200
    assert {r["rule"]: r["mode"] for r in response.json()}["tone"] == "off"


def test_the_api_names_an_unknown_rule(alice: User, acme: Workspace):
    response = token_api(alice, acme).call(
        "put", API, {"guardrails": [{"rule": "swearing", "mode": "warn"}]}
    )
    assert response.status_code == 400
    assert "There is no guardrail “swearing”" in response.json()["detail"]


def test_an_editor_may_check_but_not_change(bob: User, acme: Workspace):
    api = token_api(bob, acme)
    assert api.post(f"{API}/check", {"text": "hello"}).status_code == 200
    assert (
        api.call("put", API, {"guardrails": [{"rule": "tone", "mode": "off"}]}).status_code == 403
    )


def test_the_api_check_answers_rules_and_spans(alice: User, acme: Workspace, channel: Channel):
    persona(acme, channel, name="Ava", languages=["en"], words_to_avoid=["cheap"])
    body = {
        "parts": ["Cheap bikes! Mail jane@example.com", "Nous adorons les vélos de notre atelier."],
        "channels": [channel.pk],
        "media": [{"name": "bike.png", "alt_text": ""}],
        "check_links": False,
    }
    answer = token_api(alice, acme).post(f"{API}/check", body).json()
    assert answer["blocked"] is True
    got = [(f["rule"], f["where"], f["start"], f["end"], f["matched"]) for f in answer["findings"]]
    assert ("banned_words", "part:1", 0, 5, "Cheap") in got
    assert ("personal_data", "part:1", 18, 34, "jane@example.com") in got
    assert any(rule == "persona_language" and where == "part:2" for rule, where, *_ in got)
    assert any(rule == "alt_text" and where == "media" for rule, where, *_ in got)


def test_the_api_refuses_another_workspaces_channel(
    alice: User, acme: Workspace, globex: Workspace, fake_network
):
    theirs = Channel.objects.create(workspace=globex, network="fake", external_id="2", handle="@g")
    response = token_api(alice, acme).post(f"{API}/check", {"text": "hi", "channels": [theirs.pk]})
    assert response.status_code == 400
    assert "not one of this workspace's" in response.json()["detail"]
