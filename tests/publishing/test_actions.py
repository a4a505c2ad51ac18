"""Drafting, scheduling (time zones, limits), cancelling, and the crisis pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry
from hubbub.networks.models import Channel
from hubbub.publishing import tasks
from hubbub.publishing.actions.pause import (
    cancel_delivery,
    pause_publishing,
    reschedule_delivery,
    resume_publishing,
    send_now,
)
from hubbub.publishing.actions.posts import (
    MediaInput,
    VariantInput,
    cancel_post,
    create_draft,
    problems,
    schedule_post,
    update_post,
)
from hubbub.publishing.dispatcher import claim, deliver, report_missed
from hubbub.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from tests.publishing.conftest import NOW, post_of, reload
from tests.publishing.fake import FakeConnector

D = DeliveryStatus
DUE = NOW + timedelta(minutes=10)


def draft(access: Access, channel: Channel, *parts: str, **kw) -> Post:
    return create_draft(
        access, purpose="launch", variants=[VariantInput(channel, list(parts or ["Hi"]), **kw)]
    )


# --- time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local", "offered"),
    [
        ("Europe/Paris", datetime(2026, 3, 29, 2, 30), "2026-03-29 03:00"),
        ("America/New_York", datetime(2026, 3, 8, 2, 30), "2026-03-08 03:00"),
    ],
)
def test_a_time_in_the_spring_gap_is_refused_with_the_next_valid_one(
    owner, channel, acme, zone, local, offered
):
    acme.time_zone = zone
    acme.save()
    post = draft(owner, channel)
    with (
        time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False),
        pytest.raises(ActionError) as error,
    ):
        schedule_post(owner, post, local)
    assert "does not exist" in error.value.message
    assert f"The next valid time is {offered}." in error.value.message
    assert post_of_draft(post).status == PostStatus.DRAFT


def post_of_draft(post: Post) -> Post:
    return type(post).objects.get(pk=post.pk)


@pytest.mark.parametrize(
    ("zone", "local", "first_utc", "second_utc", "offsets"),
    [
        (
            "Europe/Paris",
            datetime(2026, 10, 25, 2, 30),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            ("UTC+02:00", "UTC+01:00"),
        ),
        (
            "America/New_York",
            datetime(2026, 11, 1, 1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            ("UTC-04:00", "UTC-05:00"),
        ),
    ],
)
def test_a_repeated_autumn_time_asks_which_one(
    owner, channel, acme, zone, local, first_utc, second_utc, offsets
):
    acme.time_zone = zone
    acme.save()
    owner = Access(user=owner.user, workspace=acme, role=owner.role)
    post = draft(owner, channel)
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        with pytest.raises(ActionError) as error:
            schedule_post(owner, post, local)
        assert "happens twice" in error.value.message
        assert offsets[0] in error.value.message and offsets[1] in error.value.message
        assert error.value.field == "fold"
        assert schedule_post(owner, post, local, fold=0).scheduled_at == first_utc
        assert schedule_post(owner, post, local, fold=1).scheduled_at == second_utc
    assert Delivery.objects.get(post=post).due_at == second_utc


def test_a_plain_local_time_is_stored_in_utc(owner, channel, clock):
    post = schedule_post(owner, draft(owner, channel), datetime(2026, 6, 2, 9, 0))
    assert post.scheduled_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # Paris is UTC+2 in June


def test_a_time_in_the_past_is_refused(owner, channel, clock):
    post = draft(owner, channel)
    with pytest.raises(ActionError, match="has already passed: choose a time in the future"):
        schedule_post(owner, post, NOW - timedelta(minutes=1))
    assert not Delivery.objects.exists()


# --- limits -------------------------------------------------------------------------------------


@pytest.fixture
def bluesky(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


@pytest.fixture
def mastodon(acme) -> Channel:
    config = {"server": "https://social.example", "domain": "social.example", "max_characters": 100}
    return Channel.objects.create(
        workspace=acme,
        network="mastodon",
        external_id="1@social.example",
        handle="@acme@social.example",
        config=config,
    )


def test_bluesky_refuses_301_graphemes_and_names_the_limit(owner, bluesky, clock):
    ok = draft(
        owner, bluesky, "é" * 299 + "👍🏽"
    )  # 300 graphemes: the emoji with its skin tone is one
    assert problems(ok) == []
    post = draft(owner, bluesky, "fine", "x" * 301)  # saved as a draft all the same
    [problem] = problems(post)
    assert problem.field == "parts.1"
    assert problem.message == (
        "Part 2 for Bluesky (acme.bsky.social) is 301 characters long; the limit there is 300: "
        "shorten it by 1."
    )
    with pytest.raises(ActionError, match="the limit there is 300"):
        schedule_post(owner, post, DUE)


def test_mastodon_counts_every_url_as_23_against_the_instances_limit(owner, mastodon, clock):
    url = "https://example.com/" + "a" * 200
    fits = draft(owner, mastodon, "x" * 77 + url)  # 77 + 23 = 100
    assert problems(fits) == []
    over = draft(owner, mastodon, "x" * 78 + url)
    with pytest.raises(ActionError) as error:
        schedule_post(owner, over, DUE)
    assert "is 101 characters long; the limit there is 100" in error.value.message
    assert "Mastodon (@acme@social.example)" in error.value.message


def test_media_over_the_limits_is_named(owner, channel, clock):
    media = [
        MediaInput("a.gif", "image/gif", 10),
        MediaInput("b.png", "image/png", 2_000_000),
        *[MediaInput(f"{i}.png", "image/png", 10) for i in range(3)],
    ]
    post = draft(owner, channel, "Hi", media=media)
    messages = [p.message for p in problems(post)]
    assert "Part 1 has 5 images; Fakebook (@acme) allows 4 a post." in messages
    assert "a.gif is image/gif; Fakebook (@acme) takes image/jpeg, image/png." in messages
    assert "b.png is 2000000 bytes; Fakebook (@acme) takes files up to 1000000 bytes." in messages


def test_a_draft_needs_a_purpose(owner, channel):
    with pytest.raises(ActionError, match="purpose") as error:
        create_draft(owner, purpose=" ", variants=[VariantInput(channel, ["Hi"])])
    assert error.value.field == "purpose"


def test_a_channel_of_another_workspace_is_refused(owner, globex, fake_network):
    theirs = Channel.objects.create(workspace=globex, network="fake", external_id="9", handle="@g")
    with pytest.raises(ActionError, match="another workspace"):
        draft(owner, theirs)


# --- editing, cancelling, permissions --------------------------------------------------------


def test_an_editor_cannot_change_someone_elses_post(owner, editor, channel):
    post = draft(owner, channel)
    with pytest.raises(PermissionDenied, match="someone else's"):
        update_post(editor, post, purpose="mine now", variants=[VariantInput(channel, ["x"])])


def test_an_analyst_cannot_draft(alice, acme, channel):
    analyst = Access(user=alice, workspace=acme, role="analyst")
    with pytest.raises(PermissionDenied):
        draft(analyst, channel)


def test_editing_while_publishing_is_refused(owner, scheduled, clock, channel):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    assert claim(delivery.pk, "w1")
    with pytest.raises(ActionError, match="being published right now"):
        update_post(owner, post_of(delivery), purpose="x", variants=[VariantInput(channel, ["y"])])
    with pytest.raises(ActionError, match="being published right now"):
        cancel_post(owner, post_of(delivery))


def test_editing_a_scheduled_post_keeps_its_time(owner, scheduled, clock, channel):
    delivery = scheduled("Hello")
    update_post(
        owner, post_of(delivery), purpose="launch", variants=[VariantInput(channel, ["New"])]
    )
    [new] = Delivery.objects.all()
    assert new.due_at == DUE
    clock.move_to(DUE)
    deliver(new.pk, "w1")
    assert [c.text for c in FakeConnector.calls] == ["New"]


def test_cancelling_stops_every_delivery(owner, scheduled, clock):
    delivery = scheduled("Hello")
    cancel_post(owner, post_of(delivery))
    assert reload(delivery).status == D.CANCELLED
    assert post_of(delivery).status == PostStatus.CANCELLED
    clock.move_to(DUE)
    assert deliver(delivery.pk, "w1") is False


def test_every_state_change_is_audited(owner, scheduled, clock):
    delivery = scheduled("Hello")
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    logged = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert logged == [
        "post.create",
        "post.schedule",
        "post.status",  # scheduled -> publishing
        "delivery.published",
        "post.status",  # publishing -> published
    ]


# --- crisis pause --------------------------------------------------------------------------


def test_a_paused_workspace_claims_nothing_and_resume_lists_what_passed(owner, scheduled, clock):
    passed = scheduled("passed")
    upcoming = scheduled("upcoming", minutes=120)
    pause_publishing(owner)
    clock.move_to(DUE + timedelta(minutes=30))
    assert deliver(passed.pk, "w1") is False
    assert report_missed() == []  # a pause is not a missed post
    assert FakeConnector.calls == []
    waiting = resume_publishing(owner)
    assert [d.pk for d in waiting] == [passed.pk]
    assert reload(passed).status == D.NEEDS_ATTENTION
    assert reload(upcoming).status == D.SCHEDULED
    assert deliver(passed.pk, "w1") is False  # waits for a person
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"publishing.pause", "publishing.resume", "delivery.needs_attention"} <= actions


def test_after_a_pause_a_person_sends_now_reschedules_or_cancels(
    owner, scheduled, clock, django_capture_on_commit_callbacks
):
    first, second, third = scheduled("one"), scheduled("two"), scheduled("three")
    pause_publishing(owner)
    clock.move_to(DUE + timedelta(minutes=30))
    resume_publishing(owner)
    with django_capture_on_commit_callbacks(execute=True):
        send_now(owner, first)
    assert reload(first).status == D.PUBLISHED
    reschedule_delivery(owner, second, datetime(2026, 6, 1, 18, 0))  # Paris time
    assert reload(second).status == D.SCHEDULED
    assert reload(second).due_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    cancel_delivery(owner, third)
    assert reload(third).status == D.CANCELLED
    with pytest.raises(ActionError, match="nothing to decide"):
        send_now(owner, reload(first))
    assert post_of(first).status == PostStatus.PUBLISHED


def test_an_editor_cannot_pause(editor):
    with pytest.raises(PermissionDenied):
        pause_publishing(editor)


# --- the sweep and the missed-post alarm ---------------------------------------------------


def test_the_sweep_publishes_what_is_due_and_reports_missed_posts_once(scheduled, clock, channel):
    on_time = scheduled("on time")
    clock.move_to(DUE)
    tasks.sweep.call_local()
    assert reload(on_time).status == D.PUBLISHED
    late = scheduled("late", minutes=11)  # and no worker runs to send it
    clock.move_to(DUE + timedelta(minutes=7))
    assert [d.pk for d in report_missed()] == [late.pk]
    assert report_missed() == []  # reported once
    assert AuditEntry.objects.filter(action="delivery.missed", object_id=str(late.pk)).count() == 1
