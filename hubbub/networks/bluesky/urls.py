from __future__ import annotations

from django.urls import path

from hubbub.networks.bluesky import views

app_name = "bluesky"

urlpatterns = [
    path("w/<slug:slug>/channels/bluesky/connect/", views.connect, name="connect"),
]
