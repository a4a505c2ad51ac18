"""Each rule condition, through apply_rules: a rule tagging "hit" fires or not."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hubbub.inbox.models import Holiday, Kind, Priority, ResponsePolicy, Tag
from hubbub.inbox.rules import apply_rules
from hubbub.networks.models import Channel
from tests.inbox.conftest_rules import *  # noqa: F403
from tests.inbox.conftest_rules import TUESDAY_10

pytestmark = pytest.mark.django_db
TAG = [{"type": "tag", "value": "hit"}]


def fires(message) -> bool:
    hits = apply_rules(message)
    tagged: bool = message.conversation.tags.filter(name="hit").exists()
    assert bool(hits) == tagged
    return tagged


def keywords(op: str, *words: str) -> list[dict[str, object]]:
    return [{"field": "keywords", "op": op, "value": list(words)}]


@pytest.mark.parametrize(
    ("words", "text", "expected"),
    [
        (["refund"], "I want a REFUND now", True),
        (["refund"], "refunds are slow", False),  # whole words only
        (["rembours*"], "Je veux un remboursement", True),  # a final * matches word starts
        (["cafe"], "Le Café était froid", True),  # accents and case ignored
        (["café"], "le CAFE etait froid", True),
        (["appli"], "l'appli plante tout le temps", True),  # French elision
        (["appli"], "l\u2019appli plante", True),  # typographic apostrophe
        (["l'appli"], "L'APPLI plante", True),
        (["not working"], "The app is NOT   working!", True),  # phrase, spaces collapsed
        (["not working"], "working, not at all", False),  # phrase words in order
        (["#refund"], "where is my #Refund", True),
        (["😡"], "late again 😡😡", True),
        (["oeuvre"], "Une belle Œuvre", True),
        (["delivery"], "", False),
    ],
)
def test_keywords_contains_any(receive, rule, words, text, expected):
    rule(keywords("contains_any", *words), TAG)
    assert fires(receive(text or " ")) is expected


def test_keywords_contains_all_and_not_contains(receive, rule):
    rule(keywords("contains_all", "refund", "order"), TAG)
    assert fires(receive("Refund my order please", author="a")) is True
    assert fires(receive("Refund please", author="b")) is False


def test_keywords_not_contains(receive, rule):
    rule(keywords("not_contains", "thanks", "merci"), TAG)
    assert fires(receive("Merci beaucoup", author="a")) is False
    assert fires(receive("My order is late", author="b")) is True


def test_channel_in_and_not_in(acme, receive, rule, channel):
    other = Channel.objects.create(workspace=acme, network="mastodon", handle="@acme@m.example")
    rule([{"field": "channel", "op": "in", "value": [other.pk]}], TAG)
    assert fires(receive("hello", author="a")) is False
    assert fires(receive("hello", author="b", on=other)) is True


def test_kind(receive, rule):
    rule([{"field": "kind", "op": "in", "value": ["mention", "message"]}], TAG)
    assert fires(receive("hi", author="a", kind=Kind.COMMENT)) is False
    assert fires(receive("hi", author="b", kind=Kind.MENTION)) is True


def test_language(receive, rule):
    rule([{"field": "language", "op": "in", "value": ["fr"]}], TAG)
    assert fires(receive("Bonjour", author="a", language="fr")) is True
    assert fires(receive("Hello", author="b", language="en")) is False
    assert fires(receive("ok", author="c", language="")) is False  # unknown is not French


def test_language_not_in(receive, rule):
    rule([{"field": "language", "op": "not_in", "value": ["en"]}], TAG)
    assert fires(receive("Hallo", author="a", language="de")) is True
    assert fires(receive("Hello", author="b", language="en")) is False


def test_sentiment(receive, rule):
    rule([{"field": "sentiment", "op": "in", "value": ["negative"]}], TAG)
    assert fires(receive("Fine", author="a", sentiment="positive")) is False
    assert fires(receive("Awful", author="b", sentiment="negative")) is True
    # Not analysed when stored (an old message): analysed now.
    assert fires(receive("This is the worst service ever", author="c", language="en")) is True


def test_followers(receive, rule):
    rule([{"field": "followers", "op": "gte", "value": 10_000}], TAG)
    assert fires(receive("hi", author="big", followers=25_000)) is True
    assert fires(receive("hi", author="small", followers=12)) is False
    assert fires(receive("hi", author="unknown", followers=None)) is False


def test_followers_lte_never_matches_an_unknown_count(receive, rule):
    rule([{"field": "followers", "op": "lte", "value": 100}], TAG)
    assert fires(receive("hi", author="small", followers=12)) is True
    assert fires(receive("hi", author="unknown", followers=None)) is False


def test_business_hours(acme, receive, rule):
    rule([{"field": "business_hours", "op": "is", "value": False}], TAG)
    # Tuesday 10:00 Paris: open. Saturday: closed. Tuesday 18:00 Paris: closed.
    assert fires(receive("hi", author="a", at=TUESDAY_10)) is False
    assert fires(receive("hi", author="b", at=datetime(2026, 11, 21, 10, tzinfo=UTC))) is True
    assert fires(receive("hi", author="c", at=datetime(2026, 11, 17, 17, tzinfo=UTC))) is True
    # A holiday in the response policy is closed all day.
    policy, _ = ResponsePolicy.objects.get_or_create(workspace=acme)
    Holiday.objects.create(policy=policy, date=date(2026, 11, 24))
    assert fires(receive("hi", author="d", at=datetime(2026, 11, 24, 9, tzinfo=UTC))) is True


def test_priority_and_tag_read_the_conversation(receive, rule, acme):
    rule([{"field": "priority", "op": "gte", "value": Priority.HIGH}], TAG)
    assert fires(receive("hi", author="a", priority=Priority.URGENT)) is True
    assert fires(receive("hi", author="b", priority=Priority.NORMAL)) is False


def test_tag_condition_sees_tags_added_by_an_earlier_rule(receive, rule):
    rule(keywords("contains_any", "invoice"), [{"type": "tag", "value": "Billing"}])
    rule([{"field": "tag", "op": "has", "value": "billing"}], TAG)  # case-insensitive
    assert fires(receive("Where is my invoice?", author="a")) is True
    assert fires(receive("Where is my parcel?", author="b")) is False


def test_tag_has_not(receive, rule, acme):
    rule([{"field": "tag", "op": "has_not", "value": "vip"}], TAG)
    vip = receive("hi", author="a")
    vip.conversation.tags.add(Tag.objects.create(workspace=acme, name="VIP"))
    assert fires(vip) is False
    assert fires(receive("hi", author="b")) is True


def test_text_length(receive, rule):
    rule([{"field": "text_length", "op": "lte", "value": 3}], TAG)
    assert fires(receive("ok", author="a")) is True
    assert fires(receive("a longer message", author="b")) is False


def test_match_all_and_match_any(receive, rule):
    conditions = [
        {"field": "language", "op": "in", "value": ["fr"]},
        {"field": "sentiment", "op": "in", "value": ["negative"]},
    ]
    rule(conditions, TAG, match_all=True)
    assert fires(receive("nul", author="a", language="fr", sentiment="negative")) is True
    assert fires(receive("super", author="b", language="fr", sentiment="positive")) is False


def test_match_any(receive, rule):
    conditions = [
        {"field": "language", "op": "in", "value": ["fr"]},
        {"field": "sentiment", "op": "in", "value": ["negative"]},
    ]
    rule(conditions, TAG, match_all=False)
    assert fires(receive("super", author="b", language="fr", sentiment="positive")) is True
    assert fires(receive("awful", author="c", language="en", sentiment="negative")) is True
    assert fires(receive("great", author="d", language="en", sentiment="positive")) is False


def test_no_conditions_matches_every_message(receive, rule):
    rule([], TAG)
    assert fires(receive("anything")) is True
