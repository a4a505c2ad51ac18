from __future__ import annotations

from django.urls import path

from hubbub.networks.wordpress import views

app_name = "wordpress"

urlpatterns = [
    path("w/<slug:slug>/channels/wordpress/connect/", views.connect, name="connect"),
    path(
        "w/<slug:slug>/channels/wordpress/<int:channel_id>/options/",
        views.options,
        name="options",
    ),
]
