"""RSS and Atom feeds, including broken ones: what is read, and what is said about the rest."""

from __future__ import annotations

from datetime import UTC, datetime

from hubbub.inbox.text import MAX_TEXT
from hubbub.listening.feeds import MAX_FEED_BYTES, parse

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Le Journal du Café</title>
<item><guid>https://journal.example/a1</guid><link>https://journal.example/a1</link>
<title>Acme rappelle ses cafetières</title>
<description>&lt;p&gt;La marque &lt;b&gt;Acme&lt;/b&gt; rappelle
10 000 cafetières.&lt;/p&gt;</description>
<author>redaction@journal.example (La rédaction)</author>
<pubDate>Wed, 18 Nov 2026 08:30:00 +0100</pubDate></item>
<item><link>https://journal.example/a2</link><title>Sans date</title>
<description>Un article sans date de publication.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme blog</title>
<entry><id>tag:acme.example,2026:1</id><title>We are hiring</title>
<link href="https://acme.example/jobs"/><updated>2026-11-19T10:00:00Z</updated>
<summary>Short</summary>
<content type="html">&lt;p&gt;A much longer text about jobs at Acme.&lt;/p&gt;</content>
<author><name>Acme team</name></author></entry></feed>"""


def test_an_rss_feed_gives_its_items_in_plain_text_with_their_dates() -> None:
    parsed = parse(RSS.encode(), content_type="application/rss+xml", now=NOW)

    assert parsed.problems == []
    assert parsed.title == "Le Journal du Café"
    first, second = parsed.items
    assert first.external_id == "https://journal.example/a1"
    assert first.url == "https://journal.example/a1"
    assert (
        first.text == "Acme rappelle ses cafetières\n\nLa marque Acme rappelle 10 000 cafetières."
    )
    assert first.published == datetime(2026, 11, 18, 7, 30, tzinfo=UTC) and first.dated
    assert "La rédaction" in first.author
    # No date: kept, dated when it was read, and marked so.
    assert second.published == NOW and not second.dated
    assert second.external_id == "https://journal.example/a2"


def test_an_atom_feed_gives_the_fullest_text_and_its_author() -> None:
    (entry,) = parse(ATOM.encode(), now=NOW).items
    assert entry.external_id == "tag:acme.example,2026:1"
    assert entry.text == "We are hiring\n\nA much longer text about jobs at Acme."
    assert entry.author == "Acme team"
    assert entry.published == datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


def test_broken_xml_is_read_as_far_as_it_goes_and_said() -> None:
    # An unescaped & and an unclosed <b> in a description, and the end of the file missing.
    broken = RSS.replace("Un article sans date de publication.", "Tom & Jerry <b>gras")
    broken = broken.replace("</channel></rss>", "")
    parsed = parse(broken.encode(), now=NOW)

    assert [i.url for i in parsed.items] == [
        "https://journal.example/a1",
        "https://journal.example/a2",
    ]
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith("The feed is not well-formed (")
    assert parsed.problems[0].endswith("2 item(s) were read anyway.")


def test_a_feed_whose_declared_encoding_lies_is_still_read() -> None:
    # Declared UTF-8, written in Latin-1 (a classic of old blog engines).
    latin = RSS.replace("Sans date", "Déjà vu à Montréal").encode("latin-1")
    parsed = parse(latin, content_type="text/xml; charset=utf-8", now=NOW)

    assert any("Déjà vu à Montréal" in item.text for item in parsed.items)
    assert any("encoding" in problem for problem in parsed.problems)


def test_a_huge_item_is_cut_and_said_and_the_others_are_kept() -> None:
    huge = RSS.replace("Un article sans date de publication.", "blabla " * 200_000)
    parsed = parse(huge.encode(), now=NOW)

    first, second = parsed.items
    assert first.truncated_from is None
    assert second.truncated_from is not None and second.truncated_from > MAX_TEXT
    assert len(second.text) == MAX_TEXT
    assert parsed.problems == [
        f"Item 2: its text is {second.truncated_from:,} characters long; the first "
        f"{MAX_TEXT:,} were kept."
    ]


def test_scripts_are_dropped_and_links_that_are_not_web_links_are_not_kept() -> None:
    hostile = RSS.replace(
        "&lt;p&gt;La marque",
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;style&gt;p{}&lt;/style&gt;&lt;p&gt;La marque",
    ).replace("<link>https://journal.example/a2</link>", "<link>javascript:alert(2)</link>")
    first, second = parse(hostile.encode(), now=NOW).items

    assert "alert" not in first.text and "p{}" not in first.text
    assert first.text.endswith("La marque Acme rappelle 10 000 cafetières.")
    assert second.url == ""
    assert second.external_id.startswith("sha256:")  # no id, no web link: what it says


def test_a_date_in_the_future_is_taken_as_now() -> None:
    future = RSS.replace("Wed, 18 Nov 2026 08:30:00 +0100", "Fri, 01 Jan 2100 00:00:00 +0000")
    assert parse(future.encode(), now=NOW).items[0].published == NOW


def test_an_item_with_nothing_in_it_is_left_out_and_said() -> None:
    empty = RSS.replace("</channel>", "<item><description>   </description></item></channel>")
    parsed = parse(empty.encode(), now=NOW)
    assert len(parsed.items) == 2
    assert parsed.problems == ["Item 3: it has no title, no text and no link: left out."]


def test_what_is_not_a_feed_says_so() -> None:
    page = b"<!doctype html><html><head><title>Acme</title></head><body>Hello</body></html>"
    for content in (page, b"", b"   ", b"\x00\xff\xfe garbage"):
        parsed = parse(content, content_type="text/html", now=NOW)
        assert parsed.items == []
        assert len(parsed.problems) == 1
        assert parsed.problems[0].startswith(
            ("This is not an RSS or Atom feed", "The address answered with nothing")
        )


def test_a_feed_too_large_is_not_read() -> None:
    parsed = parse(b"<rss>" + b" " * (MAX_FEED_BYTES + 1) + b"</rss>", now=NOW)
    assert parsed.items == [] and "larger than 20 MB" in parsed.problems[0]
