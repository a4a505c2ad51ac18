"""Listening's actions as the pages, the API and the CLI call them: queries checked and
matched against history, sources checked, sentiment corrected, mentions into the inbox,
crisis mode — with their permissions and their audit entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation, Message
from hubbub.listening import actions, pipeline
from hubbub.listening.actions import QueryInput, SourceInput
from hubbub.listening.models import (
    ListeningAlert,
    ListeningSource,
    Mention,
    MentionMatch,
    SentimentCorrection,
    SourceKind,
)
from hubbub.listening.pipeline import Found, process
from hubbub.networks.models import Channel
from hubbub.publishing.models import WorkspacePublishing

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 6, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()


@pytest.fixture
def owner(alice: object, acme: Workspace) -> Access:
    return access_workspace(alice, "acme")  # type: ignore[arg-type]


@pytest.fixture
def analyst(acme: Workspace, make_user: object) -> Access:
    user = make_user("ana@example.com")  # type: ignore[operator]
    Membership.objects.create(workspace=acme, user=user, role=Role.ANALYST)
    return access_workspace(user, "acme")


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    found = Channel(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )
    found.credentials = {"handle": "acme.bsky.social", "app_password": "x"}
    found.save()
    return found


def store(workspace: Workspace, texts: list[str], source: ListeningSource | None = None) -> None:
    process(
        workspace,
        [
            Found(
                network="bluesky" if source is None or source.kind == "search" else "rss",
                external_id=f"at://did:plc:fan/app.bsky.feed.post/{n}",
                text=text,
                published_at=NOW - timedelta(hours=n),
                author_handle="@fan.bsky.social",
                data={
                    "uri": f"at://did:plc:fan/app.bsky.feed.post/{n}",
                    "cid": "bafy",
                    "author_id": "did:plc:fan",
                },
            )
            for n, text in enumerate(texts)
        ],
        source,
        now=NOW,
    )


def test_a_query_with_a_mistake_is_refused_with_where_and_why(owner: Access) -> None:
    with pytest.raises(ActionError) as caught:
        actions.create_query(owner, QueryInput("Broken", "acme AND (late OR"))
    assert caught.value.field == "text"
    assert "at character" in caught.value.message
    with pytest.raises(ActionError, match="name"):
        actions.create_query(owner, QueryInput("  ", "acme"))


@time_machine.travel(NOW, tick=False)
def test_a_new_query_is_matched_against_stored_mentions(owner: Access) -> None:
    store(owner.workspace, ["acme is late again", "nothing here", "ACMÉ rocks"])
    query = actions.create_query(owner, QueryInput("Acme", "acme"))
    assert MentionMatch.objects.filter(query=query).count() == 2
    assert AuditEntry.objects.filter(action="listening.query_create").count() == 1
    # Changing the words re-matches history; the same name twice is refused.
    actions.update_query(owner, query, QueryInput("Acme", "acme NOT late"))
    assert MentionMatch.objects.filter(query=query).count() == 1
    with pytest.raises(ActionError, match="exists already"):
        actions.create_query(owner, QueryInput("Acme", "other"))


def test_the_live_preview_counts_and_samples(owner: Access) -> None:
    store(owner.workspace, ["acme one", "acme two", "acme three", "other"])
    shown = actions.preview(owner, "acme")
    assert (shown.count, shown.scanned, shown.error) == (3, 4, None)
    assert [m.text for m in actions.preview(owner, "acme", limit=2).sample] == [
        "acme one",
        "acme two",
    ]
    broken = actions.preview(owner, "acme NEAR/99 late")
    assert broken.error is not None and broken.count == 0


def test_roles_decide_who_configures_and_who_triages(owner: Access, analyst: Access) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_query(analyst, QueryInput("Acme", "acme"))
    store(owner.workspace, ["acme is sick, best skateboards ever"])
    mention = Mention.objects.get()
    actions.correct_sentiment(analyst, mention, "positive")  # analysts may correct


def test_a_correction_changes_the_mention_its_matches_and_is_kept(owner: Access) -> None:
    query = actions.create_query(owner, QueryInput("Acme", "acme"))
    store(owner.workspace, ["acme is sick, best skateboards ever"])
    mention = Mention.objects.get()
    before = mention.sentiment
    actions.correct_sentiment(owner, mention, "positive")
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_corrected) == ("positive", True)
    assert MentionMatch.objects.get(query=query).sentiment == "positive"
    kept = SentimentCorrection.objects.get()
    assert (kept.label, kept.previous_label, kept.language) == ("positive", before, "en")
    actions.correct_sentiment(owner, mention, "neutral")  # corrected again: one correction
    assert SentimentCorrection.objects.get().label == "neutral"
    with pytest.raises(ActionError):
        actions.correct_sentiment(owner, mention, "angry")


def test_sources_are_checked_before_they_are_saved(owner: Access, channel: Channel) -> None:
    with pytest.raises(ActionError) as caught:
        actions.create_source(owner, SourceInput(kind="feed", name="", url="http://10.0.0.5/rss"))
    assert caught.value.field == "url"
    with pytest.raises(ActionError, match="30 seconds"):
        actions.create_source(
            owner, SourceInput(kind="search", name="", channel=channel, terms="acme", interval=5)
        )
    telegram = Channel.objects.create(
        workspace=owner.workspace, network="telegram", external_id="1", handle="acme_bot"
    )
    with pytest.raises(ActionError, match="cannot search"):
        actions.create_source(
            owner, SourceInput(kind="search", name="", channel=telegram, terms="acme")
        )
    source = actions.create_source(
        owner, SourceInput(kind="search", name="", channel=channel, terms="acme")
    )
    assert (source.name, source.kind, source.network) == ("acme", SourceKind.SEARCH, "bluesky")


def test_a_found_post_becomes_an_inbox_conversation_once(owner: Access, channel: Channel) -> None:
    source = actions.create_source(
        owner, SourceInput(kind="search", name="", channel=channel, terms="acme")
    )
    store(owner.workspace, ["@acme.bsky.social my order is late"], source)
    mention = Mention.objects.get()
    conversation = actions.to_conversation(owner, mention)
    assert conversation.channel_id == channel.pk
    message = Message.objects.get(conversation=conversation)
    assert message.external_id == mention.external_id and message.text == mention.text
    assert actions.to_conversation(owner, Mention.objects.get()).pk == conversation.pk
    assert Conversation.objects.count() == 1


def test_a_feed_item_cannot_become_a_conversation(owner: Access) -> None:
    feed = ListeningSource.objects.create(
        workspace=owner.workspace, kind="feed", name="News", url="https://news.example/rss"
    )
    store(owner.workspace, ["Acme opens a shop"], feed)
    with pytest.raises(ActionError, match="feed item"):
        actions.to_conversation(owner, Mention.objects.get())


def test_crisis_mode_pauses_publishing_and_brings_the_mentions_in(
    owner: Access, channel: Channel
) -> None:
    query = actions.create_query(owner, QueryInput("Acme", "acme"))
    source = actions.create_source(
        owner, SourceInput(kind="search", name="", channel=channel, terms="acme")
    )
    store(owner.workspace, [f"acme scam {n}, refund me" for n in range(4)], source)
    alert = ListeningAlert.objects.create(
        workspace=owner.workspace,
        query=query,
        severity="crisis",
        window_start=NOW - timedelta(hours=5),
        window_end=NOW,
        mentions=4,
        expected=0.5,
        negative_share=1.0,
        usual_negative_share=0.1,
    )
    conversations = actions.crisis_mode(owner, alert)
    assert len(conversations) == 4
    assert all(list(c.tags.values_list("name", flat=True)) == ["crisis"] for c in conversations)
    assert WorkspacePublishing.of(owner.workspace).paused_at is not None
    alert.refresh_from_db()
    assert alert.crisis_mode_at is not None and alert.acknowledged_at is not None


def test_another_workspace_s_objects_are_refused(owner: Access, globex: Workspace) -> None:
    store(globex, ["acme elsewhere"])
    theirs = Mention.objects.get(workspace=globex)
    with pytest.raises(ActionError):
        actions.correct_sentiment(owner, theirs, "negative")


def test_a_query_s_rule_brings_negative_mentions_into_the_inbox(
    owner: Access, channel: Channel, django_capture_on_commit_callbacks: object
) -> None:
    actions.create_query(
        owner,
        QueryInput("Acme complaints", "acme", to_inbox="negative", to_inbox_min_reach=100),
    )
    with pytest.raises(ActionError) as caught:
        actions.create_query(owner, QueryInput("Bad", "acme", to_inbox="sometimes"))
    assert caught.value.field == "to_inbox"
    source = actions.create_source(
        owner, SourceInput(kind="search", name="", channel=channel, terms="acme")
    )
    texts = {
        "loud": ("acme charged me twice, a scam, refund me now 😡", 5000),
        "quiet": ("acme lost my parcel, terrible service, so angry", 3),
        "happy": ("acme is wonderful, I love their new blender", 5000),
    }
    found = [
        Found(
            network="bluesky",
            external_id=f"at://did:plc:{key}/app.bsky.feed.post/1",
            text=text,
            published_at=NOW,
            author_handle=f"@{key}.bsky.social",
            author_reach=reach,
            data={
                "uri": f"at://did:plc:{key}/app.bsky.feed.post/1",
                "cid": "bafy",
                "author_id": f"did:plc:{key}",
            },
        )
        for key, (text, reach) in texts.items()
    ]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        process(owner.workspace, found, source, now=NOW)
    into = {m.author_handle for m in Mention.objects.filter(conversation__isnull=False)}
    assert into == {"@loud.bsky.social"}
    conversation = Conversation.objects.get()
    assert conversation.channel_id == channel.pk
    assert Message.objects.get(conversation=conversation).text == texts["loud"][0]
