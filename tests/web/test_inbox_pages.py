"""The inbox list: rows, times in the workspace's zone, due times, filters, search, saved
views, pages without counting, bulk actions and the rows polled while the page is open."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation, SavedView, Status, Tag
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox import conftest_actions, conftest_pages
from tests.inbox.conftest_actions import NOW
from tests.inbox.conftest_pages import conversation, minutes
from tests.web.conftest import count, messages_of, text

LIST = "/w/acme/inbox/"

# Fixtures shared with the other inbox tests (pytest finds them on the module).
chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network
clock = conftest_actions.clock


@pytest.fixture
def client(alice: User, acme: Workspace, clock) -> Client:
    return signed_in(alice)


def test_the_list_shows_who_wrote_what_when_and_the_time_left(client, chan: Channel) -> None:
    conversation(
        chan,
        "My parcel never arrived",
        handle="@dora",
        name="Dora Explorer",
        at=NOW - minutes(48),
        first_response_due_at=NOW + minutes(12),
    )
    conversation(
        chan,
        "Still waiting!",
        handle="@eve",
        at=NOW - minutes(300),
        first_response_due_at=NOW - timedelta(hours=3),
    )
    response = client.get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert count(response, "conversation-row") == 2
    assert "Dora Explorer @dora" in page
    assert "My parcel never arrived" in page
    assert "due in 12 min" in page
    assert "breached 3 h ago" in page
    # 09:12 UTC is 11:12 in Paris (summer time), the workspace's zone.
    assert "1 Jun 11:12" in page
    # Newest first: Dora wrote last.
    assert page.index("Dora") < page.index("Still waiting")


def test_the_filters_narrow_the_list(client, chan: Channel, alice: User) -> None:
    conversation(chan, "Open and mine", handle="@a", at=NOW - minutes(5), assignee=alice)
    conversation(chan, "Closed one", handle="@b", at=NOW - minutes(6), status=Status.CLOSED)
    conversation(chan, "Open, nobody's", handle="@c", at=NOW - minutes(7))

    subjects = ("Open and mine", "Closed one", "Open, nobody's")

    def shown(query: str) -> list[str]:
        response = client.get(LIST + query)
        assert response.status_code == 200
        page = text(response)
        return [s for s in subjects if s in page]

    assert shown("?status=closed") == ["Closed one"]
    assert shown("?assignee=me") == ["Open and mine"]
    assert shown("?assignee=none&status=open") == ["Open, nobody's"]
    assert shown("") == ["Open and mine", "Closed one", "Open, nobody's"]


def test_full_text_search_finds_words_in_the_messages(client, chan: Channel) -> None:
    conversation(chan, "Le remboursement est en retard", handle="@fr", at=NOW - minutes(1))
    conversation(chan, "Great product, thanks", handle="@en", at=NOW - minutes(2))
    response = client.get(LIST + "?q=remboursement")
    page = text(response)
    assert "Le remboursement est en retard" in page
    assert "Great product" not in page
    # The search box keeps what was typed.
    assert 'value="remboursement"' in response.content.decode()


def test_pages_never_count_the_whole_table(
    client, chan: Channel, django_assert_max_num_queries
) -> None:
    for i in range(55):
        conversation(chan, f"message number {i}", handle=f"@p{i}", at=NOW - minutes(60 + i))
    response = client.get(LIST)
    assert count(response, "conversation-row") == 50
    assert "1\u201350 of many" in text(response)  # an en dash
    next_link = response.content.decode().split('data-testid="next-page"')[0]
    href = next_link.rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = client.get(LIST + href)
    assert count(second, "conversation-row") == 5
    assert "51\u201355" in text(second)
    assert "message number 54" in text(second)
    assert "of many" not in text(second)
    with django_assert_max_num_queries(20) as queries:
        client.get(LIST)  # whatever the number of rows: no query per row
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "inbox_" in sql], counts


def test_new_rows_are_the_matching_ones_since_the_newest_shown(client, chan: Channel) -> None:
    conversation(chan, "old one", handle="@old", at=NOW - minutes(30))
    conversation(chan, "new and open", handle="@new", at=NOW - minutes(1))
    conversation(chan, "new but closed", handle="@gone", at=NOW - minutes(2), status="closed")
    after = (NOW - minutes(10)).isoformat()
    response = client.get(LIST + "new-rows/", {"status": "open", "after": after})
    assert response.status_code == 200
    assert count(response, "conversation-row") == 1
    assert "new and open" in text(response)
    trigger = json.loads(response["HX-Trigger"])["inbox:newRows"]
    assert trigger["count"] == 1
    assert trigger["hidden"] == 1  # the closed one arrived too, outside this view
    assert trigger["hiddenLabel"] == "1 new conversation outside this view"
    # Nothing newer: nothing to add.
    nothing = client.get(LIST + "new-rows/", {"after": NOW.isoformat()})
    assert count(nothing, "conversation-row") == 0
    # A cursor edited into nonsense is no error, just nothing new.
    odd = client.get(LIST + "new-rows/", {"after": "2026-13-45T99:00:00"})
    assert odd.status_code == 200 and count(odd, "conversation-row") == 0


def test_the_list_polls_for_new_rows_every_15_seconds(client, chan: Channel) -> None:
    conversation(chan, "hello", at=NOW - minutes(3))
    page = client.get(LIST + "?status=open").content.decode()
    assert 'hx-trigger="every 15s"' in page
    assert "/w/acme/inbox/new-rows/?status=open" in page
    # Sorted another way, new rows would not go on top: no polling.
    assert "hx-trigger" not in client.get(LIST + "?sort=due").content.decode().split("poller")[-1]


def test_bulk_close_tag_and_assign(client, chan: Channel, bob: User) -> None:
    one = conversation(chan, "one", handle="@one", at=NOW - minutes(1))
    two = conversation(chan, "two", handle="@two", at=NOW - minutes(2))
    three = conversation(chan, "three", handle="@three", at=NOW - minutes(3))
    ids = [one.pk, two.pk]
    response = client.post(LIST + "bulk/", {"ids": ids, "op": "close", "next": LIST})
    assert response.status_code == 302
    assert messages_of(response) == ["2 conversations updated."]
    assert set(Conversation.objects.filter(status="closed").values_list("pk", flat=True)) == set(
        ids
    )
    client.post(LIST + "bulk/", {"ids": [three.pk], "op": "tag", "tag_value": "billing"})
    assert [t.name for t in three.tags.all()] == ["billing"]
    # Bob is an editor: he answers, so he can be assigned.
    client.post(LIST + "bulk/", {"ids": [three.pk, two.pk], "op": "assign", "assign_value": bob.pk})
    assert set(Conversation.objects.filter(assignee=bob).values_list("pk", flat=True)) == {
        two.pk,
        three.pk,
    }
    nothing = client.post(LIST + "bulk/", {"op": "close"})
    assert messages_of(nothing) == ["Select at least one conversation first."]


def test_bulk_reports_a_conversation_of_another_workspace(
    client, chan: Channel, charlie, globex
) -> None:
    mine = conversation(chan, "mine", at=NOW - minutes(1))
    theirs_channel = Channel.objects.create(
        workspace=globex, network="fakeinbox", external_id="g", handle="@globex"
    )
    theirs = conversation(theirs_channel, "theirs", handle="@x", at=NOW - minutes(1))
    response = client.post(LIST + "bulk/", {"ids": [mine.pk, theirs.pk], "op": "close"})
    assert messages_of(response) == [
        "1 conversation updated.",
        f"Conversation {theirs.pk}: not found in this workspace.",
    ]
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN


def test_saved_views_are_tabs_personal_or_shared(client, chan: Channel, bob: User) -> None:
    conversation(chan, "hello", at=NOW - minutes(3))
    response = client.post(
        LIST + "views/", {"name": "Mine, open", "query": "status=open&assignee=me&cursor=x"}
    )
    view = SavedView.objects.get(name="Mine, open")
    assert view.owner is not None and view.query == "assignee=me&status=open"
    assert response["Location"] == LIST + "?assignee=me&status=open"
    client.post(LIST + "views/", {"name": "Team queue", "query": "status=pending", "shared": "on"})
    shared = SavedView.objects.get(name="Team queue")
    assert shared.owner is None

    tabs = client.get(LIST + "?assignee=me&status=open").content.decode()
    tabs = tabs.split('aria-label="Saved views"')[1].split("</nav>")[0]
    current = [tab for tab in tabs.split("<a ")[1:] if 'aria-current="page"' in tab]
    assert len(current) == 1 and "Mine, open" in current[0]
    # Bob sees the shared view, not Alice's own.
    bobs = text(signed_in(bob).get(LIST))
    assert "Team queue" in bobs and "Mine, open" not in bobs
    # Bob (an editor) may not share views or delete the shared one.
    refused = signed_in(bob).post(LIST + "views/", {"name": "x", "query": "q=a", "shared": "on"})
    assert "does not allow inbox.configure" in messages_of(refused)[0]
    signed_in(bob).post(LIST + f"views/{shared.pk}/delete/")
    assert SavedView.objects.filter(pk=shared.pk).exists()
    client.post(LIST + f"views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_an_analyst_reads_but_has_no_bulk_actions(chan: Channel, acme, make_user, clock) -> None:
    conversation(chan, "hello", at=NOW - minutes(3))
    ana = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=ana, role=Role.ANALYST)
    client = signed_in(ana)
    response = client.get(LIST)
    assert response.status_code == 200
    assert 'id="bulk-form"' not in response.content.decode()
    refused = client.post(LIST + "bulk/", {"ids": [1], "op": "close"})
    assert refused.status_code == 403
    viewer = make_user("cv@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    assert signed_in(viewer).get(LIST).status_code == 403


def test_the_navigation_links_the_inbox_with_g_b(client, chan) -> None:
    page = client.get("/w/acme/").content.decode()
    assert 'href="/w/acme/inbox/"' in page
    assert 'data-key="b"' in page


def test_tags_filter_by_id(client, chan: Channel, acme) -> None:
    tagged = conversation(chan, "tagged one", handle="@t", at=NOW - minutes(1))
    conversation(chan, "plain one", handle="@p", at=NOW - minutes(2))
    tag = Tag.objects.create(workspace=acme, name="vip")
    tagged.tags.add(tag)
    page = text(client.get(LIST + f"?tag={tag.pk}"))
    assert "tagged one" in page and "plain one" not in page
