"""Curation's graphics pages (included by hubbub.curation.urls, names "curation:<name>")."""

from __future__ import annotations

from django.urls import URLPattern, path

from hubbub.curation import views_graphics as views

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = [
    path(C + "templates/", views.template_list, name="templates"),
    path(C + "templates/new/", views.template_new, name="template_new"),
    path(C + "templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path(C + "templates/<int:template_id>/delete/", views.template_delete, name="template_delete"),
    path(
        C + "templates/<int:template_id>/preview.png",
        views.template_preview,
        name="template_preview",
    ),
    # The composer's Graphic panel and its "Add to post" (see curation/_compose_graphics.html)
    path(C + "compose/graphics/", views.compose_graphics, name="compose_graphics"),
    path(C + "compose/graphic/", views.compose_graphic, name="compose_graphic"),
]
