"""The demo's feeds and library: items in the workspace's language and in the other one,
an error to look at, and a library of every kind, filled once however often it runs."""

from __future__ import annotations

import pytest

from hubbub.core.access import access_workspace
from hubbub.core.models import Workspace
from hubbub.curation.demo_feeds import fill_feeds
from hubbub.curation.models import Feed, FeedItem, LibraryItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_demo_fills_feeds_in_both_languages_and_a_library(
    alice, acme: Workspace, language: str, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    Workspace.objects.filter(pk=acme.pk).update(language=language)
    access = access_workspace(alice, "acme")

    fill_feeds(access)
    fill_feeds(access)  # a second run adds nothing

    languages = set(FeedItem.objects.values_list("language", flat=True))
    assert languages == {"en", "fr"}
    assert FeedItem.objects.filter(language=language).count() > 3
    assert Feed.objects.exclude(last_error="").count() == 1
    kinds = set(LibraryItem.objects.values_list("kind", flat=True))
    assert kinds == {"snippet", "hashtags", "link", "image", "article"}
    assert Feed.objects.count() == 3
    image = LibraryItem.objects.get(kind="image")
    assert (tmp_path / image.media_path).exists()
