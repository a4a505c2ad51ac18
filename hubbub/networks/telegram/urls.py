from __future__ import annotations

from django.urls import path

from hubbub.networks.telegram import views

app_name = "telegram"

urlpatterns = [
    path("w/<slug:slug>/channels/telegram/connect/", views.connect, name="connect"),
]
