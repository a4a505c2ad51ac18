"""The demo's links: a default UTM template, and one for the workspace's first campaign that
names the post in utm_content (to compare the posts of a launch), in the workspace's
language. No shortener: the demo has no account at Bitly, YOURLS or Kutt."""

from __future__ import annotations

from hubbub.core.access import Access
from hubbub.curation.links_actions import UtmInput, save_template
from hubbub.curation.models import UtmTemplate
from hubbub.publishing.models import Campaign

# The demo brand's own sites: links elsewhere (a partner's article) stay as written.
SITES = {"en": "hubbub-coffee.example\n", "fr": "hubbub-cafe.example\n"}
MEDIUM = {"en": "social", "fr": "social-organique"}


def fill_links(access: Access) -> None:
    """Idempotent: templates already there are left as they are."""
    workspace = access.workspace
    language = "fr" if workspace.language == "fr" else "en"
    if not UtmTemplate.objects.filter(workspace=workspace, campaign=None).exists():
        save_template(
            access,
            None,
            UtmInput(utm_medium=MEDIUM[language], domains=SITES[language]),
        )
    campaign = Campaign.objects.filter(workspace=workspace).order_by("starts_on", "pk").first()
    if campaign is None:
        campaign = Campaign.objects.create(
            workspace=workspace,
            name="Lancement de l'automne" if language == "fr" else "Autumn launch",
        )
    if not UtmTemplate.objects.filter(campaign=campaign).exists():
        save_template(
            access,
            campaign,
            UtmInput(
                utm_medium=MEDIUM[language],
                utm_content="post-{post}",
                domains=SITES[language],
            ),
        )
