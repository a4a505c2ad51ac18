from __future__ import annotations

from django.urls import path

from hubbub.networks.slack import views

app_name = "slack"

urlpatterns = [
    path("w/<slug:slug>/channels/slack/connect/", views.connect, name="connect"),
]
