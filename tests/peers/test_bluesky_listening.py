"""Listening on a real Bluesky network (Bluesky's reference PDS and AppView on loopback):
accounts post about a brand; the Bluesky search source collects their posts through
app.bsky.feed.searchPosts; enrichment and matching run; then a burst of negative posts
raises a crisis alert that reaches a real SMTP server (aiosmtpd) within the test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hubbub.core.access import Access, access_workspace
from hubbub.core.models import Workspace
from hubbub.listening import actions, alerts, pipeline, sources, spikes
from hubbub.listening.actions import QueryInput, SourceInput
from hubbub.listening.models import ListeningAlert, ListeningSource, Mention, MentionMatch
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.models import Channel
from tests.networks.newsletter.smtp_server import PASSWORD, USERNAME, Running, smtp_server
from tests.peers.bluesky_net import BlueskyNet
from tests.peers.test_bluesky_reading import Fan

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]


@pytest.fixture
def owner(alice: Any, acme: Workspace) -> Access:
    pipeline.forget()
    return access_workspace(alice, "acme")


@pytest.fixture
def channel(bluesky_net: BlueskyNet, owner: Access) -> Channel:
    handle, password, _did = bluesky_net.create_account("listener")
    app_password = bluesky_net.create_app_password(handle, password)
    return connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)


@pytest.fixture
def smtp(settings: Any) -> Iterator[Running]:
    with smtp_server() as running:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", running.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = USERNAME, PASSWORD
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield running


def post(fan: Fan, text: str) -> str:
    return fan.create("app.bsky.feed.post", {"text": text, "langs": ["en"]})["uri"]


def read_until(source: ListeningSource, want: set[str], commits: Any) -> set[str]:
    """Read the source as the worker does (and what runs once its transaction commits)
    until the AppView has indexed every post in `want` (it indexes new records a moment
    after the PDS stores them)."""
    stored: set[str] = set()
    for _attempt in range(60):
        ListeningSource.objects.filter(pk=source.pk).update(next_read_at=timezone.now())
        source.refresh_from_db()
        with commits(execute=True):
            result = sources.read_source(source)
        assert not result.errors, result.errors
        stored = set(Mention.objects.values_list("external_id", flat=True))
        if want <= stored:
            return stored
        import time

        time.sleep(0.5)
    raise AssertionError(f"never found {want - stored}")


def test_bluesky_search_feeds_listening_and_a_negative_burst_alerts_by_email(
    bluesky_net: BlueskyNet,
    owner: Access,
    channel: Channel,
    smtp: Running,
    django_capture_on_commit_callbacks: Any,
) -> None:
    commits = django_capture_on_commit_callbacks
    brand = f"zorblex{secrets.token_hex(3)}"  # a word no other test posts
    query = actions.create_query(owner, QueryInput(name="Zorblex", text=f"{brand} OR #{brand}"))
    praise = actions.create_query(
        owner, QueryInput(name="Praise", text=f'{brand} NEAR/4 (love OR "thank you")')
    )
    source = actions.create_source(
        owner, SourceInput(kind="search", name="Brand on Bluesky", channel=channel, terms=brand)
    )
    fans = [Fan(bluesky_net) for _ in range(3)]
    calm = [
        post(fans[0], f"I love my new {brand} headphones, thank you!"),
        post(fans[1], f"Anyone tried the {brand} app update? Asking for a friend"),
        post(fans[2], "A post that says nothing about the brand at all"),
    ]
    stored = read_until(source, set(calm[:2]), commits)
    assert calm[2] not in stored  # the search did not return it
    first = Mention.objects.get(external_id=calm[0])
    assert first.network == "bluesky" and first.language == "en"
    assert first.sentiment == "positive"
    assert first.author_handle == f"@{fans[0].handle}"
    assert first.url.startswith("https://bsky.app/profile/")
    assert first.author_reach == 0  # from app.bsky.actor.getProfiles: nobody follows them yet
    assert set(MentionMatch.objects.filter(query=query).values_list("mention_id", flat=True)) == {
        first.pk,
        Mention.objects.get(external_id=calm[1]).pk,
    }
    assert list(MentionMatch.objects.filter(query=praise).values_list("mention_id", flat=True)) == [
        first.pk
    ]
    source.refresh_from_db()
    assert source.cursor and source.last_error == ""

    # The burst: eight angry posts within a minute (a quiet new query expects about 2 an hour).
    complaints = [
        f"{brand} charged me twice and support never answers, this is a scam 😡",
        f"Worst experience ever with {brand}, my order never arrived. Refund me now!",
        f"{brand} is down again, terrible service, I am so angry",
        f"Do not buy from {brand}: broken on arrival and they refuse to refund",
        f"{brand} customer service is awful, hours on hold and nobody helps",
        f"Disgusted by {brand}, the update deleted all my data. Horrible!",
        f"{brand} lied about delivery dates, never again, terrible",
        f"Still no refund from {brand} after a month. Absolutely unacceptable 😡",
    ]
    burst = [post(fans[i % 3], text) for i, text in enumerate(complaints)]
    arrived = datetime.now(UTC)
    read_until(source, set(burst), commits)
    # Reading checked the query: the burst has started, and must last before it alerts.
    assert not ListeningAlert.objects.exists()
    assert query.__class__.objects.get(pk=query.pk).spike_state["burst_since"]
    assert smtp.recorder.received == []
    # The follow-up check, PERSIST later (the delayed job), raises and sends the alert.
    later = datetime.now(UTC) + spikes.PERSIST + timedelta(seconds=1)
    with time_machine.travel(later, tick=True), commits(execute=True):
        raised = alerts.check_queries(owner.workspace.pk, [query.pk])
    assert [a.query_id for a in raised] == [query.pk]
    alert = raised[0]
    assert alert.severity == "crisis"
    assert alert.mentions >= 8 and alert.negative_share >= 0.7
    assert alert.first_seen_at is not None
    assert alert.first_seen_at - arrived < timedelta(seconds=60)
    assert alert.raised_at - alert.first_seen_at <= timedelta(seconds=60)
    assert {"refund", "never"} & set(alert.facts["terms"])

    mails = smtp.recorder.to("alice@example.com")
    assert len(mails) == 1, [m["Subject"] for m in mails]
    body = mails[0].get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert "Zorblex" in content
    assert "negative" in content
    assert "Most shared" in content
    assert f"/listening/alerts/{alert.pk}/" in content
    # The editor (bob) cannot act on it: not told by e-mail.
    assert smtp.recorder.to("bob@example.com") == []

    # A second check within the cooldown sends nothing more.
    with time_machine.travel(later + timedelta(seconds=30), tick=True), commits(execute=True):
        assert alerts.check_queries(owner.workspace.pk, [query.pk]) == []
    assert len(smtp.recorder.to("alice@example.com")) == 1

    # Crisis mode from the alert: publishing paused, the mentions in the inbox, tagged.
    conversations = actions.crisis_mode(owner, ListeningAlert.objects.get(pk=alert.pk))
    assert len(conversations) >= 8
    assert all("crisis" in c.tags.values_list("name", flat=True) for c in conversations)
    from hubbub.publishing.models import WorkspacePublishing

    assert WorkspacePublishing.of(owner.workspace).paused_at is not None
