"""Queue slots and "next free slot", across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import PermissionDenied

import hubbub.urls  # noqa: F401  (load the URLs before the fake network joins the registry)
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing import queue
from hubbub.publishing.actions.posts import (
    VariantInput,
    cancel_post,
    create_draft,
    schedule_post,
)
from hubbub.publishing.models import QueueSlot

pytestmark = pytest.mark.django_db

TUESDAY, THURSDAY, SUNDAY = 1, 3, 6


def test_slots_are_replaced_and_audited(owner, channel):
    queue.set_slots(owner, channel, [(TUESDAY, time(9, 0)), (THURSDAY, time(14, 30))])
    queue.set_slots(owner, channel, [(THURSDAY, time(14, 30)), (THURSDAY, time(14, 30))])
    assert [(s.weekday, s.time) for s in queue.slots_of(channel)] == [(THURSDAY, time(14, 30))]
    entry = AuditEntry.objects.filter(action="queue.update").latest("id")
    assert entry.before == {"slots": ["1 09:00", "3 14:30"]}
    assert entry.after == {"slots": ["3 14:30"]}


def test_an_editor_may_not_change_slots(editor, channel):
    with pytest.raises(PermissionDenied):
        queue.set_slots(editor, channel, [(TUESDAY, time(9, 0))])
    assert not QueueSlot.objects.exists()


def test_a_bad_weekday_is_refused(owner, channel):
    with pytest.raises(ActionError, match="use 0 \\(Monday\\) to 6"):
        queue.set_slots(owner, channel, [(7, time(9, 0))])


def test_another_workspaces_channel_is_refused(owner, charlie, globex, fake_network):
    theirs = Channel.objects.create(workspace=globex, network="fake", external_id="9", handle="@g")
    with pytest.raises(ActionError, match="another workspace"):
        queue.set_slots(owner, theirs, [(TUESDAY, time(9, 0))])


def test_the_next_free_slot_skips_taken_ones(owner, channel, clock):
    # Now: Monday 2026-06-01 12:00 in Paris. Slots: Tuesday 09:00 and Thursday 09:00.
    queue.set_slots(owner, channel, [(TUESDAY, time(9, 0)), (THURSDAY, time(9, 0))])
    first = queue.next_free_slot(owner, [channel])
    assert first == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    post = create_draft(owner, purpose="p", variants=[VariantInput(channel, ["Hi"])])
    schedule_post(owner, post, datetime(2026, 6, 2, 9, 0))
    assert queue.next_free_slot(owner, [channel]) == datetime(2026, 6, 4, 7, 0, tzinfo=UTC)
    cancel_post(owner, post)  # a cancelled post frees its slot
    assert queue.next_free_slot(owner, [channel]) == first


def test_a_planned_draft_takes_its_slot_too(owner, channel, clock):
    queue.set_slots(owner, channel, [(TUESDAY, time(9, 0))])
    post = create_draft(owner, purpose="p", variants=[VariantInput(channel, ["Hi"])])
    from hubbub.publishing.calendar import plan_post

    plan_post(owner, post, datetime(2026, 6, 2, 9, 0))
    assert queue.next_free_slot(owner, [channel]) == datetime(2026, 6, 9, 7, 0, tzinfo=UTC)


def test_slots_keep_their_wall_clock_time_across_the_autumn_change(owner, channel, clock):
    queue.set_slots(owner, channel, [(SUNDAY, time(9, 0))])
    after = datetime(2026, 10, 20, tzinfo=UTC)
    slots = queue.upcoming_slots(owner, [channel], after, limit=2)
    # Paris goes back to CET (+01:00) at 03:00 on Sunday 25 October: 09:00 stays 09:00.
    assert [s.astimezone(channel.workspace.tz).strftime("%Y-%m-%d %H:%M %z") for s in slots] == [
        "2026-10-25 09:00 +0100",
        "2026-11-01 09:00 +0100",
    ]
    before = queue.upcoming_slots(owner, [channel], datetime(2026, 10, 15, tzinfo=UTC), limit=1)
    assert before == [datetime(2026, 10, 18, 7, 0, tzinfo=UTC)]  # CEST, +02:00


def test_a_slot_the_clocks_skip_falls_on_the_next_valid_time(owner, channel, clock):
    queue.set_slots(owner, channel, [(SUNDAY, time(2, 30))])
    slots = queue.upcoming_slots(owner, [channel], datetime(2027, 3, 27, tzinfo=UTC), limit=2)
    local = [s.astimezone(channel.workspace.tz).strftime("%Y-%m-%d %H:%M") for s in slots]
    assert local == ["2027-03-28 03:00", "2027-04-04 02:30"]


def test_new_york_slots_follow_new_york_clocks(acme, alice, channel, clock):
    acme.time_zone = "America/New_York"
    acme.save()
    access = Access(user=alice, workspace=acme, role=Role.OWNER)
    queue.set_slots(access, channel, [(TUESDAY, time(9, 0))])
    # US clocks change on 2026-11-01: Tuesday 27 Oct is EDT (-4), Tuesday 3 Nov EST (-5).
    slots = queue.upcoming_slots(access, [channel], datetime(2026, 10, 26, tzinfo=UTC), limit=2)
    assert slots == [
        datetime(2026, 10, 27, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 14, 0, tzinfo=UTC),
    ]


def test_several_channels_share_the_first_slot_free_on_all(owner, channel, clock):
    other = Channel.objects.create(
        workspace=channel.workspace, network="fake", external_id="2", handle="@other"
    )
    queue.set_slots(owner, channel, [(TUESDAY, time(9, 0))])
    queue.set_slots(owner, other, [(THURSDAY, time(9, 0))])
    post = create_draft(owner, purpose="p", variants=[VariantInput(other, ["Hi"])])
    schedule_post(owner, post, datetime(2026, 6, 2, 9, 0))  # @other posts at Tuesday's slot
    assert queue.next_free_slot(owner, [channel, other]) == datetime(2026, 6, 4, 7, 0, tzinfo=UTC)


def test_no_slot_means_no_free_slot(owner, channel, clock):
    assert queue.next_free_slot(owner, [channel]) is None
