"""Sharing: what the composer is pre-filled with for a feed item or a library item (the
credit and the link), nothing for another workspace's, and one Share row per post and
source however often the post is saved."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hubbub.core.access import Access, access_workspace
from hubbub.core.models import Workspace
from hubbub.curation import sharing
from hubbub.curation.models import Feed, FeedItem, LibraryItem, LibraryKind, Share
from hubbub.publishing.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(alice, acme: Workspace) -> Access:
    return access_workspace(alice, "acme")


@pytest.fixture
def article(acme: Workspace) -> FeedItem:
    feed = Feed.objects.create(workspace=acme, url="https://journal.example/rss", title="Journal")
    return FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k1",
        url="https://journal.example/a1",
        title="Coffee prices rise",
        author="Jeanne Roy",
        published_at=timezone.now(),
    )


def test_a_feed_item_prefills_title_credit_and_link(owner: Access, article: FeedItem) -> None:
    found = sharing.prefill(owner, f"feed:{article.pk}")
    assert found is not None
    assert found.source == f"feed:{article.pk}"
    assert found.purpose == "Share: Coffee prices rise"
    assert found.text == (
        "Coffee prices rise\nvia Jeanne Roy / Journal\nhttps://journal.example/a1"
    )
    assert found.link == "https://journal.example/a1"
    assert found.variants == {}


def test_library_kinds_prefill_what_each_holds(owner: Access, acme: Workspace) -> None:
    words = LibraryItem.objects.create(
        workspace=acme, kind=LibraryKind.SNIPPET, title="Thanks", text="Thank you!"
    )
    picture = LibraryItem.objects.create(
        workspace=acme,
        kind=LibraryKind.IMAGE,
        title="Shop",
        media_path="acme/2026/11/shop.png",
        alt_text="Our shop",
        source_author="Photo: Lou",
    )
    snippet = sharing.prefill(owner, f"library:{words.pk}")
    image = sharing.prefill(owner, f"library:{picture.pk}")
    assert snippet is not None and image is not None
    assert (snippet.text, snippet.link) == ("Thank you!", "")
    assert (image.media_path, image.alt_text) == ("acme/2026/11/shop.png", "Our shop")
    assert image.text == "via Photo: Lou"


@pytest.mark.parametrize("source", ["", "feed:", "feed:x", "post:1", "library:999999"])
def test_an_unknown_source_prefills_nothing(owner: Access, source: str) -> None:
    assert sharing.prefill(owner, source) is None


def test_another_workspaces_item_is_unknown(charlie, globex, article: FeedItem) -> None:
    outsider = access_workspace(charlie, "globex")
    assert sharing.prefill(outsider, f"feed:{article.pk}") is None
    post = Post.objects.create(workspace=globex, author=charlie, purpose="x")
    sharing.record_share(outsider, post, f"feed:{article.pk}")
    assert Share.objects.count() == 0


def test_a_share_is_recorded_once_with_its_credit(owner: Access, article: FeedItem) -> None:
    post = Post.objects.create(workspace=owner.workspace, author=owner.user, purpose="Share")
    sharing.record_share(owner, post, f"feed:{article.pk}")
    sharing.record_share(owner, post, f"feed:{article.pk}")
    shares = sharing.shares_of(post)
    assert len(shares) == 1
    assert (shares[0].source_url, shares[0].source_author, shares[0].source_name) == (
        "https://journal.example/a1",
        "Jeanne Roy",
        "Journal",
    )
    assert shares[0].feed_item == article
