"""Saved replies, the response policy and the reports through the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import ResponsePolicy, SavedReply
from tests.api.conftest import Api, session_api
from tests.inbox.conftest_queries import Inbox

pytestmark = pytest.mark.django_db
W = "/workspaces/acme"


@pytest.fixture
def as_role(acme: Workspace, make_user: Callable[..., User]) -> Callable[[str], Api]:
    def make(role: str) -> Api:
        user = make_user(f"{role}@example.com")
        Membership.objects.create(workspace=acme, user=user, role=role)
        return session_api(user)

    return make


def test_saved_replies_are_created_listed_changed_and_deleted(alice_api, acme):
    response = alice_api.post(
        f"{W}/saved-replies", {"title": "Thanks", "language": "fr", "text": "Merci {first_name} !"}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["title"], created["language"]) == ("Thanks", "fr")
    assert [r["id"] for r in alice_api.get(f"{W}/saved-replies").json()] == [created["id"]]
    url = f"{W}/saved-replies/{created['id']}"
    changed = alice_api.call(
        "put", url, {"title": "Thanks", "language": "fr", "text": "Merci beaucoup"}
    )
    assert changed.json()["text"] == "Merci beaucoup"
    assert alice_api.delete(url).status_code == 204
    assert not SavedReply.objects.exists()
    assert AuditEntry.objects.filter(action="saved_reply.save", via="api").count() == 2


def test_a_saved_reply_without_title_or_language_is_refused(alice_api):
    response = alice_api.post(f"{W}/saved-replies", {"language": "en", "text": "Hi"})
    assert (response.status_code, response.json()["field"]) == (400, "title")
    response = alice_api.post(f"{W}/saved-replies", {"title": "Hi", "language": "de", "text": "x"})
    assert (response.status_code, response.json()["field"]) == (400, "language")


def test_an_editor_reads_saved_replies_but_does_not_change_them(bob_api, acme):
    reply = SavedReply.objects.create(workspace=acme, title="Hi", language="en", text="Hi!")
    assert bob_api.get(f"{W}/saved-replies").status_code == 200
    response = bob_api.call("put", f"{W}/saved-replies/{reply.pk}", {"title": "Yo"})
    assert response.status_code == 403
    assert "inbox.configure" in response.json()["detail"]
    assert SavedReply.objects.get().title == "Hi"


def test_another_workspaces_saved_reply_is_not_found(alice_api, globex):
    theirs = SavedReply.objects.create(workspace=globex, title="G", language="en", text="x")
    assert alice_api.delete(f"{W}/saved-replies/{theirs.pk}").status_code == 404
    assert SavedReply.objects.filter(pk=theirs.pk).exists()


def test_the_response_policy_is_read_and_replaced(alice_api, acme):
    policy = alice_api.get(f"{W}/response-policy").json()
    assert policy["first_response_minutes"] == 60
    assert policy["hours"]["1"] == [["09:00", "17:00"]]
    response = alice_api.call(
        "put",
        f"{W}/response-policy",
        {
            "time_zone": "America/Montreal",
            "hours": {"1": [["08:00", "12:00"], ["13:00", "18:00"]]},
            "business_hours_only": True,
            "first_response_minutes": 30,
            "resolution_minutes": 240,
            "warn_before_minutes": 10,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["first_response_minutes"] == 30
    stored = ResponsePolicy.objects.get(workspace=acme)
    assert stored.time_zone == "America/Montreal"
    assert stored.hours["1"] == [["08:00", "12:00"], ["13:00", "18:00"]]


def test_a_bad_policy_is_refused_by_name(alice_api, as_role):
    response = alice_api.call("put", f"{W}/response-policy", {"time_zone": "Mars/Olympus"})
    assert (response.status_code, response.json()["field"]) == (400, "time_zone")
    response = as_role(Role.MODERATOR).call("put", f"{W}/response-policy", {})
    assert response.status_code == 403


@pytest.fixture
def answered(acme: Workspace) -> Inbox:
    inbox = Inbox(acme)
    opened = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday
    inbox.conversation(
        "Where is my parcel?",
        at=opened,
        first_response_at=opened + timedelta(minutes=20),
        first_response_due_at=opened + timedelta(hours=1),
    )
    return inbox


def test_the_report_as_json_and_csv(alice_api, answered):
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        body = alice_api.get(f"{W}/inbox/reports", start="2026-11-16", end="2026-11-20").json()
        response = alice_api.get(f"{W}/inbox/reports.csv", start="2026-11-16", end="2026-11-20")
    assert body["total"]["conversations"] == 1
    assert body["total"]["first_response"]["median"] == 20 * 60
    assert body["total"]["first_response_attainment"] == 100.0
    assert body["start"] == "2026-11-16T00:00:00+01:00"
    assert body["end"] == "2026-11-21T00:00:00+01:00"  # the last day is included
    assert sum(map(sum, body["heatmap"])) == 1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) > 1


def test_report_parameters_and_roles(alice_api, as_role, globex):
    response = alice_api.get(f"{W}/inbox/reports", start="2026-11-20", end="2026-11-01")
    assert (response.status_code, response.json()["field"]) == (400, "start")
    response = alice_api.get(f"{W}/inbox/reports", channel=424242)
    assert (response.status_code, response.json()["field"]) == (400, "channel")
    assert as_role(Role.ANALYST).get(f"{W}/inbox/reports").status_code == 200
    response = as_role(Role.CLIENT_VIEWER).get(f"{W}/inbox/reports.csv")
    assert response.status_code == 403
