"""Curation links pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core import crypto
from hubbub.core.models import Workspace
from hubbub.curation.models import LinkSettings, ShortLink, UtmTemplate

MANAGE = {"GET": "links.manage", "POST": "links.manage"}

WEB: dict[str, dict[str, str]] = {
    "curation:links": {"GET": "links.manage"},
    "curation:links_preview": {"GET": "links.manage"},
    "curation:links_default": {"POST": "links.manage"},
    "curation:links_campaign": MANAGE,
    "curation:links_campaign_delete": {"POST": "links.manage"},
    "curation:links_shortener": {"POST": "links.manage"},
    "curation:links_test": {"POST": "links.manage"},
}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/links/utm"): "links.manage",
    ("PUT", f"{W}/links/utm/default"): "links.manage",
    ("PUT", f"{W}/links/utm/campaigns/{{campaign_id}}"): "links.manage",
    ("DELETE", f"{W}/links/utm/campaigns/{{campaign_id}}"): "links.manage",
    ("GET", f"{W}/links/shortener"): "links.manage",
    ("PUT", f"{W}/links/shortener"): "links.manage",
    ("POST", f"{W}/links/shortener/test"): "links.manage",
    ("POST", f"{W}/links/preview"): "curation.view",
}
# Valid for both the API and the forms; names that no other part uses.
BODY: dict[str, Any] = {
    "utm_source": "{network}",
    "utm_medium": "refused",
    "shortener": "kutt",
}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    """A default template, a shortener with a token and a short link: nothing of it may
    change when a refused request comes (the campaign is the shared `campaign_id`)."""
    UtmTemplate.objects.create(workspace=acme, utm_medium="social")
    LinkSettings.objects.create(workspace=acme, shortener="bitly", token=crypto.encrypt("tok"))
    ShortLink.objects.create(
        workspace=acme,
        long_url="https://acme.example/",
        long_key="0" * 64,
        short_url="https://bit.ly/acme",
        provider="bitly",
    )
    return {}


def snapshot() -> dict[str, Any]:
    return {
        "utm_templates": sorted(
            UtmTemplate.objects.values_list("pk", "campaign_id", "utm_medium", "is_active")
        ),
        "link_settings": sorted(
            LinkSettings.objects.values_list("workspace_id", "shortener", "api_url", "token")
        ),
        "short_links": sorted(ShortLink.objects.values_list("pk", "short_url")),
    }
