"""The demo's links: a default template and one for a campaign, in the workspace's language,
and a second run adds nothing."""

from __future__ import annotations

import pytest

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.models import Workspace
from hubbub.curation import links
from hubbub.curation.demo_links import fill_links
from hubbub.curation.models import UtmTemplate
from hubbub.publishing.models import Campaign

pytestmark = pytest.mark.django_db


def test_a_french_workspace_gets_french_templates_once(alice: User, acme: Workspace):
    acme.language = "fr"
    acme.save()
    fill_links(access_workspace(alice, "acme"))
    fill_links(access_workspace(alice, "acme"))
    campaign = Campaign.objects.get(workspace=acme)
    assert campaign.name == "Lancement de l'automne"
    assert UtmTemplate.objects.filter(workspace=acme).count() == 2
    own = links.template_for(acme, campaign.pk)
    assert own is not None and own.campaign_id == campaign.pk
    tagged = links.tag(
        "https://hubbub-cafe.example/menu",
        own,
        {"network": "bluesky", "campaign": campaign.name, "post": "7"},
    )
    assert tagged == (
        "https://hubbub-cafe.example/menu?utm_source=bluesky&utm_medium=social-organique"
        "&utm_campaign=lancement-de-l-automne&utm_content=post-7"
    )
    assert links.skip_reason("https://partner.example/", own) == "not one of the sites to tag"


def test_an_english_workspace_uses_its_existing_campaign(alice: User, acme: Workspace):
    launch = Campaign.objects.create(workspace=acme, name="Spring menu")
    fill_links(access_workspace(alice, "acme"))
    assert UtmTemplate.objects.get(workspace=acme, campaign=launch).utm_medium == "social"
    assert UtmTemplate.objects.get(workspace=acme, campaign=None).domains == "hubbub-coffee.example"
