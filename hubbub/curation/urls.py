"""Curation's pages, named "curation:<name>"; each part keeps its routes in its own module."""

from __future__ import annotations

from hubbub.curation import urls_feeds, urls_graphics, urls_guardrails, urls_links, urls_personas

app_name = "curation"

urlpatterns = [
    *urls_feeds.urlpatterns,
    *urls_personas.urlpatterns,
    *urls_graphics.urlpatterns,
    *urls_guardrails.urlpatterns,
    *urls_links.urlpatterns,
]
