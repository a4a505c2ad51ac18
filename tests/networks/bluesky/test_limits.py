"""What the connector declares, how Bluesky counts text, and reading a JWT's expiry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.networks.base import Capability, Counting
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.bluesky.session import (
    InvalidInput,
    jwt_expiry,
    normalise_identifier,
    normalise_pds_url,
)
from tests.networks.bluesky.conftest import EXPIRES, access_jwt

TEXT = BlueskyConnector.default_limits().text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("👋🏽", 1),  # waving hand + skin tone modifier
        ("👩🏽‍💻", 1),  # woman + skin tone + ZWJ + laptop
        ("🇫🇷", 1),  # two regional indicators
        ("e\u0301te\u0301", 3),  # "été" with combining accents
        ("Hello 👋🏽!", 8),
        ("https://example.com/a/very/long/path", 36),  # links are not shortened
    ],
)
def test_it_counts_graphemes(text, count):
    assert TEXT.count(text) == count


def test_it_allows_300_graphemes():
    assert TEXT.counting == Counting.GRAPHEMES
    assert TEXT.remaining("👋🏽" * 300) == 0
    assert TEXT.remaining("a" * 301) == -1


def test_it_declares_the_documented_media_limits():
    media = BlueskyConnector.default_limits().media
    assert (media.max_images, media.max_image_bytes) == (4, 1_000_000)
    assert "image/webp" in media.image_formats
    assert (media.max_videos, media.max_video_bytes, media.max_video_seconds) == (
        1,
        100_000_000,
        180,
    )
    assert media.video_formats == ("video/mp4",)
    assert media.images_and_video_together is False
    assert media.max_alt_text == 2000


def test_it_declares_what_bluesky_offers():
    assert Capability.SEARCH in BlueskyConnector.capabilities  # app.bsky.feed.searchPosts
    assert Capability.MENTIONS in BlueskyConnector.capabilities
    assert Capability.PUBLISH_THREAD in BlueskyConnector.capabilities
    assert Capability.FIRST_COMMENT not in BlueskyConnector.capabilities


def test_it_reads_the_expiry_of_a_jwt():
    expiry = jwt_expiry(access_jwt())
    assert expiry == EXPIRES
    assert expiry is not None and expiry.tzinfo == UTC
    assert jwt_expiry("not.a-jwt") is None
    assert jwt_expiry("garbage") is None


@pytest.mark.parametrize(
    ("typed", "identifier"),
    [
        ("alice.bsky.social", "alice.bsky.social"),
        ("@Alice.BSKY.social", "alice.bsky.social"),
        ("  @brand.com ", "brand.com"),
        ("did:plc:63ue4vb72q6pq4w6xbkmksaf", "did:plc:63ue4vb72q6pq4w6xbkmksaf"),
        ("did:web:Brand.example", "did:web:Brand.example"),
        ("Alice@Example.com", "alice@example.com"),
    ],
)
def test_it_normalises_identifiers(typed, identifier):
    assert normalise_identifier(typed) == identifier


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("", "https://bsky.social"),
        ("https://bsky.social/", "https://bsky.social"),
        ("PDS.Brand.example", "https://pds.brand.example"),
        ("https://pds.brand.example:8443", "https://pds.brand.example:8443"),
    ],
)
def test_it_normalises_pds_urls(typed, url):
    assert normalise_pds_url(typed) == url


@pytest.mark.parametrize(
    "typed", ["ftp://pds.example", "https://pds.example/xrpc", "https://pds.example/?x=1"]
)
def test_it_refuses_pds_urls_with_more_than_an_address(typed):
    with pytest.raises(InvalidInput):
        normalise_pds_url(typed)


def test_an_expiry_far_away_is_a_date():
    far = access_jwt(expires=datetime(2030, 1, 1, tzinfo=UTC))
    assert jwt_expiry(far) == datetime(2030, 1, 1, tzinfo=UTC)
