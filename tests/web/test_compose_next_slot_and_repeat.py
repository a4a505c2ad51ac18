"""The composer's "Next free slot" button and "Repeat" builder, and the series on the post page.

The clock is frozen on Monday 2026-06-01 at 10:00 UTC (12:00 in Paris, Acme's time zone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post, PostStatus, QueueSlot
from tests.conftest import signed_in
from tests.web.conftest import messages_of, text

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
NEW = "/w/acme/posts/new/"
NEXT_SLOT = "/w/acme/posts/next-slot/"
VALIDATE = "/w/acme/posts/validate/"
TUE_THU_JUNE = {
    "repeat_freq": "weekly",
    "repeat_days": ["1", "3"],
    "repeat_end": "until",
    "repeat_until": "2026-06-30",
}


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bluesky(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def form(channel: Channel, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "purpose": "weekly tip",
        "channels": [channel.pk],
        "part": ["Tip of the week"],
    }
    data.update(extra)
    return data


def html(response: Any) -> str:
    page: str = response.content.decode()
    return page


# --- next free slot -------------------------------------------------------------------------


def test_next_free_slot_fills_the_time_with_htmx(alice_client, bluesky):
    QueueSlot.objects.create(channel=bluesky, weekday=1, time=time(9, 0))  # Tuesdays 09:00
    response = alice_client.get(NEXT_SLOT, {"channels": bluesky.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="when-time"' in html(response)  # the block the button swaps
    assert 'value="2026-06-02T09:00"' in html(response)
    assert "Next free slot: 2026-06-02 09:00." in text(response)


def test_a_slot_taken_by_another_post_is_skipped(alice_client, bluesky):
    QueueSlot.objects.create(channel=bluesky, weekday=1, time=time(9, 0))
    alice_client.post(NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00"))
    response = alice_client.get(NEXT_SLOT, {"channels": bluesky.pk})
    assert 'value="2026-06-09T09:00"' in html(response)


def test_without_javascript_the_button_shows_the_form_again_with_the_time(alice_client, bluesky):
    QueueSlot.objects.create(channel=bluesky, weekday=3, time=time(17, 30))  # Thursdays
    response = alice_client.post(NEW, form(bluesky, action="next_slot", scheduled_at=""))
    assert response.status_code == 200
    assert 'value="2026-06-04T17:30"' in html(response)
    assert "Next free slot: 2026-06-04 17:30." in text(response)
    assert "Tip of the week" in html(response)  # what was typed is kept
    assert not Post.objects.exists()  # and nothing saved behind the person's back


def test_channels_without_slots_say_so_with_the_queue_link_for_managers(
    alice_client, bob: User, bluesky
):
    response = alice_client.get(NEXT_SLOT, {"channels": bluesky.pk})
    assert "The chosen channels have no queue slots yet." in text(response)
    assert 'href="/w/acme/queue/"' in html(response)
    # Bob (an editor) cannot manage the queue: no link, but who can.
    as_bob = signed_in(bob).get(NEXT_SLOT, {"channels": bluesky.pk})
    assert 'href="/w/acme/queue/"' not in html(as_bob)
    assert "An owner or a manager sets them up on the queue page." in text(as_bob)


def test_no_channel_chosen_is_said(alice_client, bluesky):
    response = alice_client.get(NEXT_SLOT, {"scheduled_at": "2026-06-05T10:00"})
    assert "Choose a channel first" in text(response)
    assert 'value="2026-06-05T10:00"' in html(response)  # the time typed stays


def test_another_workspaces_channel_is_ignored(alice_client, bluesky, charlie, globex):
    theirs = Channel.objects.create(
        workspace=globex, network="bluesky", external_id="did:plc:g", handle="globex.bsky.social"
    )
    QueueSlot.objects.create(channel=theirs, weekday=1, time=time(9, 0))
    response = alice_client.get(NEXT_SLOT, {"channels": theirs.pk})
    assert "Choose a channel first" in text(response)


# --- repeat from the composer ---------------------------------------------------------------


def test_schedule_with_repeat_creates_the_series(alice_client, bluesky):
    response = alice_client.post(
        NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    origin = Post.objects.get(series__isnull=True)
    assert response["Location"] == f"/w/acme/posts/{origin.pk}/"
    assert origin.rrule.startswith("FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=")
    posts = Post.objects.order_by("scheduled_at")
    assert [p.scheduled_at.day for p in posts if p.scheduled_at] == [
        2, 4, 9, 11, 16, 18, 23, 25, 30
    ]  # fmt: skip
    assert {p.status for p in posts} == {PostStatus.SCHEDULED}
    assert "It repeats: 9 posts planned so far, more are added as time passes." in messages_of(
        response
    )
    page = text(alice_client.get(f"/w/acme/posts/{origin.pk}/"))
    assert "Repeats every Tuesday and Thursday at 09:00 until 30 June 2026" in page
    assert "Stop repeating" in page


def test_the_live_check_describes_the_repeat(alice_client, bluesky):
    response = alice_client.post(
        VALIDATE, form(bluesky, scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    assert "Repeats every Tuesday and Thursday at 09:00 until 30 June 2026" in text(response)
    bad = alice_client.post(VALIDATE, form(bluesky, rrule="FREQ=SOMETIMES"))
    assert "FREQ=SOMETIMES is not allowed" in text(bad)


def test_a_bad_repeat_keeps_the_draft_and_names_the_fix(alice_client, bluesky):
    response = alice_client.post(
        NEW,
        form(
            bluesky,
            action="schedule",
            scheduled_at="2026-06-02T09:00",
            repeat_freq="daily",
            repeat_end="count",
            repeat_count="1",
        ),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Say how many posts in all, the first one included: from 2 to 1000." in page
    assert "Your changes are saved as a draft; it is not scheduled yet." in page
    post = Post.objects.get()
    assert post.status == PostStatus.DRAFT and post.rrule == ""


def test_a_pasted_rule_is_used_as_is(alice_client, bluesky):
    alice_client.post(
        NEW,
        form(
            bluesky,
            action="schedule",
            scheduled_at="2026-06-01T18:00",
            rrule="FREQ=DAILY;INTERVAL=2;COUNT=3",
        ),
    )
    posts = Post.objects.order_by("scheduled_at")
    assert [p.scheduled_at.strftime("%d %H:%M") for p in posts if p.scheduled_at] == [
        "01 16:00",
        "03 16:00",
        "05 16:00",
    ]  # 18:00 in Paris, every other day, three in all


def test_a_series_post_shows_its_repeat_instead_of_the_builder(alice_client, bluesky):
    alice_client.post(
        NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    origin = Post.objects.get(series__isnull=True)
    occurrence = Post.objects.filter(series=origin).order_by("scheduled_at").first()
    assert occurrence is not None
    edit_page = alice_client.get(f"/w/acme/posts/{occurrence.pk}/edit/")
    assert 'name="repeat_freq"' not in html(edit_page)
    assert f'href="/w/acme/posts/{origin.pk}/"' in html(edit_page)


# --- the series on the post page ------------------------------------------------------------


def test_an_occurrence_links_to_the_first_post_and_can_stop_the_series(alice_client, bluesky):
    alice_client.post(
        NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    origin = Post.objects.get(series__isnull=True)
    occurrence = Post.objects.filter(series=origin).order_by("scheduled_at")[2]  # 11 June
    page = alice_client.get(f"/w/acme/posts/{occurrence.pk}/")
    assert "Repeats every Tuesday and Thursday at 09:00 until 30 June 2026" in text(page)
    assert f'href="/w/acme/posts/{origin.pk}/"' in html(page)

    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=UTC), tick=False):
        stopped = alice_client.post(
            f"/w/acme/posts/{origin.pk}/repeat/",
            {"action": "stop", "next": f"/w/acme/posts/{occurrence.pk}/"},
        )
    assert stopped["Location"] == f"/w/acme/posts/{occurrence.pk}/"
    # From 11 June on, cancelled; those of 2, 4 and 9 June (past by then, or out) stay.
    statuses = [p.status for p in Post.objects.order_by("scheduled_at")]
    assert statuses[:3] == [PostStatus.SCHEDULED] * 3
    assert statuses[3:] == [PostStatus.CANCELLED] * 6
    after = text(alice_client.get(f"/w/acme/posts/{occurrence.pk}/"))
    assert "No longer: the series was stopped." in after and "Stop repeating" not in after


def test_an_editor_sees_someone_elses_series_without_the_stop_button(
    alice_client, bob: User, bluesky
):
    alice_client.post(
        NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    origin = Post.objects.get(series__isnull=True)
    page = signed_in(bob).get(f"/w/acme/posts/{origin.pk}/")
    assert "Repeats every Tuesday and Thursday" in text(page)
    assert 'data-testid="stop-repeating"' not in html(page)
    assert 'data-testid="start-repeating"' not in html(page)


def test_the_post_page_builder_starts_a_series(alice_client, bluesky):
    alice_client.post(NEW, form(bluesky, action="schedule", scheduled_at="2026-06-05T08:15"))
    post = Post.objects.get()
    page = alice_client.get(f"/w/acme/posts/{post.pk}/")
    assert 'data-testid="start-repeating"' in html(page)
    response = alice_client.post(
        f"/w/acme/posts/{post.pk}/repeat/",
        {
            "repeat_freq": "weekly",
            "repeat_end": "count",
            "repeat_count": "4",
            "next": f"/w/acme/posts/{post.pk}/",
        },
    )
    assert response["Location"] == f"/w/acme/posts/{post.pk}/"
    posts = Post.objects.order_by("scheduled_at")
    assert [p.scheduled_at.strftime("%a %d %H:%M") for p in posts if p.scheduled_at] == [
        "Fri 05 06:15",
        "Fri 12 06:15",
        "Fri 19 06:15",
        "Fri 26 06:15",
    ]  # every Friday at 08:15 in Paris, four in all
    assert "Repeats every Friday at 08:15, 4 posts in all" in text(
        alice_client.get(f"/w/acme/posts/{post.pk}/")
    )


def test_weekday_names_follow_the_persons_language(alice_client, alice: User, bluesky):
    alice_client.post(
        NEW, form(bluesky, action="schedule", scheduled_at="2026-06-02T09:00", **TUE_THU_JUNE)
    )
    origin = Post.objects.get(series__isnull=True)
    User.objects.filter(pk=alice.pk).update(language="fr")
    page = text(signed_in(User.objects.get(pk=alice.pk)).get(f"/w/acme/posts/{origin.pk}/"))
    assert "mardi" in page and "jeudi" in page and "30 juin 2026" in page
