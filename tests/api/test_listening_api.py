"""Listening through the API: queries and groups, the live preview, sources (and the
addresses and channels refused), mentions filtered and corrected, statistics, alerts,
roles and workspaces kept apart, and the OpenAPI description."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Workspace
from hubbub.listening import pipeline
from hubbub.listening import sources as listening_sources
from hubbub.listening.models import (
    ListeningAlert,
    ListeningSource,
    Mention,
    MentionMatch,
    Query,
    QueryGroup,
    SentimentCorrection,
)
from hubbub.listening.pipeline import Found, process
from hubbub.networks.models import Channel
from hubbub.publishing.models import WorkspacePublishing
from tests.api.conftest import Api, token_api

pytestmark = pytest.mark.django_db
L = "/workspaces/acme/listening"

FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title>
<item><guid>n1</guid><title>Acme opens a new shop</title>
<link>https://news.example/acme-shop</link>
<description>Acme opened its new shop in Lyon today.</description>
<pubDate>%s</pubDate></item>
</channel></rss>"""


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()


@pytest.fixture
def bluesky(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )


def found(external_id: str, text: str, **kw: Any) -> Found:
    values: dict[str, Any] = {
        "network": "bluesky",
        "external_id": external_id,
        "text": text,
        "published_at": timezone.now() - timedelta(hours=1),
        "author_handle": f"user{external_id}.bsky.social",
        "url": f"https://bsky.app/profile/user{external_id}/post/{external_id}",
    }
    values.update(kw)
    return Found(**values)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def stored(acme: Workspace) -> dict[str, Any]:
    """Two queries and four mentions, enriched and matched by the pipeline."""
    brand = Query.objects.create(workspace=acme, name="Acme", text="acme")
    late = Query.objects.create(workspace=acme, name="Late", text="acme (late OR retard*)")
    now = timezone.now()
    process(
        acme,
        [
            found("1", "I love my new Acme coffee machine, it is wonderful!", published_at=now),
            found(
                "2",
                "Acme delivery is late again, terrible service, I am so angry.",
                published_at=now - timedelta(hours=2),
            ),
            found("3", "La livraison Acme est encore en retard, c'est inadmissible."),
            found("4", "Nothing about anything, a walk in the park with my dog."),
        ],
    )
    mentions = {m.external_id: m for m in Mention.objects.all()}
    return {"brand": brand, "late": late, "mentions": mentions}


# --- groups and queries ---------------------------------------------------------------------


def test_a_query_is_created_read_changed_and_deleted(alice_api: Api) -> None:
    group = alice_api.post(f"{L}/groups", {"name": "Us", "kind": "brand"})
    assert group.status_code == 201, group.content
    group_id = group.json()["id"]
    created = alice_api.post(
        f"{L}/queries", {"name": "Acme", "text": "acme OR #acme", "group_id": group_id}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["group_id"], body["group"]) == ("Acme", group_id, "Us")
    assert body["is_active"] and body["matched_until"]
    url = f"{L}/queries/{body['id']}"
    assert [q["name"] for q in alice_api.get(f"{L}/queries").json()] == ["Acme"]
    assert alice_api.get(f"{L}/groups").json()[0]["query_ids"] == [body["id"]]

    changed = alice_api.patch(url, {"text": "acme NOT job*", "alerts_enabled": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["text"], changed.json()["alerts_enabled"]) == ("acme NOT job*", False)
    assert changed.json()["name"] == "Acme"  # not given: kept
    assert alice_api.get(url).json()["group_id"] == group_id
    assert alice_api.patch(url, {"group_id": None}).json()["group_id"] is None

    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404
    assert alice_api.delete(f"{L}/groups/{group_id}").status_code == 204
    assert not QueryGroup.objects.exists()
    actions = set(AuditEntry.objects.filter(via="api").values_list("action", flat=True))
    assert {"listening.query_create", "listening.query_update", "listening.query_delete"} <= (
        actions
    )


def test_a_query_the_parser_cannot_read_says_what_and_where(alice_api: Api) -> None:
    response = alice_api.post(f"{L}/queries", {"name": "Broken", "text": "acme AND (late"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "text"
    assert "character" in body["detail"]  # the position, counted from 1 for people
    assert not Query.objects.exists()

    query = alice_api.post(f"{L}/queries", {"name": "Fine", "text": "acme"}).json()
    bad = alice_api.patch(f"{L}/queries/{query['id']}", {"text": '"unclosed'})
    assert (bad.status_code, bad.json()["field"]) == (400, "text")
    assert Query.objects.get().text == "acme"
    assert alice_api.post(f"{L}/queries", {"name": "Fine", "text": "x"}).json()["field"] == "name"
    missing = alice_api.post(f"{L}/queries", {"name": "G", "text": "x", "group_id": 999999})
    assert (missing.status_code, missing.json()["field"]) == (400, "group_id")


def test_the_preview_counts_matches_or_shows_the_syntax_error(alice_api: Api, stored) -> None:
    response = alice_api.post(f"{L}/queries/preview", {"text": "acme (late OR retard*)"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["scanned"], body["error"]) == (2, 4, None)
    mentions = stored["mentions"]
    assert {m["id"] for m in body["sample"]} == {mentions["2"].pk, mentions["3"].pk}
    assert all(stored["late"].pk in m["query_ids"] for m in body["sample"])

    broken = alice_api.post(f"{L}/queries/preview", {"text": "acme AND (late"}).json()
    assert broken["count"] == 0 and broken["sample"] == []
    assert broken["error"]["message"]
    assert isinstance(broken["error"]["position"], int) and broken["error"]["position"] >= 0


def test_an_analyst_reads_but_cannot_configure(alice: User, acme: Workspace, stored) -> None:
    analyst = token_api(alice, acme, "analyst")
    assert analyst.get(f"{L}/queries").status_code == 200
    for response in (
        analyst.post(f"{L}/queries", {"name": "Mine", "text": "acme"}),
        analyst.patch(f"{L}/queries/{stored['brand'].pk}", {"text": "other"}),
        analyst.delete(f"{L}/queries/{stored['brand'].pk}"),
        analyst.post(f"{L}/groups", {"name": "G", "kind": "brand"}),
        analyst.post(f"{L}/sources", {"kind": "feed", "url": "https://news.example/rss"}),
    ):
        assert response.status_code == 403, response.content
        assert "listening.configure" in response.json()["detail"]
    assert Query.objects.count() == 2
    assert Query.objects.get(pk=stored["brand"].pk).text == "acme"
    # An analyst triages: correcting a sentiment is allowed.
    mention = stored["mentions"]["4"]
    corrected = analyst.post(f"{L}/mentions/{mention.pk}/sentiment", {"label": "negative"})
    assert corrected.status_code == 200, corrected.content


# --- sources --------------------------------------------------------------------------------


def test_a_feed_on_a_private_address_is_refused(alice_api: Api, settings) -> None:
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False
    for url in ("http://127.0.0.1/feed", "http://localhost:8000/rss", "http://10.0.0.7/rss"):
        response = alice_api.post(f"{L}/sources", {"kind": "feed", "url": url})
        assert response.status_code == 400, (url, response.content)
        body = response.json()
        assert body["field"] == "url"
        assert body["detail"] and "Invalid request" not in body["detail"]
    not_web = alice_api.post(f"{L}/sources", {"kind": "feed", "url": "ftp://news.example/rss"})
    assert (not_web.status_code, not_web.json()["field"]) == (400, "url")
    assert not ListeningSource.objects.exists()


def test_a_search_needs_a_channel_that_can_search(alice_api: Api, acme, globex) -> None:
    telegram = Channel.objects.create(
        workspace=acme, network="telegram", external_id="42", handle="@acme_news"
    )
    refused = alice_api.post(
        f"{L}/sources", {"kind": "search", "channel_id": telegram.pk, "terms": "acme"}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "channel_id"
    assert "cannot search" in refused.json()["detail"]
    theirs = Channel.objects.create(
        workspace=globex, network="bluesky", external_id="did:plc:g", handle="globex.bsky.social"
    )
    elsewhere = alice_api.post(
        f"{L}/sources", {"kind": "search", "channel_id": theirs.pk, "terms": "acme"}
    )
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (400, "channel_id")
    none = alice_api.post(f"{L}/sources", {"kind": "search", "terms": "acme"})
    assert (none.status_code, none.json()["field"]) == (400, "channel_id")
    assert not ListeningSource.objects.exists()


def test_sources_are_added_read_changed_and_deleted(
    alice_api: Api, bluesky: Channel, monkeypatch
) -> None:
    search = alice_api.post(
        f"{L}/sources",
        {"kind": "search", "channel_id": bluesky.pk, "terms": "acme", "interval": 600},
    )
    assert search.status_code == 201, search.content
    assert (search.json()["network"], search.json()["name"]) == ("bluesky", "acme")
    feed = alice_api.post(
        f"{L}/sources", {"kind": "feed", "url": "https://news.example/rss", "backfill_days": 3}
    )
    assert feed.status_code == 201, feed.content
    feed_id = feed.json()["id"]
    assert feed.json()["last_read_at"] is None and feed.json()["last_error"] == ""

    published = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000").encode()
    monkeypatch.setattr(
        listening_sources, "fetch_feed", lambda url: (FEED % published, "application/rss+xml")
    )
    read = alice_api.post(f"{L}/sources/{feed_id}/read")
    assert read.status_code == 200, read.content
    body = read.json()
    assert body["last_read_at"] and body["last_found"] == 1 and body["last_error"] == ""
    assert Mention.objects.get().network == "rss"

    listed = {s["id"]: s for s in alice_api.get(f"{L}/sources").json()}
    assert set(listed) == {feed_id, search.json()["id"]}
    assert {"last_error", "last_problems", "last_read_at", "last_found"} <= set(listed[feed_id])

    changed = alice_api.patch(f"{L}/sources/{feed_id}", {"interval": 3600, "name": "News"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["interval"], changed.json()["name"]) == (3600, "News")
    assert changed.json()["url"] == "https://news.example/rss"
    too_often = alice_api.patch(f"{L}/sources/{feed_id}", {"interval": 1})
    assert (too_often.status_code, too_often.json()["field"]) == (400, "interval")

    assert alice_api.delete(f"{L}/sources/{feed_id}").status_code == 204
    assert Mention.objects.count() == 1  # what it found stays
    assert alice_api.get(f"{L}/sources/{feed_id}").status_code == 404


def test_a_failed_read_is_reported_on_the_source(alice_api: Api, monkeypatch) -> None:
    def broken(url: str) -> tuple[bytes, str]:
        raise listening_sources.FeedError("The feed's server answered HTTP 500.")

    monkeypatch.setattr(listening_sources, "fetch_feed", broken)
    feed = alice_api.post(f"{L}/sources", {"kind": "feed", "url": "https://news.example/rss"})
    read = alice_api.post(f"{L}/sources/{feed.json()['id']}/read")
    assert read.status_code == 200
    assert "HTTP 500" in read.json()["last_error"]
    assert read.json()["error_count"] == 1


# --- mentions -------------------------------------------------------------------------------


def test_mentions_are_filtered_by_sentiment_and_query(alice_api: Api, stored) -> None:
    mentions = stored["mentions"]
    newest_first = [mentions[k].pk for k in ("1", "4", "3", "2")]
    assert ids(alice_api.get(f"{L}/mentions")) == newest_first

    negative = alice_api.get(f"{L}/mentions", sentiment="negative")
    assert set(ids(negative)) == {mentions["2"].pk, mentions["3"].pk}
    assert all(m["sentiment"] == "negative" for m in negative.json()["items"])

    late = ids(alice_api.get(f"{L}/mentions", query=str(stored["late"].pk)))
    assert late == [mentions["3"].pk, mentions["2"].pk]
    brand_positive = alice_api.get(
        f"{L}/mentions", query=str(stored["brand"].pk), sentiment="positive"
    )
    assert ids(brand_positive) == [mentions["1"].pk]
    item = brand_positive.json()["items"][0]
    assert item["query_ids"] == [stored["brand"].pk]
    assert (item["network"], item["author_handle"]) == ("bluesky", "user1.bsky.social")
    assert item["language"] == "en" and item["corrected"] is False
    assert item["duplicate_of"] is None

    french = ids(alice_api.get(f"{L}/mentions", lang="fr"))
    assert french == [mentions["3"].pk]


def test_mentions_are_paged_newest_first(alice_api: Api, stored) -> None:
    first = alice_api.get(f"{L}/mentions", limit=3)
    assert len(ids(first)) == 3
    cursor = first.json()["next_cursor"]
    assert cursor
    rest = alice_api.get(f"{L}/mentions", limit=3, cursor=cursor)
    assert ids(rest) == [stored["mentions"]["2"].pk]
    assert rest.json()["next_cursor"] is None
    bad = alice_api.get(f"{L}/mentions", cursor="nonsense")
    assert (bad.status_code, bad.json()["field"]) == (400, "cursor")


def test_correcting_a_sentiment_updates_the_mention(alice_api: Api, stored) -> None:
    mention = stored["mentions"]["2"]
    assert mention.sentiment == "negative"
    response = alice_api.post(f"{L}/mentions/{mention.pk}/sentiment", {"label": "neutral"})
    assert response.status_code == 200, response.content
    assert (response.json()["sentiment"], response.json()["corrected"]) == ("neutral", True)
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_corrected) == ("neutral", True)
    assert set(
        MentionMatch.objects.filter(mention=mention).values_list("sentiment", flat=True)
    ) == {"neutral"}
    assert SentimentCorrection.objects.get().previous_label == "negative"
    assert alice_api.get(f"{L}/mentions/{mention.pk}").json()["sentiment"] == "neutral"
    wrong = alice_api.post(f"{L}/mentions/{mention.pk}/sentiment", {"label": "furious"})
    assert (wrong.status_code, wrong.json()["field"]) == (400, "label")


def test_a_mention_found_by_a_search_becomes_a_conversation(
    alice_api: Api, acme: Workspace, bluesky: Channel
) -> None:
    source = ListeningSource.objects.create(
        workspace=acme, kind="search", name="acme", channel=bluesky, terms="acme"
    )
    process(
        acme, [found("9", "Does Acme ship to Belgium?", data={"author_id": "did:plc:9"})], source
    )
    mention = Mention.objects.get()
    first = alice_api.post(f"{L}/mentions/{mention.pk}/conversation")
    assert first.status_code == 200, first.content
    again = alice_api.post(f"{L}/mentions/{mention.pk}/conversation")
    assert again.json()["conversation_id"] == first.json()["conversation_id"]
    assert (
        alice_api.get(f"{L}/mentions/{mention.pk}").json()["conversation_id"]
        == (first.json()["conversation_id"])
    )


def test_a_feed_item_cannot_be_answered(alice_api: Api, acme: Workspace) -> None:
    process(acme, [found("f1", "Acme in the news", network="rss")])
    mention = Mention.objects.get()
    response = alice_api.post(f"{L}/mentions/{mention.pk}/conversation")
    assert response.status_code == 400
    assert "feed" in response.json()["detail"]


def test_another_workspaces_mention_is_not_found(
    alice_api: Api, charlie: User, globex: Workspace, stored
) -> None:
    mention = stored["mentions"]["1"]
    theirs = token_api(charlie, globex)
    for response in (
        theirs.get(f"/workspaces/globex/listening/mentions/{mention.pk}"),
        theirs.post(
            f"/workspaces/globex/listening/mentions/{mention.pk}/sentiment", {"label": "negative"}
        ),
        theirs.get(f"{L}/mentions/{mention.pk}"),  # a token works on its own workspace only
        theirs.get(f"/workspaces/globex/listening/queries/{stored['brand'].pk}"),
    ):
        assert response.status_code == 404, response.content
    assert ids(theirs.get("/workspaces/globex/listening/mentions")) == []
    mention.refresh_from_db()
    assert mention.sentiment == "positive"


# --- statistics -----------------------------------------------------------------------------


def test_stats_give_volume_buckets_and_totals(alice_api: Api, stored) -> None:
    response = alice_api.get(f"{L}/stats", bucket="day")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "totals",
        "volume",
        "share_of_voice",
        "languages",
        "top_authors",
        "top_terms",
        "top_hashtags",
    }
    assert body["volume"], "no buckets"
    assert sum(b["total"] for b in body["volume"]) == 4
    for bucket in body["volume"]:
        assert bucket["total"] == bucket["negative"] + bucket["neutral"] + bucket["positive"]
    assert body["totals"]["total"] == 4
    assert {row["language"] for row in body["languages"]} == {"en", "fr"}
    assert "acme" in {row["term"] for row in body["top_terms"]}
    late = alice_api.get(f"{L}/stats", query=str(stored["late"].pk)).json()
    assert sum(b["total"] for b in late["volume"]) == 2
    assert sum(b["negative"] for b in late["volume"]) == 2
    assert late["totals"]["negative"] == 2
    hourly = alice_api.get(f"{L}/stats", bucket="hour").json()["volume"]
    assert len(hourly) >= 3 and sum(b["total"] for b in hourly) == 4
    wrong = alice_api.get(f"{L}/stats", bucket="month")
    assert (wrong.status_code, wrong.json()["field"]) == (400, "bucket")


def test_share_of_voice_compares_the_groups(alice_api: Api, acme: Workspace, stored) -> None:
    us = QueryGroup.objects.create(workspace=acme, name="Us", kind="brand")
    them = QueryGroup.objects.create(workspace=acme, name="Them", kind="competitor")
    Query.objects.filter(pk=stored["brand"].pk).update(group=us)
    competitor = alice_api.post(f"{L}/queries", {"name": "Dog", "text": "dog", "group_id": them.pk})
    assert competitor.status_code == 201, competitor.content  # matched against history
    share = alice_api.get(f"{L}/stats").json()["share_of_voice"]
    assert [(r["name"], r["mentions"]) for r in share] == [("Us", 3), ("Them", 1)]
    assert sum(r["share"] for r in share) == pytest.approx(1)
    grouped = ids(alice_api.get(f"{L}/mentions", group=str(them.pk)))
    assert grouped == [stored["mentions"]["4"].pk]


# --- alerts ---------------------------------------------------------------------------------


def alert(acme: Workspace, query: Query, **kw: Any) -> ListeningAlert:
    now = timezone.now()
    values: dict[str, Any] = {
        "workspace": acme,
        "query": query,
        "severity": "crisis",
        "window_start": now - timedelta(hours=3),
        "window_end": now,
        "mentions": 40,
        "expected": 4.0,
        "negative_share": 0.8,
        "usual_negative_share": 0.2,
        "facts": {"terms": ["late", "retard"]},
    }
    values.update(kw)
    return ListeningAlert.objects.create(**values)


def test_alerts_are_listed_read_and_acknowledged(alice_api: Api, acme: Workspace, stored) -> None:
    older = alert(acme, stored["brand"], severity="spike", raised_at=timezone.now() - timedelta(1))
    crisis = alert(acme, stored["late"])
    listed = alice_api.get(f"{L}/alerts")
    assert ids(listed) == [crisis.pk, older.pk]
    item = listed.json()["items"][0]
    assert (item["severity"], item["query"], item["mentions"]) == ("crisis", "Late", 40)
    assert "Late" in item["text"] and "late, retard" in item["text"]
    assert ids(alice_api.get(f"{L}/alerts", severity="spike")) == [older.pk]

    detail = alice_api.get(f"{L}/alerts/{crisis.pk}")
    assert detail.status_code == 200, detail.content
    window = [m["id"] for m in detail.json()["window_mentions"]]
    assert set(window) == {stored["mentions"]["2"].pk, stored["mentions"]["3"].pk}

    acked = alice_api.post(f"{L}/alerts/{crisis.pk}/acknowledge")
    assert acked.status_code == 200, acked.content
    assert acked.json()["acknowledged_at"] and acked.json()["acknowledged_by"] == (
        "alice@example.com"
    )
    assert ids(alice_api.get(f"{L}/alerts", open="true")) == [older.pk]


def test_crisis_mode_pauses_publishing(alice_api: Api, bob_api: Api, acme, stored) -> None:
    crisis = alert(acme, stored["late"])
    refused = token_api(User.objects.get(email="alice@example.com"), acme, "analyst").post(
        f"{L}/alerts/{crisis.pk}/crisis-mode"
    )
    assert refused.status_code == 403
    response = alice_api.post(f"{L}/alerts/{crisis.pk}/crisis-mode")
    assert response.status_code == 200, response.content
    assert response.json()["paused"] is True
    assert isinstance(response.json()["conversation_ids"], list)
    assert WorkspacePublishing.of(acme).paused_at is not None
    crisis.refresh_from_db()
    assert crisis.crisis_mode_at is not None and crisis.acknowledged_at is not None


# --- the description ------------------------------------------------------------------------


def test_the_openapi_description_lists_the_listening_paths(db: None) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    w = "/api/workspaces/{slug}/listening"
    expected = {
        f"{w}/groups": {"get", "post"},
        f"{w}/groups/{{group_id}}": {"delete"},
        f"{w}/queries": {"get", "post"},
        f"{w}/queries/preview": {"post"},
        f"{w}/queries/{{query_id}}": {"get", "patch", "delete"},
        f"{w}/sources": {"get", "post"},
        f"{w}/sources/{{source_id}}": {"get", "patch", "delete"},
        f"{w}/sources/{{source_id}}/read": {"post"},
        f"{w}/mentions": {"get"},
        f"{w}/mentions/{{mention_id}}": {"get"},
        f"{w}/mentions/{{mention_id}}/sentiment": {"post"},
        f"{w}/mentions/{{mention_id}}/conversation": {"post"},
        f"{w}/stats": {"get"},
        f"{w}/alerts": {"get"},
        f"{w}/alerts/{{alert_id}}": {"get"},
        f"{w}/alerts/{{alert_id}}/acknowledge": {"post"},
        f"{w}/alerts/{{alert_id}}/crisis-mode": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, f"{path} is missing from the OpenAPI description"
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert operation["summary"] and operation["tags"] == ["listening"]
    mentions = paths[f"{w}/mentions"]["get"]
    params = {p["name"] for p in mentions["parameters"]}
    assert {"query", "group", "sentiment", "lang", "network", "from", "to", "q", "dups"} <= params
