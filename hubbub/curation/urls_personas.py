"""Curation's personas pages (included by hubbub.curation.urls, names "curation:<name>";
each holds "persona" or "suggest" so the navigation marks its link)."""

from __future__ import annotations

from django.urls import URLPattern, path

from hubbub.curation import views_personas as views

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = [
    path(C + "personas/", views.persona_list, name="personas"),
    path(C + "personas/new/", views.persona_new, name="persona_new"),
    path(C + "personas/<int:persona_id>/", views.persona_edit, name="persona_edit"),
    path(C + "personas/<int:persona_id>/delete/", views.persona_delete, name="persona_delete"),
    path(C + "suggestions/", views.suggestion_list, name="suggestions"),
    path(
        C + "suggestions/<int:persona_id>/dismiss/",
        views.suggestion_dismiss,
        name="suggestion_dismiss",
    ),
    path(C + "compose/persona/", views.compose_persona, name="compose_persona"),
]
