"""Curation's links pages: UTM templates and the shortener (names "curation:<name>")."""

from __future__ import annotations

from django.urls import URLPattern

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = []
