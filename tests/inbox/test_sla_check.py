"""The periodic target check: a warning before each breach and each breach recorded, each
exactly once even when the check runs twice or two workers run it at once; alerts reach the
right people, the alert destinations and the signed webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import respx
import time_machine
from django.core import mail

from hubbub.core.access import Access
from hubbub.core.models import Membership, Notification
from hubbub.core.roles import Role
from hubbub.inbox import sla, tasks_sla
from hubbub.inbox.models import Breach, Conversation, Status
from hubbub.notify import actions as notify_actions
from hubbub.notify.models import Destination
from hubbub.webhooks import actions as webhook_actions
from hubbub.webhooks.models import WebhookMessage
from tests.inbox import conftest_sla

# The shared fixtures (module attributes, so pytest finds them).
carol = conftest_sla.carol
open_conversation = conftest_sla.open_conversation
policy = conftest_sla.policy

PARIS = ZoneInfo("Europe/Paris")
SLACK_URL = "https://hooks.slack.com/services/T0ACME001/B0ALERT01/abcdefghijklmnopqrstuvwx"
HOMESERVER = "https://matrix.example.com"
ROOM = "!support:example.com"


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)  # type: ignore[arg-type,misc]


OPENED = paris(2026, 11, 18, 10, 0)  # a Wednesday: first answer due 11:00
DUE = paris(2026, 11, 18, 11, 0)


@pytest.fixture
def moderator(make_user, acme):
    user = make_user("mona@example.com", full_name="Mona Moderator")
    Membership.objects.create(workspace=acme, user=user, role=Role.MODERATOR)
    return user


@pytest.fixture
def conversation(open_conversation, policy, moderator) -> Conversation:
    made: Conversation = open_conversation(OPENED)
    return made


def check(at: datetime, capture=None) -> sla.CheckResult:
    with time_machine.travel(at, tick=False):
        if capture is None:
            return sla.check_targets()
        with capture(execute=True):
            return sla.check_targets()


def notices(kind: str) -> list[tuple[str, str]]:
    return sorted(
        (n.user.email, n.text)
        for n in Notification.objects.filter(kind=kind).select_related("user")
    )


# --- warnings and breaches, once each ---------------------------------------------------------


def test_nothing_happens_before_the_warning_time(conversation):
    assert check(paris(2026, 11, 18, 10, 44)) == sla.CheckResult()
    assert not Notification.objects.exists()


def test_a_warning_goes_out_once_fifteen_minutes_before(conversation, alice, bob, moderator):
    result = check(paris(2026, 11, 18, 10, 45))
    again = check(paris(2026, 11, 18, 10, 46))
    assert (result.warned, again.warned) == (1, 0)
    # Unassigned: the owners, managers and moderators hear, not the editor.
    recipients = [email for email, _text in notices("inbox.breach_warning")]
    assert recipients == ["alice@example.com", "mona@example.com"]
    [(_email, text)] = notices("inbox.breach_warning")[:1]
    assert "carol.bsky.social" in text and "2026-11-18 11:00" in text
    conversation.refresh_from_db()
    assert conversation.first_response_warned_at == paris(2026, 11, 18, 10, 45)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "mona@example.com"]


def test_an_assigned_conversation_alerts_its_assignee_only(conversation, bob):
    Conversation.objects.filter(pk=conversation.pk).update(assignee=bob)
    check(paris(2026, 11, 18, 10, 50))
    assert [email for email, _t in notices("inbox.breach_warning")] == ["bob@example.com"]


def test_a_breach_is_recorded_once(conversation, alice):
    first = check(DUE)
    second = check(DUE + timedelta(minutes=1))
    assert (first.breached, second.breached) == (1, 0)
    breach = Breach.objects.get()
    assert (breach.kind, breach.due_at, breach.breached_at) == ("first_response", DUE, DUE)
    assert breach.channel_id == conversation.channel_id
    assert len(notices("inbox.breached")) == 2  # alice and the moderator
    conversation.refresh_from_db()
    assert conversation.first_response_breached_at == DUE
    # The due time passed before any check warned: no warning after the fact.
    assert not notices("inbox.breach_warning")


def test_the_resolution_target_is_checked_after_the_first_answer(conversation):
    sla.on_first_response(conversation, paris(2026, 11, 18, 10, 30))
    check(paris(2026, 11, 19, 9, 50))  # resolution due Thursday 10:00
    check(paris(2026, 11, 19, 10, 0))
    assert [b.kind for b in Breach.objects.all()] == ["resolution"]
    conversation.refresh_from_db()
    assert conversation.resolution_warned_at == paris(2026, 11, 19, 9, 50)
    texts = [t for _e, t in notices("inbox.breached")]
    assert texts and all("resolution" in t for t in texts)


def test_answered_or_closed_conversations_are_left_alone(open_conversation, policy):
    answered = open_conversation(OPENED)
    sla.on_first_response(answered, paris(2026, 11, 18, 10, 10))
    closed = open_conversation(OPENED)
    Conversation.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    result = check(paris(2026, 11, 18, 12, 0))
    assert result.breached == 0
    assert not Breach.objects.exists()


def test_two_workers_at_once_send_each_alert_once(conversation, monkeypatch):
    """The second worker starts while the first is sending its alert: both read the
    conversation as not breached yet; the conditional update lets only one through."""
    from hubbub.notify import alerts

    real_send = alerts.send
    nested: list[sla.CheckResult] = []

    def send_while_another_worker_runs(*args, **kwargs):
        if not nested:
            nested.append(sla.check_targets(DUE))
        real_send(*args, **kwargs)

    monkeypatch.setattr(alerts, "send", send_while_another_worker_runs)
    outer = sla.check_targets(DUE)
    assert (outer.breached, nested[0].breached) == (1, 0)
    assert Breach.objects.count() == 1
    assert len(notices("inbox.breached")) == 2


def test_a_stale_view_cannot_claim_twice(conversation):
    stale = Conversation.objects.get(pk=conversation.pk)
    assert sla._breach(conversation, sla.FIRST_RESPONSE, DUE)
    assert not sla._breach(stale, sla.FIRST_RESPONSE, DUE)
    assert Breach.objects.count() == 1


def test_reopening_rearms_warnings_and_breaches(conversation, alice):
    check(DUE)
    reopened = paris(2026, 11, 19, 14, 0)
    Conversation.objects.filter(pk=conversation.pk).update(opened_at=reopened)
    conversation.refresh_from_db()
    sla.on_inbound(conversation, None, reopened=True)
    check(paris(2026, 11, 19, 14, 50))
    check(paris(2026, 11, 19, 15, 0))
    assert Breach.objects.count() == 2
    assert len(notices("inbox.breach_warning")) == 2  # only the second cycle's warning


def test_the_periodic_task_runs_the_check(conversation):
    with time_machine.travel(DUE + timedelta(seconds=5), tick=False):
        tasks_sla.check_targets.call_local()
    assert Breach.objects.count() == 1


# --- destinations and the webhook ---------------------------------------------------------------


@pytest.fixture
def owner(alice, acme) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture
def destinations(owner, fake_dns) -> list[Destination]:
    fake_dns["hooks.slack.com"] = ["93.184.215.20"]
    fake_dns["matrix.example.com"] = ["93.184.215.21"]
    events = ["inbox.breach_warning", "inbox.breached"]
    return [
        notify_actions.create_destination(
            owner, "slack", "#support", {"webhook_url": SLACK_URL}, events
        ),
        notify_actions.create_destination(
            owner,
            "matrix",
            "Support room",
            {"homeserver": HOMESERVER, "room_id": ROOM, "access_token": "syt_secret_token"},
            events,
        ),
        notify_actions.create_destination(
            owner, "email", "On call", {"addresses": "oncall@example.com"}, events
        ),
    ]


def test_a_breach_reaches_slack_matrix_and_email(
    conversation, destinations, django_capture_on_commit_callbacks
):
    with respx.mock(assert_all_mocked=True) as router:
        slack = router.post(SLACK_URL).respond(200, text="ok")
        matrix = router.put(url__startswith=f"{HOMESERVER}/_matrix/client/v3/rooms/").respond(
            200, json={"event_id": "$abc"}
        )
        check(DUE, django_capture_on_commit_callbacks)
    [slack_call] = slack.calls
    text = json.loads(slack_call.request.content)["text"]
    assert "Missed the first-response target" in text
    # The customer's words cannot ping the channel or inject links in Slack.
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert f"/w/acme/inbox/{conversation.pk}/|Open in Hubbub>" in text
    [matrix_call] = matrix.calls
    request = matrix_call.request
    assert request.url.raw_path.startswith(b"/_matrix/client/v3/rooms/%21support%3Aexample.com/")
    assert "/send/m.room.message/hubbub-alert-" in request.url.path
    assert request.headers["authorization"] == "Bearer syt_secret_token"
    body = json.loads(request.content)
    assert body["msgtype"] == "m.text" and "Missed the first-response target" in body["body"]
    [email] = [m for m in mail.outbox if m.to == ["oncall@example.com"]]
    assert "Missed the first-response target" in email.subject
    for destination in destinations:
        destination.refresh_from_db()
        assert destination.last_sent_at == DUE and destination.last_error == ""


def test_a_failing_destination_does_not_stop_the_others_and_is_retried(
    conversation, destinations, django_capture_on_commit_callbacks, caplog
):
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()
    with respx.mock(assert_all_mocked=True) as router:
        router.post(SLACK_URL).respond(500, text="internal_error")
        matrix = router.put(url__startswith=HOMESERVER).respond(200, json={"event_id": "$a"})
        check(DUE, django_capture_on_commit_callbacks)
    slack, matrix_destination, _email = (Destination.objects.get(pk=d.pk) for d in destinations)
    assert "HTTP 500" in slack.last_error and slack.last_sent_at is None
    assert matrix.call_count == 1 and matrix_destination.last_sent_at == DUE
    assert any(m.to == ["oncall@example.com"] for m in mail.outbox)
    # The failed Slack alert waits for its next attempt, with the same alert.
    [retry] = HUEY.scheduled()
    assert retry.args[0] == slack.pk and retry.args[2] == 2
    assert retry.eta.replace(tzinfo=UTC) >= DUE + timedelta(seconds=30)
    HUEY.storage.flush_schedule()
    # Secrets never reach the log.
    assert "abcdefghijklmnopqrstuvwx" not in caplog.text
    assert "syt_secret_token" not in caplog.text


def test_matrix_retries_reuse_the_transaction_id(
    conversation, destinations, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    from hubbub.notify import tasks

    HUEY.storage.flush_schedule()
    with respx.mock(assert_all_mocked=True) as router:
        router.post(SLACK_URL).respond(200, text="ok")
        matrix = router.put(url__startswith=HOMESERVER)
        matrix.side_effect = [
            respx.MockResponse(429, json={"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2000}),
            respx.MockResponse(200, json={"event_id": "$a"}),
        ]
        check(DUE, django_capture_on_commit_callbacks)
        [retry] = HUEY.scheduled()
        HUEY.storage.flush_schedule()
        tasks.send_alert_task.call_local(*retry.args)
    first, second = (call.request.url.path for call in matrix.calls)
    assert first == second


def test_a_breach_sends_the_signed_conversation_breached_webhook(
    conversation, owner, django_capture_on_commit_callbacks
):
    _endpoint, secret = webhook_actions.create_endpoint(
        owner, "https://hooks.example.com/acme", "CRM", ["conversation.breached"]
    )
    with respx.mock(assert_all_mocked=True) as router:
        route = router.post("https://hooks.example.com/acme").respond(200)
        check(DUE, django_capture_on_commit_callbacks)
    [call] = route.calls
    request = call.request
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = (
        request.headers["webhook-id"].encode()
        + b"."
        + request.headers["webhook-timestamp"].encode()
        + b"."
        + request.content
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == f"v1,{expected}"
    body = json.loads(request.content)
    assert body["event"] == "conversation.breached"
    data = body["data"]
    assert data["breach"]["target"] == "first_response"
    assert data["breach"]["due_at"] == "2026-11-18T10:00:00Z"
    assert data["conversation"]["id"] == conversation.pk
    assert data["conversation"]["customer"]["handle"] == "carol.bsky.social"
    assert data["conversation"]["channel"]["network"] == "bluesky"
    assert data["conversation"]["priority"] == "normal"
    assert data["conversation"]["url"].endswith(f"/w/acme/inbox/{conversation.pk}/")
    assert WebhookMessage.objects.get().status == "sent"
