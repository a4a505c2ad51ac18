"""The feeds and library pages as a person uses them: subscribing (and the refusal of a
private address shown on the page), the list with unread counts and errors, the reader's
filters and read marks, mark all read, OPML out and in, save to library, the library's
search, approval, CSV import with line numbers; feed text is escaped everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, FeedItemRead, LibraryItem, LibraryKind
from tests.conftest import signed_in
from tests.curation.feed_server import FeedServer, answer, rss, rss_item, server

__all__ = ["server"]

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def url(name: str, *args: object) -> str:
    return reverse(f"curation:{name}", args=["acme", *args])


@pytest.fixture
def news(acme: Workspace) -> Feed:
    feed = Feed.objects.create(
        workspace=acme, url="https://news.example/feed", title="News", topic="Industry"
    )
    for number in range(3):
        FeedItem.objects.create(
            workspace=acme,
            feed=feed,
            key=f"k{number}",
            url=f"https://news.example/{number}",
            title=f"Story {number} <script>alert(1)</script>",
            text="Body",
            published_at=NOW - timedelta(hours=number),
        )
    return feed


@pytest.mark.usefixtures("private_networks_allowed")
def test_subscribing_from_the_page_reads_the_feed(server: FeedServer, alice_client: Client) -> None:
    server.routes["/feed.xml"] = answer(rss(rss_item("https://c.example/1", "Hello")).encode())
    response = alice_client.post(
        url("feed_new"), {"url": server.url("/feed.xml"), "topic": "Coffee"}, follow=True
    )
    assert response.status_code == 200
    assert "Subscribed to “Coffee Weekly”: 1 item." in response.content.decode()
    assert Feed.objects.get().topic == "Coffee"


def test_a_private_address_is_refused_on_the_page(alice_client: Client) -> None:
    response = alice_client.post(url("feed_new"), {"url": "http://127.0.0.1:9/feed"})
    assert response.status_code == 400
    assert "private or local address" in response.content.decode()
    assert Feed.objects.count() == 0


def test_the_feeds_page_shows_topics_unread_counts_and_errors(
    alice_client: Client, alice, news: Feed
) -> None:
    FeedItemRead.objects.create(item=news.items.all()[0], user=alice)
    Feed.objects.filter(pk=news.pk).update(last_error="The feed's server answered HTTP 500.")
    page = alice_client.get(url("feeds")).content.decode()
    assert "Industry" in page
    assert '<td data-testid="feed-unread">2</td>' in page
    assert "The feed&#x27;s server answered HTTP 500." in page


def test_the_reader_escapes_feed_text_and_filters_unread(
    alice_client: Client, alice, news: Feed
) -> None:
    newest = news.items.order_by("-published_at").first()
    assert newest is not None
    FeedItemRead.objects.create(item=newest, user=alice)
    page = alice_client.get(url("feed_items") + "?unread=1").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Story 1 &lt;script&gt;" in page
    assert "Story 0" not in page  # read, so filtered out
    assert f"?share=feed:{newest.pk}" not in page
    everything = alice_client.get(url("feed_items")).content.decode()
    assert f"?share=feed:{newest.pk}" in everything


def test_read_marks_are_each_persons_own(alice_client: Client, alice, bob, news: Feed) -> None:
    item = news.items.first()
    assert item is not None
    alice_client.post(url("feed_item_read", item.pk), {"read": "1"}, headers={"HX-Request": "1"})
    assert FeedItemRead.objects.filter(item=item, user=alice).exists()
    assert not FeedItemRead.objects.filter(user=bob).exists()
    alice_client.post(url("feed_item_read", item.pk), {"read": "0"})
    assert not FeedItemRead.objects.filter(item=item).exists()


def test_mark_all_read_takes_the_filter(alice_client: Client, alice, news: Feed, acme) -> None:
    other = Feed.objects.create(workspace=acme, url="https://other.example/rss", title="Other")
    FeedItem.objects.create(workspace=acme, feed=other, key="o", title="Other", published_at=NOW)
    alice_client.post(url("feed_items_read_all"), {"feed": str(news.pk)})
    assert FeedItemRead.objects.filter(user=alice).count() == 3
    assert not FeedItemRead.objects.filter(item__feed=other).exists()


def test_opml_goes_out_and_comes_back_in(alice_client: Client, news: Feed, acme: Workspace) -> None:
    exported = alice_client.get(url("feeds_opml"))
    assert b'xmlUrl="https://news.example/feed"' in exported.content
    assert b'<outline text="Industry"' in exported.content
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head/><body>'
        b'<outline text="Tech"><outline type="rss" text="Blog" xmlUrl="https://blog.example/rss"/>'
        b'<outline type="rss" text="Local" xmlUrl="http://10.0.0.1/rss"/></outline>'
        b'<outline type="rss" text="News" xmlUrl="https://news.example/feed"/></body></opml>'
    )
    response = alice_client.post(
        url("feeds_opml_import"),
        {"file": SimpleUploadedFile("subs.opml", opml, "text/xml")},
        follow=True,
    )
    page = response.content.decode()
    assert "1 feed added" in page
    assert "1 was already read" in page
    assert "Feed 2 (Local)" in page and "private or local address" in page
    assert Feed.objects.get(url="https://blog.example/rss").topic == "Tech"


def test_a_broken_opml_file_says_so(alice_client: Client) -> None:
    response = alice_client.post(
        url("feeds_opml_import"),
        {"file": SimpleUploadedFile("x.opml", b"<opml><body>", "text/xml")},
        follow=True,
    )
    assert "This is not an OPML file" in response.content.decode()


def test_save_to_library_and_approve_from_the_pages(alice_client: Client, news: Feed) -> None:
    item = news.items.first()
    assert item is not None
    alice_client.post(url("feed_item_save", item.pk))
    saved = LibraryItem.objects.get()
    assert (saved.kind, saved.source_name) == (LibraryKind.ARTICLE, "News")
    alice_client.post(url("library_approve", saved.pk), {"approved": "1"})
    page = alice_client.get(url("library") + "?approved=yes").content.decode()
    assert 'data-testid="approved-badge"' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page


def test_an_editor_sees_no_approve_button(acme: Workspace, bob) -> None:
    LibraryItem.objects.create(workspace=acme, kind="snippet", title="Hi", text="Hello")
    page = signed_in(bob).get(url("library")).content.decode()
    assert 'data-testid="approve"' not in page
    assert "Draft a post" in page


def test_adding_a_snippet_and_searching_for_it(alice_client: Client) -> None:
    response = alice_client.post(
        url("library_new"),
        {"kind": "snippet", "title": "Refunds", "text": "Refunds take 5 days.", "tags": "care"},
    )
    assert response.status_code == 302
    page = alice_client.get(url("library") + "?q=refunds&tag=care").content.decode()
    assert "Refunds take 5 days." in page
    assert (
        "Nothing in the library matches"
        in alice_client.get(url("library") + "?q=zzz").content.decode()
    )


def test_csv_import_page_lists_bad_lines(alice_client: Client) -> None:
    content = b"kind,title,text,url,tags,language\nsnippet,Hi,Hello,,,\nlink,Bad,,nope,,\n"
    response = alice_client.post(
        url("library_import"), {"file": SimpleUploadedFile("l.csv", content, "text/csv")}
    )
    page = response.content.decode()
    assert "1 item imported." in page
    assert "Line 3: The link must be a web address" in page
    assert LibraryItem.objects.count() == 1
