"""Curation's graphics pages (included by hubbub.curation.urls, names "curation:<name>")."""

from __future__ import annotations

from django.urls import URLPattern

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = []
