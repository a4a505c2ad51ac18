"""The inbox list: filters from a query string and back, orders, search and keyset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import QueryDict

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import queries
from hubbub.inbox.models import Conversation, Kind, Priority, Status, Tag, Team
from hubbub.inbox.queries import Filters
from tests.inbox.conftest_queries import T0, Inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(acme: Workspace) -> Inbox:
    return Inbox(acme)


def ids(access: Access, query: str = "", order: str = "recent", **kwargs) -> list[int]:
    filters = Filters.from_query(QueryDict(query), access.user, strict=True)
    return [c.pk for c in queries.conversations(access, filters, order=order, **kwargs)]


@pytest.fixture
def owner(alice, acme) -> Access:
    return access_workspace(alice, "acme")


def test_filters_read_and_write_the_same_query_string():
    query = (
        "status=open&status=pending&assignee=me&team=3&channel=4&kind=mention&tag=billing"
        "&tag=7&priority=3&sentiment=negative&language=fr&due=soon&waiting=true&q=colis+ab%C3%AEm%C3%A9"
        "&customer=9"
    )
    filters = Filters.from_query(QueryDict(query), None, strict=True)
    assert filters == Filters(
        status=["open", "pending"],
        assignee="me",
        team=3,
        channel=[4],
        kind=["mention"],
        tag=["billing", "7"],
        priority=[3],
        sentiment=["negative"],
        language=["fr"],
        due="soon",
        waiting=True,
        q="colis abîmé",
        customer=9,
    )
    assert Filters.from_query(QueryDict(filters.to_query()), None) == filters
    assert Filters.from_query(QueryDict("status=open,closed")).status == ["open", "closed"]
    assert not Filters()


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("status=done", "status", "open, pending, closed"),
        ("assignee=bob", "assignee", "assignee=me"),
        ("channel=x", "channel", "not a number"),
        ("due=late", "due", "breached, soon, any"),
        ("waiting=maybe", "waiting", "waiting=true"),
        ("priority=9", "priority", "0, 1, 2, 3"),
    ],
)
def test_a_bad_value_is_refused_with_its_name_when_strict(query, field, words):
    with pytest.raises(ActionError) as caught:
        Filters.from_query(QueryDict(query), None, strict=True)
    assert caught.value.field == field
    assert words in caught.value.message
    assert Filters.from_query(QueryDict(query), None) == Filters()  # the web list drops it


def test_each_filter_selects_its_conversations(owner, alice, bob, acme, inbox):
    team = Team.objects.create(workspace=acme, name="Support")
    billing = Tag.objects.create(workspace=acme, name="billing")
    a = inbox.conversation("a", assignee=alice, kind=Kind.MENTION, language="fr")
    b = inbox.conversation("b", assignee=bob, team=team, status=Status.PENDING)
    c = inbox.conversation("c", priority=Priority.URGENT, sentiment="negative", waiting_since=None)
    d = inbox.conversation("d", status=Status.CLOSED, who="dave")
    c.tags.add(billing)
    assert ids(owner) == [d.pk, c.pk, b.pk, a.pk]
    assert ids(owner, "status=open") == [c.pk, a.pk]
    assert ids(owner, "status=open&status=pending") == [c.pk, b.pk, a.pk]
    assert ids(owner, "assignee=me") == [a.pk]
    assert ids(owner, f"assignee={bob.pk}") == [b.pk]
    assert ids(owner, "assignee=none") == [d.pk, c.pk]
    assert ids(owner, f"team={team.pk}") == [b.pk]
    assert ids(owner, "kind=mention") == [a.pk]
    assert ids(owner, "tag=billing") == ids(owner, f"tag={billing.pk}") == [c.pk]
    assert ids(owner, "priority=3") == [c.pk]
    assert ids(owner, "sentiment=negative") == [c.pk]
    assert ids(owner, "language=fr") == [a.pk]
    assert ids(owner, "waiting=false") == [c.pk]
    assert ids(owner, "waiting=true") == [d.pk, b.pk, a.pk]
    assert ids(owner, f"customer={d.customer_id}") == [d.pk]
    assert ids(owner, f"channel={inbox.channel.pk}&status=closed") == [d.pk]


def test_assignee_me_means_whoever_looks(acme, alice, bob, inbox):
    inbox.conversation("for alice", assignee=alice)
    mine = inbox.conversation("for bob", assignee=bob)
    assert ids(access_workspace(bob, "acme"), "assignee=me") == [mine.pk]


def test_due_filters_and_order(owner, inbox):
    now = T0 + timedelta(days=1)
    breached = inbox.conversation("x", first_response_due_at=now - timedelta(minutes=5))
    soon = inbox.conversation("y", first_response_due_at=now + timedelta(minutes=20))
    later = inbox.conversation("z", first_response_due_at=now + timedelta(hours=5))
    answered = inbox.conversation(
        "w",
        first_response_due_at=now - timedelta(hours=2),  # met: what counts now is resolution
        first_response_at=now - timedelta(hours=3),
        resolution_due_at=now + timedelta(minutes=30),
    )
    inbox.conversation("closed", status=Status.CLOSED, resolution_due_at=now - timedelta(hours=1))
    none = inbox.conversation("no target")
    assert ids(owner, "due=breached", now=now) == [breached.pk]
    assert ids(owner, "due=soon", now=now) == [answered.pk, soon.pk]
    assert set(ids(owner, "due=any", now=now)) == {breached.pk, soon.pk, later.pk, answered.pk}
    due_order = ids(owner, order="due", now=now)
    assert due_order[:4] == [breached.pk, soon.pk, answered.pk, later.pk]
    assert none.pk in due_order[4:]


def test_search_filters_conversations_by_any_of_their_messages(owner, inbox):
    first = inbox.conversation("Bonjour", "Mon colis est arrivé abîmé")
    inbox.conversation("The box was fine, thanks")
    assert ids(owner, "q=colis+abime") == [first.pk]
    assert ids(owner, "q=ABÎMÉ&status=open") == [first.pk]
    assert ids(owner, 'q="arrivé abîmé"') == [first.pk]
    assert ids(owner, "q=bonjour&status=closed") == []


def test_the_list_is_scoped_to_the_workspace(owner, globex, inbox):
    Inbox(globex).conversation("Globex's own")
    mine = inbox.conversation("Acme's own")
    assert ids(owner) == [mine.pk]
    assert ids(owner, "q=own") == [mine.pk]


def test_a_role_without_inbox_view_is_refused(acme, make_user):
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    with pytest.raises(PermissionDenied, match=r"inbox\.view"):
        queries.conversations(access_workspace(viewer, "acme"), Filters())


def test_an_unknown_order_is_refused(owner):
    with pytest.raises(ActionError, match="recent, oldest, due"):
        queries.conversations(owner, Filters(), order="newest")


@pytest.mark.parametrize("order", queries.ORDERS)
def test_keyset_pages_walk_every_conversation_once(owner, inbox, order):
    now = T0
    for index in range(23):
        # Some share a last message time, some have targets, some none: ties and nulls.
        inbox.conversation(
            f"m{index}",
            at=T0 + timedelta(minutes=index // 3),
            first_response_due_at=(now + timedelta(minutes=index % 4)) if index % 5 else None,
        )
    qs = queries.conversations(owner, Filters(), order=order, now=now)
    expected = [c.pk for c in qs]
    seen: list[int] = []
    cursor = ""
    while True:
        page = queries.page(qs, order=order, cursor=cursor, limit=5)
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
    assert len(seen) == 23


def test_a_broken_or_foreign_cursor_is_refused(owner, inbox):
    for index in range(3):
        inbox.conversation(f"m{index}")
    qs = queries.conversations(owner, Filters())
    cursor = queries.page(qs, limit=1).next_cursor
    assert cursor
    with pytest.raises(ActionError) as caught:
        queries.page(qs, cursor="garbage!")
    assert caught.value.field == "cursor"
    with pytest.raises(ActionError):
        queries.page(
            queries.conversations(owner, Filters(), order="oldest"), order="oldest", cursor=cursor
        )


def test_the_list_query_count_does_not_grow_with_the_page(
    owner, inbox, django_assert_max_num_queries
):
    billing = Tag.objects.create(workspace=owner.workspace, name="billing")
    for index in range(30):
        inbox.conversation(f"m{index}", who=f"p{index}").tags.add(billing)
    # the ids of the page (narrow: filters and order only), its rows by id, then their tags
    with django_assert_max_num_queries(3):
        page = queries.page(queries.conversations(owner, Filters()), limit=30)
        for conversation in page.items:
            assert conversation.channel.handle and conversation.identity
            assert [t.name for t in conversation.tags.all()] == ["billing"]
    assert Conversation.objects.count() == 30


@pytest.mark.parametrize("scan_limit", [2, 1000], ids=["index-fallback", "scan"])
@pytest.mark.parametrize("order", queries.ORDERS)
def test_search_pages_are_the_full_query_whichever_way_they_are_found(
    owner, inbox, order, scan_limit, monkeypatch
):
    """page() finds the first matching conversations by scanning the list in chunks
    (search.first_matching), or through the index when that takes too long: both give what
    the full query gives, page after page."""
    from hubbub.inbox import search

    monkeypatch.setattr(search, "SCAN_CHUNK", 2)
    monkeypatch.setattr(search, "SCAN_LIMIT", scan_limit)
    now = T0 + timedelta(days=1)
    for index in range(17):
        texts = ["Where is my parcel?"] if index % 3 else ["Hello", "My parcel is late"]
        inbox.conversation(
            *texts,
            "thanks" if index % 2 else "ok",
            who=f"p{index}",
            at=T0 + timedelta(minutes=index // 2),
            status=Status.OPEN if index % 4 else Status.PENDING,
            first_response_due_at=(now + timedelta(minutes=index % 4)) if index % 5 else None,
        )
    inbox.conversation("Nothing to see", who="other")
    for query in ("q=parcel", 'q="parcel is late"', "q=parcel&status=open"):
        filters = Filters.from_query(QueryDict(query), owner.user, strict=True)
        qs = queries.conversations(owner, filters, order=order, now=now)
        expected = list(qs.values_list("pk", flat=True))  # the plain query, no page
        seen: list[int] = []
        cursor = ""
        while True:
            page = queries.page(qs, order=order, cursor=cursor, limit=3)
            seen += [c.pk for c in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected, query
        assert expected, query


@pytest.mark.parametrize("query", ["", "q=parcel", "q=parcel&status=open"])
def test_newer_gives_the_new_rows_of_the_list(owner, inbox, query):
    """What the list's poll adds on top: the conversations whose latest message came after
    the newest one shown, matching the filters (a search included), newest first."""
    for index in range(8):
        inbox.conversation(
            "Where is my parcel?" if index % 2 else "Hello",
            who=f"p{index}",
            at=T0 + timedelta(minutes=index),
            status=Status.OPEN if index % 3 else Status.PENDING,
        )
    after = T0 + timedelta(minutes=2, seconds=30)
    filters = Filters.from_query(QueryDict(query), owner.user, strict=True)
    qs = queries.conversations(owner, filters, order="recent")
    expected = [c.pk for c in qs if c.last_message_at > after]
    assert [c.pk for c in queries.newer(qs, after, 10)] == expected
    assert [c.pk for c in queries.newer(qs, after, 2)] == expected[:2]
    assert expected
