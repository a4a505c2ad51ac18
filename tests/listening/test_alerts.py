"""Alerts on stored mentions: the baseline learned by hour in the workspace's zone (a day of
23 hours included), a burst that must last, the cooldown, who is told, and what is said."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import respx
from django.core import mail

from hubbub.core.access import access_workspace
from hubbub.core.models import Notification, Workspace
from hubbub.listening import alerts, pipeline, spikes
from hubbub.listening.models import ListeningAlert, Query
from hubbub.listening.pipeline import Found, process
from hubbub.notify.models import Destination, DestinationKind
from hubbub.webhooks.actions import create_endpoint

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 5, 6, 14, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()


def mention(n: int, text: str, at: datetime) -> Found:
    return Found(network="bluesky", external_id=f"m{n}", text=text, published_at=at)


def history(workspace: Workspace, days: int, per_hour: int, end: datetime) -> int:
    """`per_hour` calm mentions of acme every hour for `days` days before `end`."""
    found, n = [], 0
    start = end - timedelta(days=days)
    for hour in range(days * 24):
        for k in range(per_hour):
            at = start + timedelta(hours=hour, minutes=k * 60 // per_hour)
            found.append(mention(n, f"acme coffee number {n} this morning, nice", at))
            n += 1
    process(workspace, found, now=end)
    return n


def query(workspace: Workspace, created: datetime) -> Query:
    return Query.objects.create(
        workspace=workspace, name="Acme", text="acme", created_at=created, updated_at=created
    )


def burst(workspace: Workspace, start: int, count: int, at: datetime, angry: bool) -> None:
    text = "acme charged me twice, terrible scam, refund now 😡" if angry else "acme is great"
    process(
        workspace,
        [mention(start + i, f"{text} ({i})", at - timedelta(seconds=i)) for i in range(count)],
        now=at,
    )


def test_the_baseline_is_learned_by_local_hour_once(acme: Workspace) -> None:
    # Hours before the query existed are not learned (as quiet or otherwise).
    q = query(acme, NOW - timedelta(days=7))
    history(acme, 7, 3, NOW)
    # The hour that just ended is learned once the window after it has passed.
    alerts.check_queries(acme.pk, [q.pk], NOW + alerts.WINDOW - timedelta(seconds=1))
    q.refresh_from_db()
    assert (
        q.spike_state["learned_until"] == (NOW - timedelta(hours=1)).astimezone(PARIS).isoformat()
    )
    assert alerts.check_queries(acme.pk, [q.pk], NOW + alerts.WINDOW) == []
    q.refresh_from_db()
    state = q.spike_state
    assert state["learned_until"] == NOW.astimezone(PARIS).isoformat()
    volume = state["baseline"]["volume"]
    # Wednesday 15:00-16:00 in Paris is hour 2*24+15 of the week: three mentions an hour.
    assert volume[2 * 24 + 15] == pytest.approx(3.0, abs=0.01)
    hours = state["baseline"]["hours_seen"]
    # A second check in the same hour learns nothing more.
    alerts.check_queries(acme.pk, [q.pk], NOW + timedelta(minutes=40))
    q.refresh_from_db()
    assert q.spike_state["baseline"]["hours_seen"] == hours


def test_a_day_of_23_hours_is_learned_hour_by_hour(acme: Workspace) -> None:
    # 2026-03-29: clocks in Paris go from 02:00 to 03:00. 24 UTC hours, 24 learned hours.
    night = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    q = query(acme, night - timedelta(hours=1))
    Query.objects.filter(pk=q.pk).update(
        spike_state={"learned_until": night.astimezone(PARIS).isoformat()}
    )
    alerts.check_queries(acme.pk, [q.pk], night + timedelta(hours=24) + alerts.WINDOW)
    q.refresh_from_db()
    assert q.spike_state["baseline"]["hours_seen"] == 24


def test_a_negative_burst_alerts_once_it_lasts_and_tells_who_can_act(
    acme: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    q = query(acme, NOW - timedelta(days=10))
    n = history(acme, 7, 3, NOW - timedelta(minutes=30))
    alerts.check_queries(acme.pk, [q.pk], NOW - timedelta(minutes=20))
    Destination.objects.create(
        workspace=acme,
        kind=DestinationKind.EMAIL,
        name="Crisis desk",
        events=["listening.crisis"],
        config_encrypted=__import__("hubbub.core.crypto", fromlist=["x"]).encrypt_json(
            {"addresses": ["desk@acme.example"]}
        ),
    )
    owner = access_workspace(acme.memberships.get(role="owner").user, "acme")
    create_endpoint(owner, "https://hooks.example.com/crm", "CRM", ["listening.alert"])
    burst(acme, n, 20, NOW, angry=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.check_queries(acme.pk, [q.pk], NOW) == []  # seen, not yet lasted
    q.refresh_from_db()
    assert q.spike_state["burst_since"]
    later = NOW + spikes.PERSIST + timedelta(seconds=1)
    with respx.mock(assert_all_mocked=True) as router:
        hook = router.post("https://hooks.example.com/crm").respond(200)
        with django_capture_on_commit_callbacks(execute=True):
            raised = alerts.check_queries(acme.pk, [q.pk], later)
    [call] = hook.calls
    sent = json.loads(call.request.content)
    assert sent["event"] == "listening.alert"
    assert sent["data"]["alert"]["severity"] == "crisis"
    assert sent["data"]["alert"]["url"].endswith(f"/w/acme/listening/alerts/{raised[0].pk}/")
    assert len(raised) == 1
    alert = raised[0]
    assert alert.severity == "crisis"
    assert alert.window_end == later
    assert alert.window_end - alert.window_start == alerts.SHORT_WINDOW
    assert alert.mentions == 20 and alert.negative_share >= 0.9
    assert {"charged", "twice", "scam", "refund"} & set(alert.facts["terms"])
    assert alert.facts["mentions"] and alert.facts["mentions"][0]["text"]
    # Alice (owner) is told in-app and by e-mail; Bob (editor) is not.
    assert Notification.objects.filter(user__email="alice@example.com").count() == 1
    assert not Notification.objects.filter(user__email="bob@example.com").exists()
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == ["alice@example.com", "desk@acme.example"]
    body = mail.outbox[0].body
    assert "Possible crisis on “Acme”" in body and "negative" in body
    # Within the cooldown the same burst raises nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.check_queries(acme.pk, [q.pk], later + timedelta(minutes=5)) == []
    assert ListeningAlert.objects.count() == 1


def test_a_backfill_of_old_posts_is_not_a_spike(acme: Workspace) -> None:
    q = query(acme, NOW - timedelta(days=10))
    n = history(acme, 3, 2, NOW - timedelta(hours=2))
    alerts.check_queries(acme.pk, [q.pk], NOW - timedelta(hours=1))
    # 200 posts written three hours ago arrive now (a source's first read).
    burst(acme, n, 200, NOW - timedelta(hours=3), angry=True)
    for minute in (0, 1, 2):
        assert alerts.check_queries(acme.pk, [q.pk], NOW + timedelta(minutes=minute)) == []


def test_usual_traffic_and_paused_queries_raise_nothing(acme: Workspace) -> None:
    q = query(acme, NOW - timedelta(days=10))
    n = history(acme, 7, 6, NOW)
    alerts.check_queries(acme.pk, [q.pk], NOW)
    burst(acme, n, 1, NOW + timedelta(minutes=5), angry=False)
    assert alerts.check_all(NOW + timedelta(minutes=5)) == []
    Query.objects.filter(pk=q.pk).update(alerts_enabled=False)
    burst(acme, n + 10, 50, NOW + timedelta(minutes=6), angry=True)
    assert alerts.check_all(NOW + timedelta(minutes=6)) == []
    assert alerts.check_all(NOW + timedelta(minutes=7)) == []


def test_the_alert_text_is_in_the_reader_s_language(acme: Workspace) -> None:
    from django.utils import translation

    q = query(acme, NOW - timedelta(days=1))
    alert = ListeningAlert.objects.create(
        workspace=acme,
        query=q,
        severity="spike",
        window_start=NOW - timedelta(minutes=10),
        window_end=NOW,
        mentions=40,
        expected=4.0,
        negative_share=0.1,
        usual_negative_share=0.1,
        facts={"terms": ["promo"], "mentions": [{"author": "@a", "text": "x", "shares": 3}]},
    )
    with translation.override("fr"):
        text = alerts.text_of(alert)
    assert text.startswith("Pic de mentions sur «\u00a0Acme\u00a0»")
    assert "40 mentions en 10 minutes" in text


def test_a_burst_across_the_turn_of_the_hour_is_judged_not_learned(acme: Workspace) -> None:
    # A query made half an hour ago, with nothing usual to go by yet.
    q = query(acme, NOW - timedelta(minutes=30))
    alerts.check_queries(acme.pk, [q.pk], NOW - timedelta(minutes=20))
    # Twenty angry posts in the last seconds of the hour; the checks come just after it.
    # Were the hour learned at once, they would be "the usual" (all negative) and the
    # crisis would pass for a mere spike.
    burst(acme, 0, 20, NOW - timedelta(seconds=1), angry=True)
    assert alerts.check_queries(acme.pk, [q.pk], NOW + timedelta(seconds=10)) == []
    raised = alerts.check_queries(
        acme.pk, [q.pk], NOW + timedelta(seconds=10) + spikes.PERSIST + timedelta(seconds=1)
    )
    assert [a.severity for a in raised] == ["crisis"]
