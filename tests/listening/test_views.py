"""Listening's pages through the test client: each renders for an owner; analysts read but do
not configure; client viewers see nothing; another workspace's objects are 404; the live
preview's count and caret; one-click sentiment; CSV export; crisis mode; escaping."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.listening.models import (
    AlertSeverity,
    GroupKind,
    ListeningAlert,
    ListeningSource,
    Mention,
    MentionMatch,
    Query,
    QueryGroup,
    SentimentCorrection,
    SourceKind,
)
from hubbub.publishing.models import WorkspacePublishing
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
_ids = count(1)


def url(name: str, *args: Any, slug: str = "acme") -> str:
    return reverse(f"listening:{name}", args=[slug, *args])


def mention(workspace: Workspace, text: str = "acme is great", **kw: Any) -> Mention:
    values: dict[str, Any] = {
        "workspace": workspace,
        "network": "bluesky",
        "external_id": f"m{next(_ids)}",
        "text": text,
        "published_at": timezone.now() - timedelta(hours=1),
        "sentiment": "positive",
        "language": "en",
        "author_handle": "@ann.bsky.social",
        "author_name": "Ann",
        "author_reach": 120,
        "url": "https://bsky.example/ann/1",
    }
    values.update(kw)
    return Mention.objects.create(**values)


def match(query: Query, m: Mention) -> MentionMatch:
    return MentionMatch.objects.create(
        workspace=query.workspace,
        query=query,
        mention=m,
        published_at=m.published_at,
        sentiment=m.sentiment,
    )


@pytest.fixture
def brand(acme: Workspace) -> Query:
    group = QueryGroup.objects.create(workspace=acme, name="Acme brand", kind=GroupKind.BRAND)
    return Query.objects.create(workspace=acme, name="Acme", text="acme", group=group)


@pytest.fixture
def alert(acme: Workspace, brand: Query) -> ListeningAlert:
    now = timezone.now()
    return ListeningAlert.objects.create(
        workspace=acme,
        query=brand,
        severity=AlertSeverity.CRISIS,
        raised_at=now,
        window_start=now - timedelta(minutes=10),
        window_end=now,
        mentions=42,
        expected=3.5,
        negative_share=0.8,
        usual_negative_share=0.1,
        facts={
            "terms": ["broken", "#acmefail"],
            "mentions": [
                {
                    "id": 1,
                    "text": "<b>it broke</b>",
                    "author": "@ann",
                    "url": "javascript:alert(1)",
                    "shares": 7,
                }
            ],
        },
    )


@pytest.fixture
def member(make_user: Callable[..., User], acme: Workspace) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        user = make_user(f"{role}@example.com")
        Membership.objects.create(workspace=acme, user=user, role=role)
        return signed_in(user)

    return make


def test_every_page_renders_for_an_owner(
    alice_client: Client, acme: Workspace, brand: Query, alert: ListeningAlert
) -> None:
    m = mention(acme, "acme #launch is great")
    match(brand, m)
    mention(acme, "acme again", duplicate_of=m, external_id="dup")
    source = ListeningSource.objects.create(
        workspace=acme,
        kind=SourceKind.FEED,
        name="Blog",
        url="https://blog.example/feed",
        last_error="The feed answered 500.",
        last_problems=["item 3 has no text"],
    )
    SentimentCorrection.objects.create(workspace=acme, text="x", language="fr", label="negative")
    pages = [
        url("overview"),
        url("overview") + "?period=7",
        url("overview") + "?period=custom&from=2026-03-28&to=2026-03-30",
        url("overview") + f"?query={brand.pk}&group={brand.group_id}&period=90",
        url("overview") + "?period=nonsense&from=2026-13-45&query=x&group=y",
        url("mentions"),
        url("mentions") + "?dups=1&sentiment=positive&q=acme&start=50",
        url("mentions") + "?start=-3&from=junk",
        url("queries"),
        url("query_new"),
        url("query_edit", brand.pk),
        url("preview") + "?text=acme",
        url("sources"),
        url("source_new"),
        url("source_edit", source.pk),
        url("alerts"),
        url("alert", alert.pk),
        url("learning"),
    ]
    for page in pages:
        response = alice_client.get(page)
        assert response.status_code == 200, page
    overview = alice_client.get(url("overview")).content.decode()
    assert "Share of voice" in overview and "Acme brand" in overview
    assert "vendor/plotly.min.js" in overview and "cdn" not in overview.lower()
    assert "#launch" in overview  # top hashtags
    assert "@ann.bsky.social" in overview  # top authors, linked to the filtered list
    assert "author=%40ann.bsky.social" in overview
    listing = alice_client.get(url("mentions")).content.decode()
    assert "1 repost" in listing  # the original once, with its repost count
    assert listing.count('data-testid="mention"') == 1
    assert 'data-key="e"' in listing  # the navigation's entry
    sources = alice_client.get(url("sources")).content.decode()
    assert "The feed answered 500." in sources and "item 3 has no text" in sources
    page = alice_client.get(url("alert", alert.pk)).content.decode()
    assert "42 where about 3.5 are usual" in page
    assert "&lt;b&gt;it broke&lt;/b&gt;" in page
    assert "javascript:" not in page
    assert 'data-testid="crisis-mode"' in page


def test_the_overview_period_and_drill_down_links(
    alice_client: Client, acme: Workspace, brand: Query
) -> None:
    match(brand, mention(acme, "acme", sentiment="negative"))
    response = alice_client.get(url("overview") + f"?period=7&query={brand.pk}")
    body = response.content.decode()
    today = timezone.now().astimezone(acme.tz).date()
    first = today - timedelta(days=6)
    assert f"From {first:%Y-%m-%d} to {today:%Y-%m-%d} included, in Europe/Paris." in body
    # Each day's bar (and table row) opens the list filtered to that day and sentiment.
    assert (
        f"/w/acme/listening/mentions/?query={brand.pk}&amp;from={today}&amp;to={today}"
        "&amp;dups=1&amp;sentiment=negative"
    ) in body
    assert response.context["bucket"] == "day"
    assert sum(r["negative"] for r in response.context["volume"]) == 1
    hourly = alice_client.get(url("overview") + f"?period=custom&from={today}&to={today}")
    assert hourly.context["bucket"] == "hour"
    assert len(hourly.context["volume"]) in (23, 24, 25)


def test_an_analyst_reads_but_does_not_configure(
    member: Callable[[str], Client], brand: Query
) -> None:
    analyst = member(Role.ANALYST)
    assert analyst.get(url("overview")).status_code == 200
    assert analyst.get(url("queries")).status_code == 200
    assert analyst.get(url("sources")).status_code == 200
    assert analyst.get(url("query_new")).status_code == 403
    response = analyst.post(url("query_new"), {"name": "Mine", "text": "mine"})
    assert response.status_code == 403
    assert analyst.post(url("query_delete", brand.pk)).status_code == 403
    assert analyst.post(url("group_new"), {"name": "G", "kind": "brand"}).status_code == 403
    assert not Query.objects.filter(name="Mine").exists()
    assert Query.objects.filter(pk=brand.pk).exists()
    assert "New query" not in analyst.get(url("queries")).content.decode()


def test_a_client_viewer_sees_nothing_of_listening(
    member: Callable[[str], Client], acme: Workspace, alert: ListeningAlert
) -> None:
    viewer = member(Role.CLIENT_VIEWER)
    m = mention(acme)
    for page in (url("overview"), url("mentions"), url("export"), url("alert", alert.pk)):
        assert viewer.get(page).status_code in (403, 404), page
    assert viewer.post(url("correct", m.pk), {"label": "negative"}).status_code in (403, 404)
    assert Mention.objects.get(pk=m.pk).sentiment == "positive"
    home = viewer.get(reverse("web:workspace", args=["acme"])).content.decode()
    assert url("overview") not in home  # no navigation entry either


def test_another_workspaces_objects_are_not_found(
    alice_client: Client, acme: Workspace, globex: Workspace
) -> None:
    theirs = mention(globex, "globex")
    their_query = Query.objects.create(workspace=globex, name="G", text="globex")
    response = alice_client.post(url("correct", theirs.pk), {"label": "negative"})
    assert response.status_code == 404
    assert alice_client.post(url("to_conversation", theirs.pk)).status_code == 404
    assert alice_client.get(url("query_edit", their_query.pk)).status_code == 404
    assert alice_client.get(url("overview", slug="globex")).status_code == 404
    assert Mention.objects.get(pk=theirs.pk).sentiment == "positive"


def test_the_live_preview_counts_and_points_at_a_mistake(
    alice_client: Client, acme: Workspace
) -> None:
    mention(acme, "acme delivery was late")
    mention(acme, "nothing to do with it")
    body = alice_client.get(url("preview"), {"text": "acme"}).content.decode()
    assert "1 of the last 2 mentions matches." in body
    assert body.count('data-testid="preview-match"') == 1
    assert "acme delivery was late" in body
    body = alice_client.get(url("preview"), {"text": "acme AND"}).content.decode()
    assert "AND needs something after it." in body
    assert "(at character 6)" in body
    assert 'data-position="5"' in body
    assert 'acme AND\n     <span class="at">^</span>' in body
    assert "add a word after it" in body
    empty = alice_client.get(url("preview"), {"text": "  "}).content.decode()
    assert "Type a query" in empty


def test_a_query_is_created_in_the_form_and_errors_show_on_the_field(
    alice_client: Client, acme: Workspace
) -> None:
    group = QueryGroup.objects.create(workspace=acme, name="Rivals", kind=GroupKind.COMPETITOR)
    bad = alice_client.post(url("query_new"), {"name": "Broken", "text": "(acme"})
    assert bad.status_code == 400
    assert "This ( is never closed" in bad.content.decode()
    assert bad.context["form"].errors["text"]
    assert not Query.objects.filter(name="Broken").exists()
    preview = alice_client.post(url("query_new"), {"name": "P", "text": "acme", "preview": "1"})
    assert preview.status_code == 200 and not Query.objects.filter(name="P").exists()
    assert "0 of the last 0 mentions match." in preview.content.decode()
    response = alice_client.post(
        url("query_new"),
        {"name": "Globex", "text": "globex", "group": group.pk, "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"] == url("queries")
    query = Query.objects.get(name="Globex")
    assert (query.group, query.is_active, query.alerts_enabled) == (group, True, False)
    again = alice_client.post(url("query_new"), {"name": "Globex", "text": "globex"})
    assert again.status_code == 400
    assert again.context["form"].errors["name"] == ["A query with that name exists already."]
    listed = alice_client.get(url("queries")).content.decode()
    assert "Rivals" in listed and "Globex" in listed


def test_correcting_sentiment_changes_the_mention_and_its_matches(
    alice_client: Client, acme: Workspace, brand: Query
) -> None:
    m = mention(acme, "acme is fine I guess")
    match(brand, m)
    here = url("mentions") + "?q=acme"
    response = alice_client.post(url("correct", m.pk), {"label": "negative", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    m.refresh_from_db()
    assert (m.sentiment, m.sentiment_corrected) == ("negative", True)
    assert MentionMatch.objects.get(mention=m).sentiment == "negative"
    assert SentimentCorrection.objects.get(mention=m).label == "negative"
    # With htmx, the row comes back alone, corrected.
    row = alice_client.post(url("correct", m.pk), {"label": "neutral"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    body = row.content.decode()
    assert body.strip().startswith("<li") and 'data-label="neutral" aria-pressed="true"' in body
    assert MentionMatch.objects.get(mention=m).sentiment == "neutral"
    bad = alice_client.post(url("correct", m.pk), {"label": "furious"}, HTTP_HX_REQUEST="true")
    assert (
        bad.status_code == 400 and "Choose negative, neutral or positive." in bad.content.decode()
    )


def test_a_feed_item_cannot_go_to_the_inbox_and_says_why(
    alice_client: Client, acme: Workspace
) -> None:
    m = mention(acme, "a blog post about acme", network="rss")
    response = alice_client.post(url("to_conversation", m.pk), follow=True)
    assert response.status_code == 200
    assert "A feed item has no account to answer" in response.content.decode()


def test_csv_export_has_the_filters_and_neutralises_formulas(
    alice_client: Client, acme: Workspace, brand: Query
) -> None:
    m = mention(acme, '=HYPERLINK("https://evil.example","click")', sentiment="negative")
    match(brand, m)
    mention(acme, "acme but positive", sentiment="positive")
    response = alice_client.get(url("export") + "?sentiment=negative")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "published_at",
        "network",
        "author_handle",
        "author_name",
        "reach",
        "language",
        "sentiment",
        "corrected",
        "text",
        "url",
        "queries",
        "duplicate_of",
    ]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["text"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row["queries"] == "Acme" and row["sentiment"] == "negative"
    assert row["published_at"].endswith(("+01:00", "+02:00"))  # Europe/Paris
    assert row["reach"] == "120" and row["corrected"] == "no"


def test_crisis_mode_pauses_publishing_and_opens_the_inbox_on_the_crisis_tag(
    alice_client: Client, acme: Workspace, bob: User, alert: ListeningAlert
) -> None:
    editor = signed_in(bob)
    assert 'data-testid="crisis-mode"' not in editor.get(url("alert", alert.pk)).content.decode()
    assert editor.post(url("alert_crisis", alert.pk)).status_code == 403
    assert WorkspacePublishing.of(acme).paused_at is None
    response = alice_client.post(url("alert_crisis", alert.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:list", args=["acme"]) + "?tag=crisis"
    assert WorkspacePublishing.of(acme).paused_at is not None
    alert.refresh_from_db()
    assert alert.crisis_mode_at is not None and alert.acknowledged_at is not None


def test_acknowledging_an_alert(member: Callable[[str], Client], alert: ListeningAlert) -> None:
    analyst = member(Role.ANALYST)
    response = analyst.post(url("alert_ack", alert.pk))
    assert response.status_code == 302 and response["Location"] == url("alert", alert.pk)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert 'data-testid="acknowledge"' not in analyst.get(url("alert", alert.pk)).content.decode()


def test_mention_text_is_escaped_everywhere(
    alice_client: Client, acme: Workspace, brand: Query
) -> None:
    hostile = '<script>alert("x")</script> acme <img src=x onerror=alert(1)>'
    m = mention(
        acme,
        hostile,
        author_name="<b>Eve</b>",
        url="javascript:alert(1)",
        author_url="javascript:alert(2)",
    )
    match(brand, m)
    for page in (url("mentions"), url("preview") + "?text=acme", url("overview")):
        body = alice_client.get(page).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, page
        assert "javascript:alert" not in body, page
    body = alice_client.get(url("mentions")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "&lt;b&gt;Eve&lt;/b&gt;" in body


def test_pages_show_times_in_the_workspace_time_zone(alice_client: Client, acme: Workspace) -> None:
    at = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    mention(acme, "acme", published_at=at)
    body = alice_client.get(url("mentions")).content.decode()
    assert at.astimezone(acme.tz).strftime("%Y-%m-%d %H:%M") in body


def test_mentions_are_paged_by_fifty(alice_client: Client, acme: Workspace) -> None:
    now = timezone.now()
    for i in range(55):
        mention(acme, f"acme {i}", published_at=now - timedelta(minutes=i))
    first = alice_client.get(url("mentions"))
    assert len(first.context["rows"]) == 50 and first.context["next_url"]
    assert not first.context["prev_url"]
    second = alice_client.get(first.context["next_url"])
    assert len(second.context["rows"]) == 5 and not second.context["next_url"]
    assert second.context["prev_url"] and "1\u201350" not in second.content.decode()
    assert "51\u201355" in second.content.decode()  # an en dash between the numbers


def test_sources_are_added_read_and_removed(
    alice_client: Client, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = alice_client.post(
        url("source_new"),
        {"kind": "feed", "url": "ftp://nope", "interval": 300, "backfill_days": 7},
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["url"]
    search = alice_client.post(
        url("source_new"),
        {"kind": "search", "terms": "acme", "interval": 300, "backfill_days": 7},
    )
    assert search.status_code == 400 and search.context["form"].errors["channel"]
    response = alice_client.post(
        url("source_new"),
        {
            "kind": "feed",
            "url": "https://blog.example/feed.xml",
            "interval": 300,
            "backfill_days": 7,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    source = ListeningSource.objects.get(workspace=acme)
    assert source.name == "https://blog.example/feed.xml"

    def fake_read(s: ListeningSource, now: Any = None) -> None:
        ListeningSource.objects.filter(pk=s.pk).update(last_found=3, last_read_at=timezone.now())

    monkeypatch.setattr("hubbub.listening.sources.read_source", fake_read)
    read = alice_client.post(url("source_read", source.pk), follow=True)
    assert "read: 3 new mentions." in read.content.decode()
    gone = alice_client.post(url("source_delete", source.pk))
    assert gone.status_code == 302 and not ListeningSource.objects.exists()


def test_groups_are_created_and_deleted(alice_client: Client, acme: Workspace) -> None:
    alice_client.post(url("group_new"), {"name": "Us", "kind": "brand"})
    group = QueryGroup.objects.get(workspace=acme, name="Us")
    twice = alice_client.post(url("group_new"), {"name": "Us", "kind": "brand"}, follow=True)
    assert "A group with that name exists already." in twice.content.decode()
    alice_client.post(url("group_delete", group.pk))
    assert not QueryGroup.objects.filter(pk=group.pk).exists()


def test_the_learning_page_counts_corrections_per_language(
    alice_client: Client, acme: Workspace
) -> None:
    for language in ("fr", "fr", "en"):
        SentimentCorrection.objects.create(
            workspace=acme, text="x", language=language, label="negative"
        )
    response = alice_client.get(url("learning"))
    rows = {r["language"]: r["corrections"] for r in response.context["rows"]}
    assert rows == {"fr": 2, "en": 1}
