"""Rescheduling one delivery follows the approved-hours rule as scheduling a post does: a new
time outside the hours needs a second person's approval (see docs/approvals.md).

The clock is frozen at 2026-06-01 10:00 UTC (12:00 in Paris); approved hours 07:00-22:00."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

import pytest
from django.urls import get_resolver

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.approvals import approve, set_approval_settings, submit
from hubbub.publishing.actions.pause import reschedule_delivery
from hubbub.publishing.actions.posts import VariantInput, create_draft
from hubbub.publishing.models import Delivery, DeliveryStatus, PostStatus

TOMORROW_10 = datetime(2026, 6, 2, 10, 0)  # Paris wall clock, inside the hours
LATE_NIGHT = datetime(2026, 6, 2, 23, 30)  # outside
EVENING = datetime(2026, 6, 2, 21, 0)  # inside


@pytest.fixture(autouse=True)
def urls_loaded() -> None:
    get_resolver().url_patterns  # noqa: B018  (before the fake network joins the registry)


@pytest.fixture
def maya(make_user: Callable[..., User], acme: Workspace) -> Access:
    user = make_user("maya@example.com", full_name="Maya Manager")
    Membership.objects.create(workspace=acme, user=user, role=Role.MANAGER)
    return Access(user=user, workspace=acme, role=Role.MANAGER)


@pytest.fixture(autouse=True)
def hours(owner: Access) -> None:
    set_approval_settings(
        owner,
        hours_start=time(7),
        hours_end=time(22),
        self_approval=False,
        reapprove_on_reschedule=False,
    )


def waiting(author: Access, channel: Channel, when: datetime = TOMORROW_10) -> Delivery:
    """A post of `author` scheduled at `when`, whose delivery now needs attention."""
    post = create_draft(
        author, purpose="announce the sale", variants=[VariantInput(channel, ["Hi"])]
    )
    post = submit(author, post, when)
    assert post.status == PostStatus.SCHEDULED
    delivery = Delivery.objects.get(post=post)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.NEEDS_ATTENTION)
    return Delivery.objects.get(pk=delivery.pk)


def test_the_author_cannot_move_a_delivery_into_odd_hours_alone(editor, maya, channel, clock):
    delivery = waiting(editor, channel)
    with pytest.raises(ActionError) as caught:
        reschedule_delivery(editor, delivery, LATE_NIGHT)
    message = caught.value.message
    assert "2026-06-02 23:30 is outside the approved hours (07:00 to 22:00)" in message
    assert "Alice Martin, Maya Manager" in message  # who may do it; never the author, Bob
    assert caught.value.field == "scheduled_at"
    unchanged = Delivery.objects.get(pk=delivery.pk)
    assert unchanged.status == DeliveryStatus.NEEDS_ATTENTION
    assert unchanged.due_at == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


def test_inside_the_hours_the_author_reschedules_as_before(editor, channel, clock):
    delivery = reschedule_delivery(editor, waiting(editor, channel), EVENING)
    assert delivery.status == DeliveryStatus.SCHEDULED
    assert delivery.due_at == datetime(2026, 6, 2, 19, 0, tzinfo=UTC)


def test_a_manager_moving_someone_elses_delivery_is_the_second_approval(
    editor, maya, channel, clock
):
    delivery = reschedule_delivery(maya, waiting(editor, channel), LATE_NIGHT)
    assert delivery.status == DeliveryStatus.SCHEDULED
    assert delivery.due_at == datetime(2026, 6, 2, 21, 30, tzinfo=UTC)
    entry = AuditEntry.objects.filter(action="delivery.reschedule").latest("id")
    assert entry.actor_id == maya.user.pk
    assert entry.after["out_of_hours_approval"] == "given by the person rescheduling"


def test_an_owner_may_not_approve_their_own_post_for_odd_hours(owner, channel, clock):
    delivery = waiting(owner, channel)
    with pytest.raises(ActionError, match="second person"):
        reschedule_delivery(owner, delivery, LATE_NIGHT)


def test_a_post_already_approved_for_odd_hours_may_move_within_them(editor, maya, channel, clock):
    post = create_draft(editor, purpose="night launch", variants=[VariantInput(channel, ["Hi"])])
    post = submit(editor, post, LATE_NIGHT)
    assert post.status == PostStatus.IN_REVIEW
    post = approve(maya, post)
    assert post.status == PostStatus.SCHEDULED
    Delivery.objects.filter(post=post).update(status=DeliveryStatus.NEEDS_ATTENTION)
    moved = reschedule_delivery(
        editor, Delivery.objects.get(post=post), datetime(2026, 6, 2, 23, 45)
    )
    assert moved.status == DeliveryStatus.SCHEDULED
    entry = AuditEntry.objects.filter(action="delivery.reschedule").latest("id")
    assert entry.after["out_of_hours_approval"] == "approved before"
