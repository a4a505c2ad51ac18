from __future__ import annotations

from django.urls import path

from hubbub.networks.matrix import views

app_name = "matrix"

urlpatterns = [
    path("w/<slug:slug>/channels/matrix/connect/", views.connect, name="connect"),
]
