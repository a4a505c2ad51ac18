from __future__ import annotations

from django.urls import path

from hubbub.networks.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("w/<slug:slug>/channels/newsletter/connect/", views.connect, name="connect"),
    path(
        "w/<slug:slug>/channels/newsletter/<int:channel_id>/subscribers/",
        views.subscribers,
        name="subscribers",
    ),
    path(
        "w/<slug:slug>/channels/newsletter/<int:channel_id>/subscribers.csv",
        views.export,
        name="export",
    ),
    # Public: the link in every newsletter, outside any workspace (the subscriber has no
    # account). GET shows a button; POST unsubscribes (RFC 8058 one-click included).
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
