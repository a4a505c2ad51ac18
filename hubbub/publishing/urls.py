"""Publishing's pages, named "publishing:<name>"; each area's module declares its routes."""

from __future__ import annotations

from django.urls import URLPattern

from hubbub.publishing.views import approvals, calendar, compose, review

app_name = "publishing"

urlpatterns: list[URLPattern] = [
    *compose.urlpatterns,
    *calendar.urlpatterns,
    *approvals.urlpatterns,
    *review.urlpatterns,
]
