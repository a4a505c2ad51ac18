"""Hostile content from a network: HTML and scripts, invisible and right-to-left characters,
very long comments, invalid UTF-8, NUL bytes, javascript: links. Stored safely (storable on
SQLite and PostgreSQL alike), kept as text, never lost. (Escaping on the page is the pages'
business: the browser test checks that nothing executes.)"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hubbub.inbox import text
from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import Conversation, Identity, Message
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, said

# Fixtures shared by the ingestion tests.
channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

POST = PublishedRef(external_id="post-1", url="https://inbox.example/me/post-1")
SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)> & <b>bold</b>'
ZERO_WIDTH = "pay\u200bpal\u200d \ufeffsupport"
RTL = "Invoice \u202egpj.exe\u202c ready"


# --- text.clean ------------------------------------------------------------------------------


def test_invalid_utf8_becomes_replacement_characters_and_the_rest_stays() -> None:
    raw = b"caf\xc3\xa9 \xff\xfe broken \xe2\x82 end"
    assert text.clean(raw) == "café \ufffd\ufffd broken \ufffd end"


def test_lone_surrogates_from_json_are_replaced_and_pairs_joined() -> None:
    decoded = json.loads('"a\\ud83d\\ude00b\\ud800c"')  # a valid pair, then a lone one
    assert text.clean(decoded) == "a😀b\ufffdc"
    text.clean(decoded).encode("utf-8")  # storable


def test_nul_and_control_characters_go_line_breaks_and_tabs_stay() -> None:
    assert text.clean("a\x00b\x07c\x1bd\te\r\nf\rg\nh") == "abcd\te\nf\ng\nh"


def test_text_is_nfc_normalised() -> None:
    assert text.clean("Cafe\u0301") == "Café"


def test_html_zero_width_and_right_to_left_are_kept_as_text() -> None:
    assert text.clean(SCRIPT) == SCRIPT
    assert text.clean(ZERO_WIDTH) == ZERO_WIDTH
    assert text.clean(RTL) == RTL
    assert text.invisible_characters(ZERO_WIDTH + RTL) == [
        "U+200B",
        "U+200D",
        "U+FEFF",
        "U+202E",
        "U+202C",
    ]
    assert text.visible(RTL) == "Invoice ⟦U+202E⟧gpj.exe⟦U+202C⟧ ready"


def test_an_excerpt_is_one_line_and_closes_what_it_opened() -> None:
    assert text.excerpt("Hello\n\n  world\t!") == "Hello world !"
    assert text.excerpt("x" * 200, 10) == "xxxxxxxxx…"
    # Cut inside an override: the override is closed, so it cannot flip the page after it.
    assert text.excerpt("ab \u202eevil" + "e" * 200, 12) == "ab \u202eevileee…\u202c"
    assert text.excerpt("\u2067isolated\u2069 done") == "\u2067isolated\u2069 done"


# --- ingestion -------------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_hostile_comments_are_stored_intact(channel: Channel) -> None:
    long = ("Lorem ipsum dolor sit amet, <i>consectetur</i> 🎉 ") * 2500
    long = long[:100_000]
    items = [
        said(SCRIPT, "c1", "carol"),
        said(ZERO_WIDTH, "c2", "dave"),
        said(RTL, "c3", "erin"),
        said(long, "c4", "frank"),
        said("caf\udce9 \x00nul", "c5", "gina"),  # surrogate-escaped bytes and a NUL
        said("", "c6", "hank"),  # an image-only comment: no text, still a comment
    ]

    result = ingest(channel, "comments", items, post_ref=POST)

    assert result.created == 6
    stored = {m.external_id: m for m in Message.objects.all()}
    assert stored["c1"].text == SCRIPT
    assert stored["c2"].text == ZERO_WIDTH
    assert stored["c3"].text == RTL
    assert len(stored["c4"].text) == 100_000 and stored["c4"].text == long
    assert "truncated_from" not in stored["c4"].data
    assert stored["c5"].text == "caf\ufffd nul"
    assert stored["c6"].text == ""
    subject = Conversation.objects.get(messages__external_id="c3").subject
    assert subject == RTL  # one line, its override already closed
    assert len(Conversation.objects.get(messages__external_id="c4").subject) <= 140


@pytest.mark.usefixtures("clock")
def test_text_past_a_million_characters_keeps_its_start_and_says_so(channel: Channel) -> None:
    huge = "é" * (text.MAX_TEXT + 5)

    ingest(channel, "mentions", [said(huge, "m1", "carol")])

    message = Message.objects.get()
    assert len(message.text) == text.MAX_TEXT
    assert message.data["truncated_from"] == text.MAX_TEXT + 5


@pytest.mark.usefixtures("clock")
def test_hostile_authors_ids_and_data_cannot_break_the_batch(channel: Channel) -> None:
    evil = Incoming(
        external_id="x" * 5000,
        text="hi",
        author=Author(
            external_id="mallory",
            handle="@" + "m" * 900,
            name="Mal\x00lory <script>alert(1)</script>",
            avatar_url="javascript:alert(1)",
            profile_url="data:text/html,<script>alert(1)</script>",
            followers_count=-5,
        ),
        created_at=NOW - timedelta(minutes=5),
        url="javascript:alert(document.cookie)",
        in_reply_to="y" * 3000,
        data={"note": "nul\x00inside", "nested": [{"k\x00": b"bytes"}], "when": NOW},
    )
    fine = said("normal", "m2", "carol")

    result = ingest(channel, "mentions", [evil, fine])

    assert result.created == 2
    message = Message.objects.get(identity__external_id="mallory")
    assert message.external_id.startswith("sha256:") and len(message.external_id) < 1000
    assert message.url == ""
    assert message.data["note"] == "nulinside"
    assert message.data["nested"] == [{"k": "b'bytes'"}]
    identity = Identity.objects.get(external_id="mallory")
    assert identity.name == "Mallory <script>alert(1)</script>"  # text, escaped when shown
    assert len(identity.handle) == 500
    assert identity.avatar_url == identity.profile_url == ""
    assert identity.followers_count is None
    # The same hostile item again is recognised, not stored twice.
    assert ingest(channel, "mentions", [evil]).created == 0
