"""Inbox replies ride on posts of kind "reply", yet no place that shows the brand's posts
shows them: calendar, iCal feed, CSV export, queue slots, approvals, campaigns, the post
pages and the API. The publishing-health page still shows one that needs a person, as an
inbox reply linked to its conversation."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar

from hubbub.inbox import actions
from hubbub.inbox.models import Conversation
from hubbub.networks.base import PermanentError
from hubbub.publishing import calendar as cal
from hubbub.publishing import csv_io, ical, queue
from hubbub.publishing.actions import approvals
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Campaign, Delivery, Post, PostKind, PostStatus
from hubbub.publishing.views.health import numbers
from tests.api.conftest import token_api
from tests.conftest import signed_in
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    chan,
    inbox_network,
    make_conversation,
    sla_calls,
)
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db
TUESDAY_9_PARIS = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def conversation(chan) -> Conversation:
    return make_conversation(chan)


@pytest.fixture
def reply_post(owner, conversation, clock, sla_calls) -> Post:
    actions.reply(owner, conversation, "Secret reply text")
    return Post.objects.get(kind=PostKind.REPLY)


@pytest.fixture
def brand_post(owner, channel, clock) -> Post:
    post = create_draft(
        owner, purpose="announce the sale", variants=[VariantInput(channel, ["Hi"])]
    )
    schedule_post(owner, post, NOW + timedelta(hours=2))
    return post


def test_the_calendar_shows_only_posts(owner, brand_post, reply_post):
    listed = cal.posts_between(owner, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert list(listed) == [brand_post]
    page = signed_in(owner.user).get("/w/acme/calendar/?view=list&date=2026-06-01")
    assert page.status_code == 200
    assert b"announce the sale" in page.content
    assert b"Reply in conversation" not in page.content


def test_the_ical_feed_and_the_csv_export_leave_replies_out(owner, brand_post, reply_post):
    feed = Calendar.from_ical(ical.build_feed(owner.workspace, now=NOW))
    assert [str(e["uid"]).split("@")[0] for e in feed.walk("VEVENT")] == [f"post-{brand_post.pk}"]
    exported = csv_io.export_csv(owner)
    assert "announce the sale" in exported
    assert "Secret reply text" not in exported and "Reply in conversation" not in exported


def test_a_reply_takes_no_queue_slot(owner, channel, chan, conversation, clock, sla_calls):
    queue.set_slots(owner, chan, [(1, time(9, 0))])  # Tuesdays 09:00 in Paris
    clock.move_to(TUESDAY_9_PARIS)
    actions.reply(owner, conversation, "Right at slot time")
    clock.move_to(NOW)
    assert queue.next_free_slot(owner, [chan]) == TUESDAY_9_PARIS


def test_approvals_and_campaigns_count_no_reply(owner, brand_post, reply_post):
    sale = Campaign.objects.create(workspace=owner.workspace, name="Sale")
    Post.objects.filter(pk__in=[brand_post.pk, reply_post.pk]).update(
        campaign=sale, status=PostStatus.IN_REVIEW
    )
    assert list(approvals.all_in_review(owner)) == [brand_post]
    page = signed_in(owner.user).get("/w/acme/campaigns/")
    assert page.status_code == 200
    assert page.context["campaigns"][0].n_posts == 1


def test_the_post_pages_do_not_open_a_reply(owner, reply_post):
    client = signed_in(owner.user)
    assert client.get(f"/w/acme/posts/{reply_post.pk}/").status_code == 404
    assert client.get(f"/w/acme/posts/{reply_post.pk}/edit/").status_code == 404


def test_the_api_lists_posts_and_deliveries_without_replies(owner, brand_post, reply_post):
    api = token_api(owner.user, owner.workspace)
    posts = api.get("/workspaces/acme/posts").json()
    assert [p["id"] for p in posts["items"]] == [brand_post.pk]
    deliveries = api.get("/workspaces/acme/deliveries").json()
    assert [d["post_id"] for d in deliveries["items"]] == [brand_post.pk]
    assert api.get(f"/workspaces/acme/posts/{reply_post.pk}").status_code == 404


def test_the_health_page_shows_a_failed_reply_as_an_inbox_reply(
    owner, brand_post, reply_post, conversation, inbox_network
):
    delivery = Delivery.objects.get(post=reply_post)
    inbox_network.fail_next(PermanentError("Fakechat refused: the comment was deleted"))
    deliver(delivery.pk, "w1")
    counts = numbers(owner.workspace, NOW)
    assert counts.needs_attention == 1
    assert counts.next_24h == 1  # the brand's post; the reply is no planned post
    page = signed_in(owner.user).get("/w/acme/publishing/")
    assert page.status_code == 200
    [row] = page.context["attention"]
    assert row.pk == delivery.pk and row.inbox_conversation_id == conversation.pk
    html = page.content.decode()
    assert (
        f'href="/w/acme/inbox/{conversation.pk}/" data-testid="inbox-reply">Inbox reply</a>' in html
    )
    assert "Reply in conversation" not in html
    assert [d.post_id for d in page.context["upcoming"]] == [brand_post.pk]
