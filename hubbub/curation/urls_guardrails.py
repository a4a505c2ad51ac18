"""Curation's guardrails pages (included by hubbub.curation.urls, names "curation:<name>")."""

from __future__ import annotations

from django.urls import URLPattern, path

from hubbub.curation import views_guardrails as views

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = [
    path(C + "guardrails/", views.guardrails_page, name="guardrails"),
    path(C + "guardrails/try/", views.guardrails_try, name="guardrails_try"),
]
