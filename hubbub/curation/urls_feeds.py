"""Curation's feeds and library pages (included by hubbub.curation.urls, names
"curation:<name>"; each holds "feed" or "library" so the navigation marks its link)."""

from __future__ import annotations

from django.urls import URLPattern, path

from hubbub.curation import views_feeds, views_library

C = "w/<slug:slug>/curate/"

urlpatterns: list[URLPattern] = [
    path(C + "feeds/", views_feeds.feed_list, name="feeds"),
    path(C + "feeds/new/", views_feeds.feed_new, name="feed_new"),
    path(C + "feeds/opml/", views_feeds.feeds_opml, name="feeds_opml"),
    path(C + "feeds/opml/import/", views_feeds.feeds_opml_import, name="feeds_opml_import"),
    path(C + "feeds/<int:feed_id>/", views_feeds.feed_edit, name="feed_edit"),
    path(C + "feeds/<int:feed_id>/read/", views_feeds.feed_read, name="feed_read"),
    path(C + "feeds/<int:feed_id>/pause/", views_feeds.feed_pause, name="feed_pause"),
    path(C + "feeds/<int:feed_id>/delete/", views_feeds.feed_delete, name="feed_delete"),
    path(C + "feeds/items/", views_feeds.feed_items, name="feed_items"),
    path(C + "feeds/items/read/", views_feeds.feed_items_read_all, name="feed_items_read_all"),
    path(
        C + "feeds/items/<int:feed_item_id>/read/",
        views_feeds.feed_item_read,
        name="feed_item_read",
    ),
    path(
        C + "feeds/items/<int:feed_item_id>/save/",
        views_feeds.feed_item_save,
        name="feed_item_save",
    ),
    path(C + "library/", views_library.library_list, name="library"),
    path(C + "library/new/", views_library.library_new, name="library_new"),
    path(C + "library/export.csv", views_library.library_export, name="library_export"),
    path(C + "library/import/", views_library.library_import, name="library_import"),
    path(C + "library/<int:library_item_id>/", views_library.library_edit, name="library_edit"),
    path(
        C + "library/<int:library_item_id>/approve/",
        views_library.library_approve,
        name="library_approve",
    ),
    path(
        C + "library/<int:library_item_id>/delete/",
        views_library.library_delete,
        name="library_delete",
    ),
]
