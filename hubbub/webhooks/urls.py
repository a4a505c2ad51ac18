"""Webhook pages, named "webhooks:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("w/<slug:slug>/webhooks/", views.endpoint_list, name="list"),
    path("w/<slug:slug>/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="detail"),
    path("w/<slug:slug>/webhooks/<int:endpoint_id>/rotate/", views.endpoint_rotate, name="rotate"),
    path("w/<slug:slug>/webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="test"),
    path("w/<slug:slug>/webhooks/<int:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
]
