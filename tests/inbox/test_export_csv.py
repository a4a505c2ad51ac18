"""The conversations CSV: what a person opening it in a spreadsheet checks (times in the
workspace's zone, response minutes, breaches, the link back), text that cannot run as a
formula, the list's filters, and rows streamed from the database in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.actions.tokens import create_token
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import csv_export
from hubbub.inbox.models import Conversation, Priority, Status, Tag, Team
from hubbub.inbox.queries import Filters
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox.conftest_pages import conversation

# Friday 5 June 2026, 16:30 in Paris (UTC+2): half an hour before the weekend.
FRIDAY = datetime(2026, 6, 5, 14, 30, tzinfo=UTC)
MONDAY_0930 = datetime(2026, 6, 8, 7, 30, tzinfo=UTC)
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def chan(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:acme", handle="acme.bsky.social"
    )


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def table(lines: Iterable[str]) -> list[dict[str, str]]:
    text = "".join(lines)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def body(response: Any) -> str:
    """A streamed response's whole content (the test client keeps the stream)."""
    return b"".join(response.streaming_content).decode()


def export(access: Access, **query: str) -> list[dict[str, str]]:
    return table(csv_export.export_conversations(access, Filters.from_query(query)))


def test_a_row_says_when_in_the_workspace_zone_and_how_long_the_answer_took(
    owner: Access, chan: Channel
) -> None:
    c = conversation(chan, "Where is my parcel?", handle="@carol", name="Carol Jones", at=FRIDAY)
    team = Team.objects.create(workspace=owner.workspace, name="Support")
    Conversation.objects.filter(pk=c.pk).update(
        status=Status.CLOSED,
        priority=Priority.HIGH,
        assignee=owner.user,
        team=team,
        first_response_at=MONDAY_0930,
        closed_at=MONDAY_0930 + timedelta(hours=1),
        sentiment="negative",
    )
    c.tags.add(
        Tag.objects.create(workspace=owner.workspace, name="shipping"),
        Tag.objects.create(workspace=owner.workspace, name="billing"),
    )

    [row] = export(owner)

    assert row["id"] == str(c.pk)
    assert row["channel"] == "acme.bsky.social"
    assert row["network"] == "bluesky"
    assert (row["kind"], row["status"], row["priority"]) == ("mention", "closed", "high")
    assert (row["assignee"], row["team"]) == ("alice@example.com", "Support")
    assert row["tags"] == "billing|shipping"
    # A leading @ is a formula to Excel: handles get the guard too (as in the posts export).
    assert (row["customer"], row["handle"]) == ("Carol Jones", "'@carol")
    assert row["subject"] == "Where is my parcel?"
    assert (row["language"], row["sentiment"]) == ("en", "negative")
    assert row["opened_at"] == "2026-06-05T16:30:00+02:00"
    assert row["first_response_at"] == "2026-06-08T09:30:00+02:00"
    assert row["closed_at"] == "2026-06-08T10:30:00+02:00"
    # Friday 16:30 → Monday 09:30: 65 hours on the clock, one business hour (Mon-Fri 9-17).
    assert row["first_response_minutes"] == str(65 * 60)
    assert row["first_response_business_minutes"] == "60"
    assert row["message_count"] == "1"
    assert row["url"] == f"{settings.BASE_URL}/w/acme/inbox/{c.pk}/"


def test_the_header_names_every_column_and_lines_end_with_crlf(owner: Access, chan: Channel):
    conversation(chan, "Hello", at=FRIDAY)
    lines = list(csv_export.export_conversations(owner, Filters()))
    assert lines[0] == ",".join(csv_export.COLUMNS) + "\r\n"
    assert len(lines) == 2 and lines[1].endswith("\r\n")


def test_an_unanswered_conversation_has_no_response_time_and_no_closing(
    owner: Access, chan: Channel
) -> None:
    conversation(chan, "Hello?", at=FRIDAY)
    [row] = export(owner)
    assert row["first_response_at"] == row["closed_at"] == ""
    assert row["first_response_minutes"] == row["first_response_business_minutes"] == ""


def test_breaches_recorded_passed_met_or_without_target(owner: Access, chan: Channel) -> None:
    recorded = conversation(chan, "recorded", handle="@a", at=FRIDAY)
    passed = conversation(chan, "passed, not yet checked", handle="@b", at=FRIDAY)
    met = conversation(chan, "answered in time", handle="@c", at=FRIDAY)
    conversation(chan, "no target", handle="@d", at=FRIDAY)
    Conversation.objects.filter(pk=recorded.pk).update(
        first_response_due_at=NOW - timedelta(days=1),
        first_response_breached_at=NOW - timedelta(days=1),
        resolution_due_at=NOW + timedelta(days=1),
    )
    Conversation.objects.filter(pk=passed.pk).update(
        first_response_due_at=NOW - timedelta(minutes=5),
        resolution_due_at=NOW - timedelta(minutes=1),
    )
    Conversation.objects.filter(pk=met.pk).update(
        first_response_due_at=FRIDAY + timedelta(hours=1),
        first_response_at=FRIDAY + timedelta(minutes=20),
        resolution_due_at=FRIDAY + timedelta(hours=8),
        status=Status.CLOSED,
        closed_at=FRIDAY + timedelta(hours=2),
    )

    rows = {r["subject"]: r for r in export(owner)}

    def both(name: str) -> tuple[str, str]:
        return rows[name]["first_response_breached"], rows[name]["resolution_breached"]

    assert both("recorded") == ("yes", "no")
    assert both("passed, not yet checked") == ("yes", "yes")
    assert both("answered in time") == ("no", "no")
    assert both("no target") == ("", "")


def test_text_that_a_spreadsheet_would_run_gets_a_quote_and_odd_text_survives(
    owner: Access, chan: Channel
) -> None:
    hostile = '=HYPERLINK("https://evil.example","click")'
    c = conversation(chan, hostile, handle="+33 6 12", name="@SUM(A1:A9)", at=FRIDAY)
    c.tags.add(Tag.objects.create(workspace=owner.workspace, name="-2+3"))
    other = conversation(
        chan, 'Line one,\n"quoted", line two\tend', handle="@d", name="Zoë", at=FRIDAY
    )

    rows = {r["id"]: r for r in export(owner)}

    assert rows[str(c.pk)]["subject"] == "'" + hostile
    assert rows[str(c.pk)]["customer"] == "'@SUM(A1:A9)"
    assert rows[str(c.pk)]["handle"] == "'+33 6 12"
    assert rows[str(c.pk)]["tags"] == "'-2+3"
    # Commas, quotes and line breaks are quoted by the CSV, not lost; the excerpt is one line.
    assert rows[str(other.pk)]["subject"] == 'Line one, "quoted", line two end'
    assert rows[str(other.pk)]["customer"] == "Zoë"


def test_the_lists_filters_decide_the_rows(owner: Access, chan: Channel, acme: Workspace):
    other_channel = Channel.objects.create(
        workspace=acme, network="mastodon", external_id="1", handle="@acme@mastodon.example"
    )
    open_one = conversation(chan, "open one", handle="@a", at=FRIDAY)
    closed_one = conversation(chan, "closed one", handle="@b", at=FRIDAY, status=Status.CLOSED)
    elsewhere = conversation(other_channel, "elsewhere", handle="@c", at=FRIDAY)
    billing = Tag.objects.create(workspace=acme, name="billing")
    closed_one.tags.add(billing)

    def ids(**query: str) -> set[str]:
        return {r["id"] for r in export(owner, **query)}

    assert ids() == {str(open_one.pk), str(closed_one.pk), str(elsewhere.pk)}
    assert ids(status="open") == {str(open_one.pk), str(elsewhere.pk)}
    assert ids(status="closed") == {str(closed_one.pk)}
    assert ids(channel=str(other_channel.pk)) == {str(elsewhere.pk)}
    assert ids(tag="billing") == {str(closed_one.pk)}


def test_another_workspaces_conversations_never_appear(
    owner: Access, chan: Channel, globex: Workspace
) -> None:
    theirs = Channel.objects.create(
        workspace=globex, network="bluesky", external_id="g", handle="g"
    )
    conversation(theirs, "Globex's", at=FRIDAY)
    mine = conversation(chan, "Acme's", at=FRIDAY)
    assert [r["id"] for r in export(owner)] == [str(mine.pk)]


def test_a_role_without_the_inbox_is_refused_before_any_line(acme: Workspace, make_user):
    viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    access = Access(user=viewer, workspace=acme, role=Role.CLIENT_VIEWER)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        csv_export.export_conversations(access, Filters())
    with pytest.raises(ActionError):
        csv_export.export_conversations(
            Access(user=viewer, workspace=acme, role=Role.OWNER), Filters(), order="sideways"
        )


def test_rows_come_from_the_database_a_chunk_at_a_time(
    owner: Access, chan: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million rows never sit in memory: the query is read in chunks (each chunk's tags
    fetched with it) while lines are handed out one by one."""
    monkeypatch.setattr(csv_export, "CHUNK", 2)
    for n in range(5):
        conversation(chan, f"number {n}", handle=f"@p{n}", at=FRIDAY + timedelta(minutes=n))
    lines = csv_export.export_conversations(owner, Filters())
    with CaptureQueriesContext(connection) as header_queries:
        assert next(lines).startswith("id,channel")
    assert len(header_queries) == 0  # nothing read for the header
    with CaptureQueriesContext(connection) as queries:
        first = next(lines)
    assert "number 4" in first  # newest first, as the list
    assert len(queries) == 2  # the conversations query, and the first chunk's tags
    with CaptureQueriesContext(connection) as rest:
        remaining = list(lines)
    assert len(remaining) == 4
    assert len(rest) == 2  # the tags of the two chunks that followed


# --- the page and the API ---------------------------------------------------------------


def test_the_list_links_to_an_export_of_its_filters(alice: User, chan: Channel) -> None:
    conversation(chan, "Open and waiting", handle="@a", at=FRIDAY)
    conversation(chan, "Done", handle="@b", at=FRIDAY, status=Status.CLOSED)
    client = signed_in(alice)

    page = client.get("/w/acme/inbox/?status=open")
    assert b'href="/w/acme/inbox/export.csv?status=open"' in page.content

    response = client.get("/w/acme/inbox/export.csv?status=open")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="acme-conversations-2026-06-10.csv"'
    )
    rows = table(body(response))
    assert [r["subject"] for r in rows] == ["Open and waiting"]


def test_the_unfiltered_list_offers_the_whole_export(alice: User, chan: Channel) -> None:
    page = signed_in(alice).get("/w/acme/inbox/")
    assert b'href="/w/acme/inbox/export.csv"' in page.content
    assert b"Export CSV" in page.content


def test_the_api_streams_the_same_csv_with_the_same_filters(
    alice: User, acme: Workspace, chan: Channel
) -> None:
    conversation(chan, "Open one", handle="@a", at=FRIDAY)
    conversation(chan, "Closed one", handle="@b", at=FRIDAY, status=Status.CLOSED)
    _token, raw = create_token(access_workspace(alice, "acme"), "script")
    client = signed_in(alice)
    client.logout()
    auth = {"Authorization": f"Bearer {raw}"}

    response = client.get("/api/workspaces/acme/conversations.csv?status=closed", headers=auth)
    assert response.status_code == 200, response.content
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = table(body(response))
    assert [r["subject"] for r in rows] == ["Closed one"]

    bad = client.get("/api/workspaces/acme/conversations.csv?status=shut", headers=auth)
    assert bad.status_code == 400
    assert "status" in bad.content.decode()
