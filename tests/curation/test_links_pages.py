"""The links page: templates saved from the forms, the shortener's token write-only, the
Test button, the live preview (escaped), and who may open it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core import crypto
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation.models import LinkSettings, UtmTemplate
from hubbub.publishing.models import Campaign
from tests.conftest import PUBLIC_TEST_ADDRESS, signed_in

PAGE = "/w/acme/curate/links/"
pytestmark = pytest.mark.django_db

UTM_FORM = {
    "utm_source": "{network}",
    "utm_medium": "social",
    "utm_campaign": "{campaign}",
    "utm_term": "",
    "utm_content": "{channel}",
    "domains": "acme.example\n",
    "is_active": "on",
}


@pytest.fixture
def alice_client(alice: User, acme: Workspace) -> Client:
    return signed_in(alice)


def test_the_page_shows_the_forms_the_campaigns_and_a_preview(alice_client, acme):
    Campaign.objects.create(workspace=acme, name="Rentrée <2026>")
    page = alice_client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="utm-default-form"' in html
    assert "Rentrée &lt;2026&gt;" in html
    assert "Not saved yet: links are not tagged." in html
    # the sample text's link, as written (no template yet)
    assert "https://example.com/guide?ref=home#tips" in html


def test_an_editor_may_not_open_it(bob: User, acme: Workspace):
    assert signed_in(bob).get(PAGE).status_code == 403


def test_saving_the_default_template(alice_client, acme):
    answer = alice_client.post(PAGE + "default/", UTM_FORM)
    assert answer.status_code == 302
    template = UtmTemplate.objects.get(workspace=acme, campaign=None)
    assert (template.utm_content, template.domains) == ("{channel}", "acme.example")
    assert AuditEntry.objects.filter(action="links.utm_save", via="web").count() == 1


def test_an_unknown_placeholder_is_shown_beside_its_field(alice_client, acme):
    answer = alice_client.post(PAGE + "default/", {**UTM_FORM, "utm_source": "{netwerk}"})
    assert answer.status_code == 400
    assert "utm_source uses {netwerk}" in answer.content.decode()
    assert not UtmTemplate.objects.exists()


def test_a_campaign_gets_its_own_template_then_goes_back_to_the_default(alice_client, acme):
    campaign = Campaign.objects.create(workspace=acme, name="Launch")
    url = f"{PAGE}campaigns/{campaign.pk}/"
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, {**UTM_FORM, "utm_medium": "paid"}).status_code == 302
    assert UtmTemplate.objects.get(campaign=campaign).utm_medium == "paid"
    assert alice_client.post(url + "delete/").status_code == 302
    assert not UtmTemplate.objects.filter(campaign=campaign).exists()


def test_another_workspaces_campaign_is_not_found(alice_client, acme, globex):
    theirs = Campaign.objects.create(workspace=globex, name="Theirs")
    assert alice_client.get(f"{PAGE}campaigns/{theirs.pk}/").status_code == 404


def test_the_token_is_saved_encrypted_and_never_shown_back(alice_client, acme):
    form = {"shortener": "kutt", "api_url": "", "domain": "", "token": "kutt-secret-key"}
    assert alice_client.post(PAGE + "shortener/", form).status_code == 302
    row = LinkSettings.objects.get(workspace=acme)
    assert row.token != "kutt-secret-key" and crypto.decrypt(row.token) == "kutt-secret-key"
    html = alice_client.get(PAGE).content.decode()
    assert "kutt-secret-key" not in html and "A token is saved." in html
    entry = AuditEntry.objects.get(action="links.shortener_save")
    assert "kutt-secret-key" not in str(entry.after)
    # an empty token field keeps the saved one
    alice_client.post(PAGE + "shortener/", {**form, "token": "", "domain": "go.acme.example"})
    row.refresh_from_db()
    assert crypto.decrypt(row.token) == "kutt-secret-key" and row.domain == "go.acme.example"


def test_a_shortener_needs_its_token(alice_client, acme):
    answer = alice_client.post(PAGE + "shortener/", {"shortener": "bitly", "token": ""})
    assert answer.status_code == 400
    assert "Give the shortener&#x27;s API token." in answer.content.decode()


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["kutt.to"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


def test_the_test_button_shortens_a_sample_link(alice_client, acme, router):
    LinkSettings.objects.create(workspace=acme, shortener="kutt", token=crypto.encrypt("k"))
    router.post("https://kutt.to/api/v2/links").respond(201, json={"link": "https://kutt.to/s4m"})
    page = alice_client.post(PAGE + "shortener/test/", follow=True)
    assert (
        "The shortener works: the sample link became https://kutt.to/s4m" in page.content.decode()
    )


def test_the_test_button_says_why_it_failed(alice_client, acme, router):
    LinkSettings.objects.create(workspace=acme, shortener="kutt", token=crypto.encrypt("k"))
    router.post("https://kutt.to/api/v2/links").respond(401, json={"error": "API key invalid"})
    page = alice_client.post(PAGE + "shortener/test/", follow=True)
    assert "The test failed: Kutt refused the token (HTTP 401)" in page.content.decode()


def test_the_live_preview_tags_and_escapes(alice_client, acme):
    UtmTemplate.objects.create(workspace=acme)
    text = "<script>alert(1)</script> https://acme.example/a?x=1"
    html = alice_client.get(PAGE + "preview/", {"text": text}).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "https://acme.example/a?x=1&amp;utm_source=network&amp;utm_medium=social" in html
