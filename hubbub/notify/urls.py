"""Alert destination pages, named "notify:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.notify import views

app_name = "notify"

urlpatterns = [
    path("w/<slug:slug>/alerts/", views.destination_list, name="list"),
    path("w/<slug:slug>/alerts/<int:destination_id>/", views.destination_detail, name="detail"),
    path("w/<slug:slug>/alerts/<int:destination_id>/test/", views.destination_test, name="test"),
    path(
        "w/<slug:slug>/alerts/<int:destination_id>/delete/",
        views.destination_delete,
        name="delete",
    ),
]
