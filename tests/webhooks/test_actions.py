"""Managing endpoints: addresses checked when typed, permission, audit without the secret."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry
from hubbub.core.roles import Role
from hubbub.webhooks import actions
from hubbub.webhooks.models import EVENTS, MessageStatus, WebhookEndpoint
from tests.webhooks.conftest import Receiver


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://127.0.0.1/hook", "private or local address (127.0.0.1)"),
        ("https://10.1.2.3/hook", "private or local address (10.1.2.3)"),
        ("https://169.254.169.254/latest/meta-data", "private or local address"),
        ("https://[::1]/hook", "private or local address"),
        ("https://intranet.example/hook", "private or local address (192.168.1.20)"),
        ("http://hooks.example.com/hook", "only sent over HTTPS"),
        ("ftp://hooks.example.com/hook", "only sent over HTTPS"),
        ("hooks.example.com/hook", "only sent over HTTPS"),
        ("https://nowhere.invalid/hook", "cannot be found"),
        ("https://user:pw@hooks.example.com/hook", "user name and password"),
        ("", "Give the address"),
    ],
)
def test_an_address_that_is_not_public_https_is_refused(owner: Access, fake_dns, url, says):
    fake_dns["intranet.example"] = ["192.168.1.20"]
    with pytest.raises(ActionError) as refused:
        actions.create_endpoint(owner, url)
    assert refused.value.field == "url"
    assert says in refused.value.message
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_accepted_with_every_event_by_default(owner: Access):
    endpoint, secret = actions.create_endpoint(owner, " https://hooks.example.com/in ", "CRM")
    assert endpoint.url == "https://hooks.example.com/in"
    assert endpoint.events == list(EVENTS)
    assert endpoint.created_by == owner.user
    assert endpoint.secret == secret


def test_events_are_checked(owner: Access):
    with pytest.raises(ActionError) as unknown:
        actions.create_endpoint(owner, "https://hooks.example.com/in", events=["post.deleted"])
    assert unknown.value.field == "events"
    assert "post.deleted" in unknown.value.message and "delivery.published" in unknown.value.message
    with pytest.raises(ActionError, match="at least one event"):
        actions.create_endpoint(owner, "https://hooks.example.com/in", events=[])


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR, Role.ANALYST, Role.CLIENT_VIEWER])
def test_only_owners_and_managers_manage_webhooks(owner: Access, role):
    endpoint, _secret = actions.create_endpoint(owner, "https://hooks.example.com/in")
    other = Access(user=owner.user, workspace=owner.workspace, role=role)
    with pytest.raises(PermissionDenied):
        actions.create_endpoint(other, "https://hooks.example.com/two")
    for attempt in (
        lambda: actions.update_endpoint(other, endpoint, description="x"),
        lambda: actions.rotate_secret(other, endpoint),
        lambda: actions.send_test(other, endpoint),
        lambda: actions.delete_endpoint(other, endpoint),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert WebhookEndpoint.objects.count() == 1


def test_a_manager_may(owner: Access):
    manager = Access(user=owner.user, workspace=owner.workspace, role=Role.MANAGER)
    endpoint, _secret = actions.create_endpoint(manager, "https://hooks.example.com/in")
    assert endpoint.pk


def test_another_workspace_endpoint_is_refused(owner: Access, charlie, globex):
    theirs, _secret = actions.create_endpoint(
        Access(user=charlie, workspace=globex, role=Role.OWNER), "https://hooks.example.com/g"
    )
    with pytest.raises(PermissionDenied):
        actions.rotate_secret(owner, theirs)


def test_rotating_makes_a_new_secret_and_the_audit_log_never_holds_one(owner: Access):
    endpoint, first = actions.create_endpoint(owner, "https://hooks.example.com/in")
    second = actions.rotate_secret(owner, endpoint)
    assert second != first
    assert WebhookEndpoint.objects.get().secret == second
    actions.update_endpoint(owner, endpoint, events=["delivery.failed"], description="relay")
    actions.delete_endpoint(owner, endpoint)
    entries = AuditEntry.objects.filter(action__startswith="webhook.").order_by("id")
    assert [e.action for e in entries] == [
        "webhook.create",
        "webhook.rotate_secret",
        "webhook.update",
        "webhook.delete",
    ]
    dumped = json.dumps([[e.before, e.after] for e in entries])
    assert first not in dumped and second not in dumped
    update = entries[2]
    assert update.before == {"events": list(EVENTS), "description": ""}
    assert update.after == {"events": ["delivery.failed"], "description": "relay"}


def test_switching_an_endpoint_back_on_forgets_its_failures(owner: Access):
    endpoint, _secret = actions.create_endpoint(owner, "https://hooks.example.com/in")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, consecutive_failures=5)
    endpoint.refresh_from_db()
    actions.update_endpoint(owner, endpoint, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0


def test_a_test_event_is_sent_at_once_and_reports_the_answer(hook, owner, receiver: Receiver):
    endpoint, _secret = hook
    message = actions.send_test(owner, endpoint)
    assert (message.event, message.status, message.response_status) == ("webhook.test", "sent", 200)
    assert receiver.requests[0].json["event"] == "webhook.test"
    assert AuditEntry.objects.filter(action="webhook.test").exists()


def test_a_switched_off_endpoint_cannot_be_tested(hook, owner):
    endpoint, _secret = hook
    actions.update_endpoint(owner, endpoint, is_active=False)
    with pytest.raises(ActionError, match="switch it on"):
        actions.send_test(owner, endpoint)
    assert not endpoint.messages.filter(status=MessageStatus.SENT).exists()
