"""Listening's pages, named "listening:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.listening.views import alerts, mentions, overview, queries, sources

app_name = "listening"

L = "w/<slug:slug>/listening/"

urlpatterns = [
    path(L, overview.overview, name="overview"),
    path(L + "mentions/", mentions.mention_list, name="mentions"),
    path(L + "mentions/export.csv", mentions.export, name="export"),
    path(L + "mentions/<int:mention_id>/sentiment/", mentions.correct, name="correct"),
    path(
        L + "mentions/<int:mention_id>/conversation/",
        mentions.to_conversation,
        name="to_conversation",
    ),
    path(L + "queries/", queries.query_list, name="queries"),
    path(L + "queries/new/", queries.query_new, name="query_new"),
    path(L + "queries/preview/", queries.preview, name="preview"),
    path(L + "queries/<int:query_id>/", queries.query_edit, name="query_edit"),
    path(L + "queries/<int:query_id>/delete/", queries.query_delete, name="query_delete"),
    path(L + "groups/new/", queries.group_new, name="group_new"),
    path(L + "groups/<int:group_id>/delete/", queries.group_delete, name="group_delete"),
    path(L + "sources/", sources.source_list, name="sources"),
    path(L + "sources/new/", sources.source_new, name="source_new"),
    path(L + "sources/<int:source_id>/", sources.source_edit, name="source_edit"),
    path(L + "sources/<int:source_id>/read/", sources.source_read, name="source_read"),
    path(L + "sources/<int:source_id>/delete/", sources.source_delete, name="source_delete"),
    path(L + "alerts/", alerts.alert_list, name="alerts"),
    path(L + "alerts/<int:alert_id>/", alerts.alert_page, name="alert"),
    path(L + "alerts/<int:alert_id>/acknowledge/", alerts.acknowledge, name="alert_ack"),
    path(L + "alerts/<int:alert_id>/crisis/", alerts.crisis, name="alert_crisis"),
    path(L + "learning/", mentions.learning, name="learning"),
]
