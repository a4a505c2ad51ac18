"""The demo's curation: feeds with items in the workspace's language and the other, a
library, two personas with their suggestions, graphics templates, UTM templates and the
guardrails' settings, so every Create page has something real to show."""

from __future__ import annotations

from hubbub.core.access import Access
from hubbub.curation.demo_feeds import fill_feeds
from hubbub.curation.demo_graphics import fill_graphics
from hubbub.curation.demo_guardrails import fill_guardrails
from hubbub.curation.demo_links import fill_links
from hubbub.curation.demo_personas import fill_personas


def fill_curation(access: Access) -> None:
    """Each part's filling is idempotent; personas come after the feeds they rank."""
    fill_feeds(access)
    fill_personas(access)
    fill_graphics(access)
    fill_links(access)
    fill_guardrails(access)
