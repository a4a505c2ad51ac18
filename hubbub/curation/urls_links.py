"""Curation's links pages: UTM templates and the shortener (names "curation:<name>")."""

from __future__ import annotations

from django.urls import URLPattern, path

from hubbub.curation import views_links as views

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = [
    path(C + "links/", views.links_page, name="links"),
    path(C + "links/preview/", views.links_preview, name="links_preview"),
    path(C + "links/default/", views.links_default, name="links_default"),
    path(C + "links/campaigns/<int:campaign_id>/", views.links_campaign, name="links_campaign"),
    path(
        C + "links/campaigns/<int:campaign_id>/delete/",
        views.links_campaign_delete,
        name="links_campaign_delete",
    ),
    path(C + "links/shortener/", views.links_shortener, name="links_shortener"),
    path(C + "links/shortener/test/", views.links_test, name="links_test"),
]
