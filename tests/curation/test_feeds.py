"""Feeds end to end against a real HTTP server on 127.0.0.1: discovery from a site's page,
parsing, de-duplication across feeds and reads, malformed feeds (invalid XML, a lying
encoding, a huge item) kept without losing the others, a feed too large, a private
address, unchanged feeds (ETag), claiming, and one failing feed among good ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import time_machine

from hubbub.core import http
from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation import feeds
from hubbub.curation.models import Feed, FeedItem
from tests.curation.feed_server import FeedServer, answer, rss, rss_item, server, streaming

__all__ = ["server"]  # the fixture, imported for the tests below

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

SITE_PAGE = b"""<!doctype html><html><head><title>Coffee Weekly</title>
<link rel="alternate" type="application/rss+xml" title="Coffee Weekly" href="/feed.xml">
</head><body><p>Welcome</p></body></html>"""

GOOD = rss(
    rss_item("https://coffee.example/beans", "New beans", "Ethiopian beans are in.", author="Ana"),
    rss_item("https://coffee.example/grinders", "Grinders", "A <b>burr</b> grinder review."),
).encode()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(alice, acme: Workspace) -> Access:
    return access_workspace(alice, "acme")


def items() -> dict[str, FeedItem]:
    return {i.url or i.external_id: i for i in FeedItem.objects.all()}


def a_feed(workspace: Workspace, url: str, **extra: object) -> Feed:
    return Feed.objects.create(workspace=workspace, url=url, next_read_at=NOW, **extra)


def read(feed: Feed) -> Feed:
    assert feeds.claim(feed, NOW)
    feeds.read_feed(feed, NOW)
    feed.refresh_from_db()
    return feed


# --- discovery --------------------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_sites_page_leads_to_its_feed_through_its_alternate_link(
    server: FeedServer, owner: Access
) -> None:
    server.routes["/"] = answer(SITE_PAGE, "text/html; charset=utf-8")
    server.routes["/feed.xml"] = answer(GOOD)

    feed = feeds.subscribe(owner, server.url("/"), topic="Coffee")

    assert feed.url == server.url("/feed.xml")
    assert feed.title == "Coffee Weekly"
    assert feed.topic == "Coffee"
    assert feed.last_found == 2
    assert sorted(items()) == ["https://coffee.example/beans", "https://coffee.example/grinders"]
    assert items()["https://coffee.example/beans"].author == "Ana"
    assert AuditEntry.objects.filter(action="feed.subscribe", object_id=str(feed.pk)).exists()


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_site_without_a_link_is_found_at_a_usual_path(server: FeedServer, owner: Access) -> None:
    server.routes["/blog"] = answer(b"<html><body>No link here</body></html>", "text/html")
    server.routes["/rss.xml"] = answer(GOOD)

    feed = feeds.subscribe(owner, server.url("/blog"))

    assert feed.url == server.url("/rss.xml")
    assert "/feed" in server.hits  # tried first, in order, before /rss.xml answered


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_feed_address_is_taken_as_it_is(server: FeedServer, owner: Access) -> None:
    server.routes["/atom"] = answer(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Roasters</title>'
        b"<entry><id>tag:r,1</id><title>Light roast</title><link href='https://r.example/1'/>"
        b"<updated>2026-11-19T10:00:00Z</updated></entry></feed>",
        "application/atom+xml",
    )
    feed = feeds.subscribe(owner, server.url("/atom"))
    assert feed.url == server.url("/atom")
    assert feed.title == "Roasters"
    assert server.hits == ["/atom"]


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_feed_served_as_html_is_still_a_feed(server: FeedServer, owner: Access) -> None:
    server.routes["/news"] = answer(GOOD, "text/html; charset=utf-8")
    feed = feeds.subscribe(owner, server.url("/news"))
    assert (feed.url, feed.last_found) == (server.url("/news"), 2)


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_site_with_no_feed_says_so(server: FeedServer, owner: Access) -> None:
    server.routes["/"] = answer(b"<!doctype html><html><title>x</title></html>", "text/html")
    with pytest.raises(ActionError) as refused:
        feeds.subscribe(owner, server.url("/"))
    assert "No RSS or Atom feed was found" in refused.value.message
    assert Feed.objects.count() == 0


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_subscribing_twice_to_one_feed_is_refused(server: FeedServer, owner: Access) -> None:
    server.routes["/feed.xml"] = answer(GOOD)
    feeds.subscribe(owner, server.url("/feed.xml"))
    with pytest.raises(ActionError, match="already reads that feed"):
        feeds.subscribe(owner, server.url("/feed.xml"))


@pytest.mark.usefixtures("clock")
def test_a_feed_on_a_private_address_is_refused_with_a_clear_message(
    server: FeedServer, owner: Access
) -> None:
    server.routes["/feed.xml"] = answer(GOOD)
    with pytest.raises(ActionError) as refused:
        feeds.subscribe(owner, server.url("/feed.xml"))
    assert "127.0.0.1 points to a private or local address" in refused.value.message
    assert server.hits == []  # refused before connecting
    assert Feed.objects.count() == 0


@pytest.mark.parametrize("typed", ["not a url", "coffee", "https://intranet/feed"])
def test_what_is_not_a_web_address_is_said_before_any_lookup(
    typed: str, owner: Access, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError(f"looked up {host}")

    monkeypatch.setattr(http, "resolve_host", no_lookup)
    with pytest.raises(ActionError, match="is not a web address: type a site or feed address"):
        feeds.subscribe(owner, typed)
    assert Feed.objects.count() == 0


@pytest.mark.usefixtures("clock")
def test_a_stored_feed_now_on_a_private_address_fails_on_its_own(
    server: FeedServer, acme: Workspace
) -> None:
    feed = read(a_feed(acme, server.url("/feed.xml")))
    assert "private or local address" in feed.last_error
    assert feed.error_count == 1
    assert feed.next_read_at == NOW + timedelta(seconds=feed.interval)


# --- parsing and de-duplication ----------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_the_same_link_from_two_feeds_and_two_reads_is_one_item(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/a"] = answer(
        rss(
            rss_item("https://News.example/story/?utm_source=rss&utm_medium=feed#top", "Story")
        ).encode()
    )
    server.routes["/b"] = answer(
        rss(
            rss_item("https://news.example/story", "Story again"),
            rss_item("https://news.example/other", "Other"),
        ).encode()
    )
    first, second = a_feed(acme, server.url("/a")), a_feed(acme, server.url("/b"))

    assert read(first).last_found == 1
    assert read(second).last_found == 1  # only "Other" is new
    assert FeedItem.objects.count() == 2
    Feed.objects.filter(pk=first.pk).update(next_read_at=NOW)
    first.refresh_from_db()
    assert read(first).last_found == 0  # a re-read adds nothing
    assert FeedItem.objects.count() == 2


def test_item_keys_ignore_case_trailing_slash_tracking_and_fragment() -> None:
    plain = feeds.item_key(1, "https://news.example/story", "a")
    assert feeds.item_key(2, "HTTPS://NEWS.example/story/?utm_campaign=x&fbclid=1#c", "b") == plain
    assert feeds.item_key(1, "https://news.example/story?page=2", "a") != plain
    # no link: the feed's own id, so two feeds' "1" are two items
    assert feeds.item_key(1, "", "1") != feeds.item_key(2, "", "1")


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_invalid_xml_keeps_the_items_before_the_break_and_says_why(
    server: FeedServer, acme: Workspace
) -> None:
    broken = rss(rss_item("https://ok.example/1", "Fine")).replace("</channel></rss>", "<item><ti")
    server.routes["/broken"] = answer(broken.encode())
    feed = read(a_feed(acme, server.url("/broken")))
    assert feed.last_error == ""
    assert "https://ok.example/1" in items()
    assert any("not well-formed" in p for p in feed.last_problems)


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_declared_encoding_that_lies_is_read_without_losing_items(
    server: FeedServer, acme: Workspace
) -> None:
    body = rss(rss_item("https://cafe.example/1", "Café crème"), encoding="us-ascii").encode()
    server.routes["/lying"] = answer(body, "application/rss+xml")
    read(a_feed(acme, server.url("/lying")))
    assert items()["https://cafe.example/1"].title == "Café crème"


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_huge_item_is_cut_and_the_others_kept(server: FeedServer, acme: Workspace) -> None:
    server.routes["/huge"] = answer(
        rss(
            rss_item("https://huge.example/1", "Huge", "word " * 300_000),
            rss_item("https://huge.example/2", "Small", "fine"),
        ).encode()
    )
    feed = read(a_feed(acme, server.url("/huge")))
    assert set(items()) == {"https://huge.example/1", "https://huge.example/2"}
    assert any("Item 1" in p and "characters long" in p for p in feed.last_problems)


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_page_instead_of_a_feed_is_an_error_on_the_feed(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/page"] = answer(b"<html><body>moved</body></html>", "text/html")
    feed = read(a_feed(acme, server.url("/page")))
    assert "not an RSS or Atom feed" in feed.last_error
    assert FeedItem.objects.count() == 0


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_50_mb_feed_is_refused_while_streaming_and_not_loaded(
    server: FeedServer, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real cap is 20 MB; a 2 MB one keeps the test fast and proves the same path: no
    # Content-Length, so only counting while reading can stop it.
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 2 * 1024 * 1024)
    server.routes["/big"] = streaming(50 * 1024 * 1024)
    feed = read(a_feed(acme, server.url("/big")))
    assert feed.last_error == "The feed is larger than 2 MB; Hubbub reads feeds up to that size."
    assert feed.error_count == 1


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_declared_length_over_the_cap_is_refused_before_reading(
    server: FeedServer, owner: Access
) -> None:
    server.routes["/declared"] = answer(b" " * (feeds.MAX_FEED_BYTES + 1))
    with pytest.raises(ActionError, match="larger than 20 MB"):
        feeds.subscribe(owner, server.url("/declared"))


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_an_unchanged_etag_skips_the_body_and_keeps_the_items(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/tagged"] = answer(GOOD, ETag='"v1"')
    feed = read(a_feed(acme, server.url("/tagged")))
    assert feed.etag == '"v1"'
    assert feed.last_found == 2
    Feed.objects.filter(pk=feed.pk).update(next_read_at=NOW)
    feed.refresh_from_db()
    server.routes["/tagged"] = answer(b"<rss>garbage that would fail</rss>", ETag='"v1"')
    feed = read(feed)
    assert feed.last_error == ""
    assert feed.last_found == 0
    assert FeedItem.objects.count() == 2


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_the_last_validators_are_sent_and_a_304_costs_no_body(
    server: FeedServer, acme: Workspace
) -> None:
    asked: list[tuple[str | None, str | None]] = []

    def conditional(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        asked.append(
            (handler.headers.get("If-None-Match"), handler.headers.get("If-Modified-Since"))
        )
        if handler.headers.get("If-None-Match") == '"v2"':
            handler.send_response(304)
            handler.end_headers()
            return
        answer(GOOD, ETag='"v2"', Last_Modified="Wed, 18 Nov 2026 08:30:00 GMT")(handler, stop)

    server.routes["/conditional"] = conditional
    feed = read(a_feed(acme, server.url("/conditional")))
    assert feed.last_found == 2
    Feed.objects.filter(pk=feed.pk).update(next_read_at=NOW)
    feed.refresh_from_db()
    feed = read(feed)

    assert asked == [(None, None), ('"v2"', "Wed, 18 Nov 2026 08:30:00 GMT")]
    assert (feed.last_error, feed.last_found, feed.etag) == ("", 0, '"v2"')
    assert FeedItem.objects.count() == 2


# --- the schedule -------------------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_one_failing_feed_keeps_its_error_and_the_others_are_read(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/good"] = answer(GOOD)
    server.routes["/gone"] = answer(b"gone", "text/plain", 410)
    good, gone = a_feed(acme, server.url("/good")), a_feed(acme, server.url("/gone"))
    paused = a_feed(acme, server.url("/good?paused"), is_active=False, title="paused")

    result = feeds.read_due(NOW)

    assert (result.read, result.failed) == (1, 1)
    good.refresh_from_db()
    gone.refresh_from_db()
    assert good.last_found == 2 and good.next_read_at == NOW + timedelta(seconds=3600)
    assert gone.last_error == "The feed's server answered HTTP 410."
    paused.refresh_from_db()
    assert paused.last_read_at is None


@pytest.mark.usefixtures("clock")
def test_a_feed_claimed_by_another_worker_is_not_read_twice(acme: Workspace) -> None:
    feed = a_feed(acme, "https://news.example/feed")
    stale = Feed.objects.get(pk=feed.pk)  # what a second worker loaded at the same time
    assert feeds.claim(feed, NOW)
    assert not feeds.claim(stale, NOW)


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_failures_back_off_and_a_success_clears_the_error(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/flaky"] = answer(b"oops", "text/plain", 500)
    feed = a_feed(acme, server.url("/flaky"))
    read(feed)
    Feed.objects.filter(pk=feed.pk).update(next_read_at=NOW)
    feed.refresh_from_db()
    feed = read(feed)
    assert feed.error_count == 2
    assert feed.next_read_at == NOW + timedelta(seconds=2 * 3600)
    server.routes["/flaky"] = answer(GOOD)
    Feed.objects.filter(pk=feed.pk).update(next_read_at=NOW)
    feed.refresh_from_db()
    feed = read(feed)
    assert (feed.error_count, feed.last_error, feed.last_found) == (0, "", 2)
