from __future__ import annotations

from django.urls import path

from hubbub.networks.discord import views

app_name = "discord"

urlpatterns = [
    path("w/<slug:slug>/channels/discord/connect/", views.connect, name="connect"),
]
