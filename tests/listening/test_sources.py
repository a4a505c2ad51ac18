"""Reading listening sources end to end: feeds served by a real HTTP server on 127.0.0.1 (good
RSS and Atom, broken XML, lying encodings, huge items, no dates, too large, slow, trickling,
HTTP errors, private addresses), network searches through a fake connector, and a run over
several sources where each failure stays on its own source and nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.listening import actions, feeds, pipeline, sources
from hubbub.listening.models import ListeningSource, Mention, MentionMatch, Query, SourceKind
from hubbub.networks.base import AuthError, RateLimited
from hubbub.networks.incoming import Author, Incoming, Page
from hubbub.networks.models import Channel, Health
from tests.curation.feed_server import FeedServer, server

pytestmark = pytest.mark.django_db
__all__ = ["server"]  # the fixture: a real HTTP server on 127.0.0.1
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(seconds=300)  # ListeningSource.interval's default

# --- the feeds' bodies -----------------------------------------------------------------------


def rss_item(
    guid: str,
    title: str,
    description: str,
    *,
    date: str | None = "Wed, 18 Nov 2026 08:30:00 +0100",
    author: str = "",
) -> str:
    return (
        f"<item><guid>{guid}</guid><link>{guid}</link><title>{title}</title>"
        f"<description>{description}</description>"
        + (f"<author>{author}</author>" if author else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
    )


def rss(*items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0"><channel><title>Le Journal du Café</title>'
        + "".join(items)
        + "</channel></rss>"
    )


GOOD_RSS = rss(
    rss_item(
        "https://journal.example/a1",
        "Acme rappelle ses cafetières",
        "&lt;p&gt;La marque &lt;b&gt;Acme&lt;/b&gt; rappelle 10 000 cafetières.&lt;/p&gt;",
        author="redaction@journal.example (La rédaction)",
    ),
    rss_item(
        "https://journal.example/a2",
        "Météo du week-end",
        "Du soleil sur toute la France, rien à voir avec une marque.",
        date="Thu, 19 Nov 2026 06:00:00 +0000",
    ),
)

GOOD_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme blog</title>
<entry><id>tag:acme.example,2026:1</id><title>We are hiring</title>
<link href="https://acme.example/jobs"/><updated>2026-11-19T10:00:00Z</updated>
<summary>Short</summary>
<content type="html">&lt;p&gt;A much longer text about jobs at Acme.&lt;/p&gt;</content>
<author><name>Acme team</name></author></entry></feed>"""

RSS_TYPE = "application/rss+xml; charset=utf-8"


def one_item_feed(name: str, text: str) -> bytes:
    return rss(rss_item(f"https://{name}.example/1", f"{name} news", text)).encode()


# --- a real HTTP server, each path answering as the test says -------------------------------

Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def answer(body: bytes, content_type: str = RSS_TYPE, status: int = 200) -> Route:
    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def silent_for(seconds: float) -> Route:
    """Accepts the connection, then says nothing (until the test ends)."""

    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        stop.wait(seconds)

    return route


def trickling(every: float, headers_too: bool = False) -> Route:
    """Sends a byte every `every` seconds (each read well within the time-out) until the
    test ends: the body only, or the status line and headers too."""

    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if headers_too:
            handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
            while not stop.wait(every):
                handler.wfile.write(b"X-Slow: a\r\n")
                handler.wfile.flush()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", RSS_TYPE)
        handler.end_headers()  # no Content-Length: the body ends when the connection does
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        handler.wfile.flush()
        while not stop.wait(every):
            handler.wfile.write(b" ")
            handler.wfile.flush()

    return route


def streaming(total: int, chunk: int = 4096) -> Route:
    """A body of `total` bytes without a Content-Length (chunks until it is done)."""

    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", RSS_TYPE)
        handler.end_headers()
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        sent = 0
        while sent < total and not stop.is_set():
            handler.wfile.write(b" " * chunk)
            sent += chunk

    return route


# --- the database's side --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    pipeline.forget()
    yield
    pipeline.forget()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def brand(acme: Workspace) -> Query:
    return Query.objects.create(workspace=acme, name="Acme", text="acme")


def feed_source(workspace: Workspace, url: str, name: str = "Journal") -> ListeningSource:
    return ListeningSource.objects.create(
        workspace=workspace, kind=SourceKind.FEED, name=name, url=url, next_read_at=NOW
    )


def read(source: ListeningSource) -> ListeningSource:
    sources.read_source(source)
    source.refresh_from_db()
    return source


def failed_with(source: ListeningSource, *words: str) -> str:
    """The source's error, after checking the failure is recorded and backed off."""
    source.refresh_from_db()
    assert source.error_count == 1
    assert source.next_read_at == NOW + INTERVAL  # a first failure waits one interval
    assert source.last_read_at == NOW
    for word in words:
        assert word in source.last_error
    return source.last_error


def stored() -> dict[str, Mention]:
    return {m.external_id: m for m in Mention.objects.all()}


# --- good feeds -----------------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_good_rss_feed_is_stored_matched_and_scheduled(
    server: FeedServer, acme: Workspace, brand: Query
) -> None:
    server.routes["/rss"] = answer(GOOD_RSS.encode())
    source = read(feed_source(acme, server.url("/rss")))

    assert (source.last_error, source.last_problems, source.error_count) == ("", [], 0)
    assert source.last_found == 2
    assert source.cursor == NOW.isoformat()  # the first read is done: no backfill again
    assert source.last_read_at == NOW
    assert source.next_read_at == NOW + INTERVAL
    mentions = stored()
    recall = mentions["https://journal.example/a1"]
    assert recall.network == "rss" and recall.source_id == source.pk
    assert recall.title == "Acme rappelle ses cafetières"
    assert recall.text == (
        "Acme rappelle ses cafetières\n\nLa marque Acme rappelle 10 000 cafetières."
    )
    assert recall.url == "https://journal.example/a1"
    assert recall.published_at == datetime(2026, 11, 18, 7, 30, tzinfo=UTC)
    assert "La rédaction" in recall.author_name
    assert recall.data == {"feed": server.url("/rss"), "dated": True}
    # The brand's query matched the recall, not the weather.
    matched = MentionMatch.objects.filter(query=brand).values_list("mention__external_id")
    assert list(matched) == [("https://journal.example/a1",)]

    # Read again: the same items are not stored twice.
    source = read(ListeningSource.objects.get(pk=source.pk))
    assert source.last_found == 0 and Mention.objects.count() == 2


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_good_atom_feed_is_stored_with_its_author_and_fullest_text(
    server: FeedServer, acme: Workspace, brand: Query
) -> None:
    server.routes["/atom"] = answer(GOOD_ATOM.encode(), "application/atom+xml")
    source = read(feed_source(acme, server.url("/atom")))

    assert (source.last_error, source.last_problems, source.last_found) == ("", [], 1)
    assert source.next_read_at == NOW + INTERVAL and source.cursor == NOW.isoformat()
    (entry,) = Mention.objects.all()
    assert (entry.network, entry.external_id) == ("rss", "tag:acme.example,2026:1")
    assert entry.title == "We are hiring"
    assert entry.text == "We are hiring\n\nA much longer text about jobs at Acme."
    assert entry.url == "https://acme.example/jobs"
    assert entry.author_name == "Acme team"
    assert entry.published_at == datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert MentionMatch.objects.filter(query=brand, mention=entry).exists()


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_first_read_leaves_out_items_older_than_the_backfill(
    server: FeedServer, acme: Workspace
) -> None:
    old = rss_item("https://old.example/1", "Acme in 2019", "Old news.", date="Mon, 01 Jul 2019")
    server.routes["/mixed"] = answer(
        rss(old, rss_item("https://new.example/1", "Acme", "New")).encode()
    )
    source = read(feed_source(acme, server.url("/mixed")))

    assert set(stored()) == {"https://new.example/1"}
    assert source.last_found == 1 and source.last_error == ""


# --- malformed feeds ------------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_invalid_xml_keeps_what_could_be_read_and_says_what_is_wrong(
    server: FeedServer, acme: Workspace
) -> None:
    # An unclosed <b>, a bare &, and the end of the file missing after the second item.
    broken = GOOD_RSS.replace(
        "Du soleil sur toute la France", "Tom & Jerry <b>gras et Acme"
    ).replace("</channel></rss>", "<item><title>Coupé")
    server.routes["/broken"] = answer(broken.encode())
    source = read(feed_source(acme, server.url("/broken")))

    assert source.last_error == "" and source.error_count == 0
    assert {"https://journal.example/a1", "https://journal.example/a2"} <= set(stored())
    assert source.last_problems, "the broken XML is said"
    assert source.last_problems[0].startswith("The feed is not well-formed (")
    assert "item(s) were read anyway" in source.last_problems[0]
    assert source.next_read_at == NOW + INTERVAL


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_xml_with_nothing_usable_is_a_clear_error(server: FeedServer, acme: Workspace) -> None:
    server.routes["/junk"] = answer(b'<?xml version="1.0"?><rss><chan', "application/xml")
    server.routes["/page"] = answer(
        b"<!doctype html><html><body>Welcome to Acme</body></html>", "text/html"
    )
    junk = read(feed_source(acme, server.url("/junk")))
    page = read(feed_source(acme, server.url("/page"), name="Page"))

    assert "not an RSS or Atom feed" in failed_with(junk)
    assert failed_with(page, "not an RSS or Atom feed", "look on the site for its feed link")
    assert Mention.objects.count() == 0


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_declared_encoding_that_lies_is_read_without_mojibake(
    server: FeedServer, acme: Workspace
) -> None:
    latin = rss(rss_item("https://latin.example/1", "Café Acme", "Déjà vu à Montréal"))
    # The XML and the header say UTF-8; the bytes are Latin-1.
    server.routes["/latin"] = answer(latin.encode("latin-1"), RSS_TYPE)
    # The header says Latin-1; the bytes (and the XML) are UTF-8.
    utf8 = rss(rss_item("https://utf8.example/1", "Café Acme", "Noël à Zürich"))
    server.routes["/utf8"] = answer(utf8.encode(), "application/rss+xml; charset=iso-8859-1")
    latin_source = read(feed_source(acme, server.url("/latin")))
    utf8_source = read(feed_source(acme, server.url("/utf8"), name="UTF-8"))

    mentions = stored()
    assert mentions["https://latin.example/1"].text == "Café Acme\n\nDéjà vu à Montréal"
    assert mentions["https://utf8.example/1"].text == "Café Acme\n\nNoël à Zürich"
    for mention in mentions.values():
        assert "Ã" not in mention.text and "\ufffd" not in mention.text
    assert latin_source.last_error == "" and utf8_source.last_error == ""
    (problem,) = latin_source.last_problems
    assert "declared encoding is wrong" in problem and "windows-1252" in problem


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_good_utf8_feed_served_as_text_xml_has_no_problem(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/textxml"] = answer(GOOD_RSS.encode(), "text/xml")
    source = read(feed_source(acme, server.url("/textxml")))
    assert source.last_found == 2
    assert source.last_problems == []


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_huge_item_is_stored_cut_and_the_others_kept(
    server: FeedServer, acme: Workspace, brand: Query
) -> None:
    huge = "Acme " + "blabla " * 5_000  # 35,005 characters, over pipeline.MAX_TEXT
    server.routes["/huge"] = answer(
        rss(
            rss_item("https://huge.example/1", "Huge", huge),
            rss_item("https://small.example/1", "Acme small", "Short."),
        ).encode()
    )
    source = read(feed_source(acme, server.url("/huge")))

    mentions = stored()
    assert len(mentions["https://huge.example/1"].text) == pipeline.MAX_TEXT
    assert mentions["https://huge.example/1"].text.startswith("Huge\n\nAcme blabla")
    assert mentions["https://small.example/1"].text == "Acme small\n\nShort."
    assert source.last_error == "" and source.last_found == 2
    assert MentionMatch.objects.filter(query=brand).count() == 2


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_cut_item_is_said(server: FeedServer, acme: Workspace) -> None:
    server.routes["/huge"] = answer(
        rss(rss_item("https://huge.example/1", "Huge", "blabla " * 5_000)).encode()
    )
    source = read(feed_source(acme, server.url("/huge")))
    assert source.last_problems == [
        "item 1: only its first 10,000 characters were kept (it had 35,005)"
    ]


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_items_without_dates_are_stored_with_the_read_time(
    server: FeedServer, acme: Workspace
) -> None:
    server.routes["/undated"] = answer(
        rss(
            rss_item("https://undated.example/1", "Acme", "No date here.", date=None),
            rss_item("https://undated.example/2", "Acme", "A date nobody reads.", date="soon"),
        ).encode()
    )
    source = read(feed_source(acme, server.url("/undated")))

    mentions = stored()
    assert len(mentions) == 2 and source.last_error == ""
    for mention in mentions.values():
        assert mention.published_at == NOW
        assert mention.data["dated"] is False


# --- feeds that cannot be read ----------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_feed_larger_than_the_limit_is_refused_whole(
    server: FeedServer, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 2 * 1024 * 1024)
    many = rss(*(rss_item(f"https://big.example/{n}", "Acme", "x" * 1000) for n in range(3000)))
    assert len(many) > feeds.MAX_FEED_BYTES
    server.routes["/declared"] = answer(many.encode())  # with a Content-Length
    server.routes["/streamed"] = streaming(3 * 1024 * 1024)  # without one

    declared = read(feed_source(acme, server.url("/declared")))
    streamed = read(feed_source(acme, server.url("/streamed"), name="Streamed"))

    for source in (declared, streamed):
        assert failed_with(source) == (
            "The feed is larger than 2 MB; Hubbub reads feeds up to that size."
        )
        assert source.cursor is None  # its first read is still to come
    assert Mention.objects.count() == 0


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_server_that_stops_answering_times_out(
    server: FeedServer, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "FEED_TIMEOUT", 0.3)
    server.routes["/silent"] = silent_for(5)
    source = feed_source(acme, server.url("/silent"))

    result = sources.read_source(source)

    assert result.failed == 1 and result.read == 0
    assert failed_with(source, "stopped answering")
    assert result.errors == [f"Journal: {source.last_error}"]


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_server_that_trickles_its_feed_is_cut_off_at_the_deadline(
    server: FeedServer, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "FEED_TIMEOUT", 0.3)
    monkeypatch.setattr(sources, "FEED_DEADLINE", 1.0)
    server.routes["/trickle"] = trickling(every=0.05)
    source = feed_source(acme, server.url("/trickle"))

    sources.read_source(source)

    assert failed_with(source) == "The feed took more than 1 seconds to arrive."


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_server_that_trickles_its_headers_is_cut_off_at_the_deadline(
    server: FeedServer, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "FEED_TIMEOUT", 0.3)
    monkeypatch.setattr(sources, "FEED_DEADLINE", 0.5)
    server.routes["/trickle"] = trickling(every=0.05, headers_too=True)
    # Let the server stop after 1.5 s whatever happens, so that the test ends.
    timer = threading.Timer(1.5, server.stop.set)
    timer.daemon = True
    timer.start()
    source = feed_source(acme, server.url("/trickle"))

    sources.read_source(source)
    timer.cancel()

    source.refresh_from_db()
    assert "took more than" in source.last_error


@pytest.mark.usefixtures("private_networks_allowed", "clock")
@pytest.mark.parametrize("status", [404, 500])
def test_an_http_error_is_said_with_its_status(
    server: FeedServer, acme: Workspace, status: int
) -> None:
    server.routes["/feed"] = answer(b"<html>oops</html>", "text/html", status)
    source = read(feed_source(acme, server.url("/feed")))

    assert failed_with(source) == f"The feed's server answered HTTP {status}."
    assert Mention.objects.count() == 0


@pytest.mark.usefixtures("clock")
def test_a_feed_on_a_private_address_is_refused(
    server: FeedServer, acme: Workspace, alice: User
) -> None:
    server.routes["/rss"] = answer(GOOD_RSS.encode())
    url = server.url("/rss")
    source = read(feed_source(acme, url))  # saved before the rule, or by other means

    error = failed_with(source, "127.0.0.1 points to a private or local address")
    assert "only connects to public internet addresses" in error
    assert server.hits == [] and Mention.objects.count() == 0

    access = Access(user=alice, workspace=acme, role=Role.OWNER)
    with pytest.raises(ActionError) as refused:
        actions.create_source(access, actions.SourceInput(kind="feed", name="Local", url=url))
    assert refused.value.field == "url"
    assert "private or local address" in refused.value.message
    assert ListeningSource.objects.count() == 1


# --- network searches -----------------------------------------------------------------------


class FakeSearch:
    """What connector_for returns in these tests: each search call is recorded and answered
    by the next queued Page or exception."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, datetime | None]] = []
        self.answers: list[Page | Exception] = []

    def search(self, terms: str, cursor: str | None, since: datetime | None = None) -> Page:
        self.calls.append((terms, cursor, since))
        if not self.answers:
            return Page(items=[], cursor=cursor)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def search(monkeypatch: pytest.MonkeyPatch) -> FakeSearch:
    fake = FakeSearch()
    monkeypatch.setattr(sources, "connector_for", lambda channel: fake)
    return fake


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )


def search_source(channel: Channel, terms: str = "acme") -> ListeningSource:
    return ListeningSource.objects.create(
        workspace=channel.workspace,
        kind=SourceKind.SEARCH,
        name=f"Bluesky: {terms}",
        channel=channel,
        terms=terms,
        backfill_days=3,
        next_read_at=NOW,
    )


def post(external_id: str, text: str, **kw: object) -> Incoming:
    values: dict[str, object] = {
        "external_id": external_id,
        "text": text,
        "author": Author(
            external_id="did:plc:carol",
            handle="carol.bsky.social",
            name="Carol",
            profile_url="https://bsky.app/profile/carol.bsky.social",
            followers_count=12_345,
        ),
        "created_at": NOW - timedelta(hours=1),
        "url": f"https://bsky.app/profile/carol.bsky.social/post/{external_id}",
        "language": "en",
        "shares": 7,
    }
    values.update(kw)
    return Incoming(**values)  # type: ignore[arg-type]


@pytest.mark.usefixtures("clock")
def test_a_search_stores_what_the_network_found_and_passes_its_cursor_on(
    channel: Channel, search: FakeSearch, brand: Query, clock: time_machine.Traveller
) -> None:
    search.answers = [
        Page(
            items=[post("p1", "I just bought an Acme coffee machine, it is great")],
            cursor="c0",
            more=True,
        ),
        Page(items=[post("p2", "Acme support answered me within minutes")], cursor="c1"),
    ]
    source = read(search_source(channel))

    # A first read goes back backfill_days; `more` was read back to back, from its cursor.
    assert search.calls == [
        ("acme", None, NOW - timedelta(days=3)),
        ("acme", "c0", None),
    ]
    assert source.cursor == "c1"
    assert (source.last_error, source.error_count, source.last_found) == ("", 0, 2)
    assert source.next_read_at == NOW + INTERVAL
    mentions = stored()
    assert set(mentions) == {"p1", "p2"}
    first = mentions["p1"]
    assert first.network == "bluesky" and first.source_id == source.pk
    assert (first.author_handle, first.author_name) == ("carol.bsky.social", "Carol")
    assert first.author_url == "https://bsky.app/profile/carol.bsky.social"
    assert first.author_reach == 12_345
    assert first.language == "en"
    assert first.data == {"shares": 7, "author_id": "did:plc:carol", "in_reply_to": ""}
    assert first.published_at == NOW - timedelta(hours=1)
    assert MentionMatch.objects.filter(query=brand).count() == 2

    # The next read asks from the cursor, without `since`.
    clock.shift(INTERVAL)
    search.calls.clear()
    read(source)
    assert search.calls == [("acme", "c1", None)]


@pytest.mark.usefixtures("clock")
def test_a_demo_channel_cannot_search(channel: Channel, search: FakeSearch) -> None:
    channel.config = {"demo": True}
    channel.save()
    source = read(search_source(channel))

    assert failed_with(source) == "A demo channel has no account to search with."
    assert search.calls == []


@pytest.mark.usefixtures("clock")
def test_a_revoked_authorization_marks_the_channel_for_reconnecting(
    channel: Channel, search: FakeSearch, clock: time_machine.Traveller
) -> None:
    search.answers = [AuthError("Bluesky refused the credentials")]
    source = read(search_source(channel))

    assert failed_with(source) == "Bluesky refused the credentials"
    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert channel.health_message == "Bluesky refused the credentials"

    # Until it is reconnected, the source says so without calling the network.
    clock.shift(INTERVAL)
    source = read(ListeningSource.objects.get(pk=source.pk))
    assert source.last_error == "Its channel needs reconnecting (Channels page)."
    assert source.error_count == 2
    assert len(search.calls) == 1


# --- several sources at once ------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed")
def test_one_run_over_several_sources_keeps_each_failure_on_its_own_source(
    server: FeedServer,
    acme: Workspace,
    brand: Query,
    channel: Channel,
    search: FakeSearch,
    monkeypatch: pytest.MonkeyPatch,
    clock: time_machine.Traveller,
) -> None:
    monkeypatch.setattr(sources, "FEED_TIMEOUT", 0.3)
    server.routes["/good"] = answer(one_item_feed("good", "Acme opens a shop"))
    server.routes["/broken"] = answer(b"<html>maintenance</html>", "text/html")
    server.routes["/slow"] = silent_for(5)
    reset = NOW + timedelta(minutes=15)
    search.answers = [RateLimited("Bluesky rate limit reached", reset)]
    good = feed_source(acme, server.url("/good"), name="Good")
    broken = feed_source(acme, server.url("/broken"), name="Broken")
    slow = feed_source(acme, server.url("/slow"), name="Slow")
    limited = search_source(channel)

    result = sources.read_due()

    assert (result.read, result.failed) == (1, 3)
    assert result.mentions.stored == 1
    assert [error.split(":")[0] for error in result.errors] == ["Broken", "Slow", "Bluesky"]
    assert set(stored()) == {"https://good.example/1"}
    for source in (good, broken, slow, limited):
        source.refresh_from_db()
    assert (good.last_error, good.error_count, good.next_read_at) == ("", 0, NOW + INTERVAL)
    assert "not an RSS or Atom feed" in broken.last_error
    assert "stopped answering" in slow.last_error
    assert limited.last_error == "Bluesky rate limit reached"
    for source in (broken, slow, limited):
        assert source.error_count == 1 and source.last_read_at == NOW
    assert broken.next_read_at == slow.next_read_at == NOW + INTERVAL
    assert limited.next_read_at == reset  # exactly when the network said
    assert limited.cursor is None  # nothing read: its backfill is still to come

    # Nothing is due before the rate limit ends; a second run reads nothing.
    clock.shift(timedelta(minutes=4))
    assert sources.read_due().read == 0

    # The servers are fixed; once everything is due again, everything is read once.
    server.routes["/broken"] = answer(one_item_feed("broken", "Acme is back"))
    server.routes["/slow"] = answer(one_item_feed("slow", "Acme is fast now"))
    search.answers = [Page(items=[post("p1", "Acme, finally")], cursor="c1")]
    clock.move_to(reset)

    result = sources.read_due()

    assert (result.read, result.failed, result.errors) == (4, 0, [])
    assert set(stored()) == {
        "https://good.example/1",
        "https://broken.example/1",
        "https://slow.example/1",
        "p1",
    }
    for source in (good, broken, slow, limited):
        source.refresh_from_db()
        assert (source.last_error, source.error_count) == ("", 0)
        assert source.next_read_at == reset + INTERVAL
    assert good.last_found == 0  # read again, stored before: not twice
    assert (broken.last_found, slow.last_found, limited.last_found) == (1, 1, 1)
    # The search's first read happens now: since its backfill from now, not from before.
    assert search.calls[-1] == ("acme", None, reset - timedelta(days=3))
    assert Mention.objects.count() == 4
    assert MentionMatch.objects.filter(query=brand).count() == 4


# --- the lease ------------------------------------------------------------------------------


@pytest.mark.usefixtures("private_networks_allowed", "clock")
def test_a_source_read_by_two_workers_is_read_once(server: FeedServer, acme: Workspace) -> None:
    server.routes["/rss"] = answer(GOOD_RSS.encode())
    created = feed_source(acme, server.url("/rss"))
    mine = ListeningSource.objects.get(pk=created.pk)
    theirs = ListeningSource.objects.get(pk=created.pk)  # loaded before mine was read

    first = sources.read_source(mine)
    second = sources.read_source(theirs)

    assert (first.read, first.mentions.stored) == (1, 2)
    assert (second.read, second.failed, second.mentions.stored) == (0, 0, 0)
    assert server.hits == ["/rss"]  # the feed was fetched once
    created.refresh_from_db()
    assert created.next_read_at == NOW + INTERVAL  # the second did not touch it


@pytest.mark.usefixtures("clock")
def test_a_claimed_source_waits_for_its_lease(acme: Workspace) -> None:
    source = feed_source(acme, "https://journal.example/rss")
    assert sources.claim(source, NOW)
    assert source.next_read_at == NOW + sources.LEASE
    stale = ListeningSource.objects.get(pk=source.pk)
    stale.next_read_at = NOW  # what a worker loaded before the claim
    assert not sources.claim(stale, NOW)
    assert sources.read_due(NOW) == sources.ReadResult()  # not due while leased
