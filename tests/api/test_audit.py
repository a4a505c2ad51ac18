"""GET /api/workspaces/{slug}/audit: filters, pagination, times in the workspace's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from hubbub.core.audit import record
from hubbub.core.models import AuditEntry, Membership
from hubbub.core.roles import Role
from tests.api.conftest import session_api


@pytest.fixture
def history(alice, bob, acme, globex) -> None:
    """Entries around midnight in Paris (UTC+1 in January), and one in another workspace."""
    AuditEntry.objects.all().delete()
    entries = [
        (datetime(2025, 1, 9, 22, 30, tzinfo=UTC), "member.invite", alice, "dan@example.com"),
        (datetime(2025, 1, 9, 23, 30, tzinfo=UTC), "member.role_change", alice, "bob@example.com"),
        (datetime(2025, 1, 10, 12, 0, tzinfo=UTC), "token.create", bob, "reporting script"),
        (datetime(2025, 1, 11, 8, 0, tzinfo=UTC), "workspace.update", alice, "Acme"),
    ]
    for moment, action, actor, label in entries:
        with time_machine.travel(moment, tick=False):
            record(action, workspace=acme, actor=actor, label=label, after={"n": 1})
    record("member.invite", workspace=globex, actor=None, label="secret@globex.example")


@pytest.fixture
def owner_api(alice, acme):
    return session_api(alice)


def actions_of(response) -> list[str]:
    return [item["action"] for item in response.json()["items"]]


def test_it_lists_entries_newest_first_with_their_fields(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (4, 50, 0)
    assert actions_of(response) == [
        "workspace.update",
        "token.create",
        "member.role_change",
        "member.invite",
    ]
    newest = body["items"][0]
    assert newest == {
        "id": newest["id"],
        "created_at": "2025-01-11T09:00:00+01:00",
        "actor": "alice@example.com",
        "via": "web",
        "action": "workspace.update",
        "object_type": "",
        "object_id": "",
        "object_label": "Acme",
        "before": {},
        "after": {"n": 1},
    }


def test_it_never_shows_another_workspaces_entries(owner_api, history):
    assert b"secret@globex" not in owner_api.get("/workspaces/acme/audit", limit=500).content


def test_it_filters_by_exact_action(owner_api, history):
    assert actions_of(owner_api.get("/workspaces/acme/audit", action="token.create")) == [
        "token.create"
    ]


def test_it_filters_by_area(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit", action="member.*")
    assert actions_of(response) == ["member.role_change", "member.invite"]
    assert response.json()["total"] == 2


def test_it_explains_an_unknown_action(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit", action="member.explode")
    assert response.status_code == 400
    assert response.json()["field"] == "action"
    assert "or an area such as member.*" in response.json()["detail"]


def test_it_filters_by_actor(owner_api, history):
    assert actions_of(owner_api.get("/workspaces/acme/audit", actor="bob@")) == ["token.create"]


def test_it_filters_by_text(owner_api, history):
    assert actions_of(owner_api.get("/workspaces/acme/audit", text="REPORTING")) == ["token.create"]


def test_days_are_the_workspaces_days(owner_api, history):
    # 23:30 UTC on the 9th is 00:30 on the 10th in Paris: it belongs to the 10th.
    response = owner_api.get("/workspaces/acme/audit", since="2025-01-10", until="2025-01-10")
    assert actions_of(response) == ["token.create", "member.role_change"]


def test_it_refuses_a_start_after_the_end(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit", since="2025-01-11", until="2025-01-10")
    assert response.status_code == 400
    assert response.json()["detail"] == "The start date is after the end date."


def test_it_pages(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit", limit=2, offset=1)
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (4, 2, 1)
    assert actions_of(response) == ["token.create", "member.role_change"]


def test_it_refuses_a_page_too_large(owner_api, history):
    response = owner_api.get("/workspaces/acme/audit", limit=501)
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.OWNER])
def test_only_owners_read_the_audit_log(make_user, acme, history, role):
    member = make_user(f"{role}@example.com")
    Membership.objects.create(workspace=acme, user=member, role=role)
    response = session_api(member).get("/workspaces/acme/audit")
    assert response.status_code == 403
    assert response.json()["detail"].startswith(f"Your role ({Role(role).label})")
