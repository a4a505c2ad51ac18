"""Measure's pages, named "measure:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.measure.views import overview

app_name = "measure"

M = "w/<slug:slug>/measure/"

urlpatterns = [
    path(M, overview.overview, name="overview"),
    path(M + "channels.csv", overview.channels_csv, name="channels_csv"),
    path(M + "posts.csv", overview.posts_csv, name="posts_csv"),
]
