"""The audit page: filters, times in the workspace's time zone, CSV export, owners only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from hubbub.core.audit import record
from hubbub.core.models import AuditEntry, Workspace
from tests.conftest import signed_in
from tests.web.conftest import count, text

# Acme is in Europe/Paris (UTC+1 in March before the change): 23:30 UTC is 00:30 the next day.
LATE_EVENING_UTC = datetime(2025, 3, 9, 22, 30, tzinfo=UTC)  # 23:30 on the 9th in Paris
JUST_AFTER_MIDNIGHT = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)  # 00:30 on the 10th in Paris


def entry(workspace: Workspace, action: str, when: datetime, actor=None, **fields) -> AuditEntry:
    made = record(action, workspace=workspace, actor=actor, **fields)
    AuditEntry.objects.filter(pk=made.pk).update(created_at=when)
    return made


@pytest.fixture
def history(acme, alice, bob):
    entry(
        acme,
        "workspace.update",
        LATE_EVENING_UTC,
        alice,
        label="Acme",
        before={"name": "Old"},
        after={"name": "Acme"},
    )
    entry(
        acme,
        "member.invite",
        JUST_AFTER_MIDNIGHT,
        alice,
        label="dana@example.com",
        after={"role": "editor"},
    )
    entry(
        acme,
        "member.role_change",
        datetime(2025, 3, 11, 9, 0, tzinfo=UTC),
        alice,
        label="bob@example.com",
        before={"role": "editor"},
        after={"role": "manager"},
    )
    entry(
        acme, "token.create", datetime(2025, 3, 12, 9, 0, tzinfo=UTC), bob, label="reporting script"
    )


def rows(client, **query) -> list[str]:
    response = client.get("/w/acme/audit/", query)
    assert response.status_code == 200
    page = response.content.decode()
    return [
        chunk.split("<code>", 1)[1].split("</code>", 1)[0]
        for chunk in page.split('data-testid="audit-row"')[1:]
    ]


def test_it_lists_every_entry_newest_first_in_the_workspace_time_zone(history, alice):
    client = signed_in(alice)
    assert rows(client) == [
        "token.create",
        "member.role_change",
        "member.invite",
        "workspace.update",
    ]
    page = client.get("/w/acme/audit/")
    assert "4 entries · times in Europe/Paris" in text(page)
    html = page.content.decode()
    assert '<time datetime="2025-03-10T00:30:00+01:00">2025-03-10 00:30:00</time>' in html
    assert "name : Old → Acme" in text(page)


def test_it_filters_by_action_and_by_area(history, alice):
    client = signed_in(alice)
    assert rows(client, action="member.invite") == ["member.invite"]
    assert rows(client, action="member.*") == ["member.role_change", "member.invite"]
    assert rows(client, action="channel.*") == []


def test_an_unknown_action_is_an_error_on_the_page(history, alice):
    response = signed_in(alice).get("/w/acme/audit/", {"action": "member.delete_everything"})
    assert "Select a valid choice." in text(response)
    assert count(response, "audit-row") == 0


def test_it_filters_by_who(history, alice):
    client = signed_in(alice)
    assert rows(client, actor="bob@") == ["token.create"]
    assert rows(client, actor="ALICE") == [
        "member.role_change",
        "member.invite",
        "workspace.update",
    ]


def test_dates_are_whole_days_in_the_workspace_time_zone(history, alice):
    client = signed_in(alice)
    assert rows(client, since="2025-03-10", until="2025-03-10") == ["member.invite"]
    assert rows(client, until="2025-03-09") == ["workspace.update"]
    assert rows(client, since="2025-03-11") == ["token.create", "member.role_change"]


def test_a_start_after_the_end_is_an_error_on_the_page(history, alice):
    response = signed_in(alice).get(
        "/w/acme/audit/", {"since": "2025-03-12", "until": "2025-03-10"}
    )
    assert "The start date is after the end date." in text(response)
    assert count(response, "audit-row") == 0


def test_it_exports_the_filtered_entries_as_csv(history, alice):
    response = signed_in(alice).get("/w/acme/audit/", {"action": "member.*", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-acme-')
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table == [
        ["time", "who", "via", "action", "object_type", "object", "before", "after"],
        [
            "2025-03-11T10:00:00+01:00",
            "alice@example.com",
            "web",
            "member.role_change",
            "",
            "bob@example.com",
            "{'role': 'editor'}",
            "{'role': 'manager'}",
        ],
        [
            "2025-03-10T00:30:00+01:00",
            "alice@example.com",
            "web",
            "member.invite",
            "",
            "dana@example.com",
            "{}",
            "{'role': 'editor'}",
        ],
    ]


def test_the_csv_cannot_carry_a_spreadsheet_formula(acme, alice, make_user):
    mallory = make_user("=cmd|'/c calc'!a0@example.com")
    entry(acme, "member.join", JUST_AFTER_MIDNIGHT, mallory, label='=HYPERLINK("http://x")')
    entry(acme, "token.create", JUST_AFTER_MIDNIGHT, alice, label="+SUM(1,2)")
    entry(acme, "token.revoke", JUST_AFTER_MIDNIGHT, alice, label="-2+3")
    entry(acme, "channel.connect", JUST_AFTER_MIDNIGHT, alice, label="@lumen")
    response = signed_in(alice).get("/w/acme/audit/", {"format": "csv"})
    table = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    cells = [cell for row in table for cell in (row[1], row[5])]
    assert "'=cmd|'/c calc'!a0@example.com" in cells
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+SUM(1,2)" in cells
    assert "'-2+3" in cells
    assert "'@lumen" in cells
    for cell in (cell for row in table for cell in row):
        assert cell[:1] not in ("=", "+", "-", "@"), cell


def test_only_owners_see_the_audit_log(history, acme, bob, globex, charlie):
    assert signed_in(bob).get("/w/acme/audit/").status_code == 403
    assert signed_in(bob).get("/w/acme/audit/", {"format": "csv"}).status_code == 403
    assert signed_in(charlie).get("/w/acme/audit/").status_code == 404
    assert 'href="/w/acme/audit/"' not in signed_in(bob).get("/w/acme/").content.decode()


def test_it_shows_only_this_workspace(history, alice, globex, charlie):
    entry(globex, "workspace.update", JUST_AFTER_MIDNIGHT, charlie, label="Globex secret")
    client = signed_in(alice)
    assert "Globex secret" not in text(client.get("/w/acme/audit/"))
    assert "Globex secret" not in client.get("/w/acme/audit/", {"format": "csv"}).content.decode()
