"""The overnight digest: once per off period, what came in, what breached, what waits for
the member; in-app and e-mail, in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from hubbub.accounts.models import User
from hubbub.core.models import Notification, Workspace
from hubbub.inbox import digest, tasks_coverage
from hubbub.inbox.coverage import Coverage
from hubbub.inbox.models import Absence, Breach, Conversation, CoverageOverride, Digest
from tests.inbox.conftest_coverage import (  # noqa: F401  (fixtures)
    conversation,
    dave_fixture,
    inbound,
    make_channel,
    paris,
    shift,
    utc,
)

NOW = paris(2026, 11, 24, 8, 5)  # Tuesday, the first run after 08:00 in Paris


@pytest.fixture
def night(acme: Workspace, bob: User) -> dict[str, Conversation]:
    """Monday 23 → Tuesday 24 November 2026 in Acme (times in Paris)."""
    bsky = make_channel(acme, "acme.bsky.social")
    masto = make_channel(acme, "acme@mastodon.example", network="mastodon")
    before = conversation(
        acme, bsky, paris(2026, 11, 23, 17), assignee=bob, status="pending", subject="old one"
    )
    first = conversation(
        acme,
        bsky,
        paris(2026, 11, 23, 19),
        assignee=bob,
        waiting_since=paris(2026, 11, 23, 19),
        first_response_due_at=paris(2026, 11, 24, 10),
        subject="Where is my order?\nFAKE LINE",
    )
    second = conversation(acme, masto, paris(2026, 11, 23, 23, 30), subject="Bonjour")
    third = conversation(
        acme,
        bsky,
        paris(2026, 11, 24, 2),
        assignee=bob,
        waiting_since=paris(2026, 11, 24, 2),
        priority=3,
        subject="Refund please",
    )
    after = conversation(acme, bsky, paris(2026, 11, 24, 8, 1), subject="just now")
    for c in (first, second, third):
        inbound(c, c.opened_at)
    inbound(before, paris(2026, 11, 23, 22))
    inbound(after, after.opened_at)
    Breach.objects.create(
        workspace=acme,
        conversation=before,
        kind="first_response",
        due_at=paris(2026, 11, 23, 21),
        breached_at=paris(2026, 11, 23, 21),
        channel=bsky,
        assignee=bob,
    )
    Breach.objects.create(  # before the period: not reported
        workspace=acme,
        conversation=before,
        kind="resolution",
        due_at=paris(2026, 11, 23, 17, 30),
        breached_at=paris(2026, 11, 23, 17, 30),
        channel=bsky,
    )
    return {"before": before, "first": first, "second": second, "third": third, "after": after}


def test_contents_for_a_member_off_from_18_to_8(
    acme: Workspace, bob: User, night: dict[str, Conversation]
) -> None:
    period = digest.Period(paris(2026, 11, 23, 18), paris(2026, 11, 24, 8))
    content = digest.build(acme, bob, period)
    assert content.new_conversations == 3
    assert content.new_by_channel == [
        ("bluesky: acme.bsky.social", 2),
        ("mastodon: acme@mastodon.example", 1),
    ]
    assert content.new_messages == 4  # three new conversations and one on the older one
    assert [i.conversation_id for i in content.new_top] == [
        night["third"].pk,  # urgent first
        night["first"].pk,
        night["second"].pk,
    ]
    assert content.breached == 1
    assert content.breached_by_kind == {"first_response": 1}
    assert [i.conversation_id for i in content.breached_top] == [night["before"].pk]
    # Waiting for bob, oldest first (those waiting on us before those waiting on the customer).
    assert content.waiting == 3
    assert [i.conversation_id for i in content.waiting_top] == [
        night["first"].pk,
        night["third"].pk,
        night["before"].pk,
    ]
    assert content.waiting_top[0].due_at == paris(2026, 11, 24, 10)


def test_sent_once_per_period_in_app_and_by_email(
    acme: Workspace, alice: User, bob: User, night: dict[str, Conversation]
) -> None:
    assert digest.send_digests(NOW) == 2  # alice and bob both read the inbox
    notice = Notification.objects.get(user=bob, kind="inbox.digest")
    assert notice.text == (
        "While you were off: 3 new conversations, 4 new messages, 1 target breached, "
        "3 conversations waiting for you."
    )
    assert "assignee=me" in notice.url
    alices = Notification.objects.get(user=alice, kind="inbox.digest")
    assert "waiting for you" not in alices.text

    row = Digest.objects.get(user=bob)
    assert (row.period_start, row.period_end) == (paris(2026, 11, 23, 18), paris(2026, 11, 24, 8))
    assert row.summary["new_conversations"] == 3 and row.summary["waiting"] == 3

    email = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    assert email.subject.startswith("[Acme] While you were off: 3 new conversations")
    body = email.body
    assert "from Mon 23 November 18:00 to Tue 24 November 08:00 (Europe/Paris)" in body
    assert "bluesky: acme.bsky.social: 2" in body
    # A customer's newline cannot forge a line of the digest.
    assert "Where is my order? FAKE LINE" in body
    assert "\nFAKE LINE" not in body
    assert "First response was due Mon 23 November 21:00" in body
    assert "due Tue 24 November 10:00" in body
    waiting = body.split("Waiting for you (oldest first): 3")[1]
    assert waiting.index("Where is my order?") < waiting.index("Refund please")
    assert waiting.index("Refund please") < waiting.index("old one")
    assert "just now" not in body  # arrived after 08:00

    # The next runs: nothing more for that period.
    assert digest.send_digests(NOW + timedelta(minutes=15)) == 0
    assert digest.send_digests(NOW + timedelta(minutes=30)) == 0
    assert Digest.objects.count() == 2
    assert Notification.objects.filter(kind="inbox.digest").count() == 2


def test_not_before_the_period_ends_nor_long_after(
    acme: Workspace, bob: User, night: dict[str, Conversation]
) -> None:
    assert digest.send_digests(paris(2026, 11, 24, 7, 55)) == 0
    # At 07:55 the latest period ended yesterday morning, long ago: nothing stale either.
    assert digest.send_digests(paris(2026, 11, 24, 9, 30)) == 0
    assert not Digest.objects.exists() and not mail.outbox


def test_nothing_to_report_sends_nothing(acme: Workspace, alice: User, bob: User) -> None:
    channel = make_channel(acme, "acme.bsky.social")
    conversation(acme, channel, paris(2026, 11, 2), status="closed")
    assert digest.send_digests(NOW) == 0
    assert not Notification.objects.exists() and not mail.outbox and not Digest.objects.exists()


def test_a_member_on_the_rota_gets_it_when_their_shift_starts(
    acme: Workspace, dave: User, night: dict[str, Conversation]
) -> None:
    for day in range(1, 6):
        shift(acme, dave, day, "09:00", "17:00")
    assert digest.send_digests(NOW) == 2  # alice and bob at 08:00; dave's shift starts at 9
    assert not Digest.objects.filter(user=dave).exists()
    assert digest.send_digests(paris(2026, 11, 24, 9, 0)) == 1
    row = Digest.objects.get(user=dave)
    assert (row.period_start, row.period_end) == (paris(2026, 11, 23, 17), paris(2026, 11, 24, 9))
    # From the end of Monday's shift ([17:00, 09:00)): the one that came at 17:00 sharp and
    # the one at 08:01 are in too.
    assert row.summary["new_conversations"] == 5
    assert row.summary["new_by_channel"] == {
        "bluesky: acme.bsky.social": 4,
        "mastodon: acme@mastodon.example": 1,
    }


def test_off_periods_of_a_rota_member(acme: Workspace, dave: User) -> None:
    for day in range(1, 6):
        shift(acme, dave, day, "09:00", "12:00")
        shift(acme, dave, day, "13:00", "17:00")  # lunch is no off period

    def period(now_: object) -> digest.Period | None:
        coverage = Coverage.load(acme, paris(2026, 11, 1), paris(2026, 12, 31))
        return digest.off_period(coverage, dave.pk, now_, on_rota=True)  # type: ignore[arg-type]

    # Monday morning: since Friday evening.
    assert period(paris(2026, 11, 30, 9, 5)) == digest.Period(
        paris(2026, 11, 27, 17), paris(2026, 11, 30, 9)
    )
    # After lunch: still the morning's period, long ended (so not sent again).
    assert period(paris(2026, 12, 1, 13, 5)) == digest.Period(
        paris(2026, 11, 30, 17), paris(2026, 12, 1, 9)
    )
    # An override on Saturday is duty too: Monday's period starts when it ends.
    CoverageOverride.objects.create(
        workspace=acme,
        user=dave,
        starts_at=paris(2026, 11, 28, 10),
        ends_at=paris(2026, 11, 28, 14),
    )
    assert period(paris(2026, 11, 30, 9, 5)) == digest.Period(
        paris(2026, 11, 28, 14), paris(2026, 11, 30, 9)
    )


def test_off_period_without_a_rota_across_the_autumn_change(acme: Workspace, bob: User) -> None:
    coverage = Coverage.load(acme, utc(2026, 10, 20), utc(2026, 10, 30))
    # Sunday 25 October 2026: 18:00 CEST on Saturday is 16:00 UTC, 08:00 CET is 07:00 UTC.
    assert digest.off_period(coverage, bob.pk, utc(2026, 10, 25, 7, 0), on_rota=False) == (
        digest.Period(utc(2026, 10, 24, 16), utc(2026, 10, 25, 7))
    )
    assert digest.off_period(coverage, bob.pk, utc(2026, 10, 25, 6, 59), on_rota=False) == (
        digest.Period(utc(2026, 10, 23, 16), utc(2026, 10, 24, 6))
    )


def test_members_away_get_no_digest(
    acme: Workspace, alice: User, bob: User, night: dict[str, Conversation]
) -> None:
    Absence.objects.create(
        workspace=acme, user=bob, starts_at=paris(2026, 11, 20), ends_at=paris(2026, 11, 30)
    )
    assert digest.send_digests(NOW) == 1
    assert not Notification.objects.filter(user=bob).exists()


def test_in_french_for_a_french_member(
    acme: Workspace, bob: User, night: dict[str, Conversation]
) -> None:
    bob.language = "fr"
    bob.save()
    digest.send_digests(NOW)
    email = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    # Dates are written the French way (Django's own catalogue names days and months) …
    assert "lun 23 novembre 18:00" in email.body
    assert "mar 24 novembre 10:00" in email.body
    # … and every sentence comes from the French catalogue.
    with translation.override("fr"):
        french = translation.gettext("While you were off: %(list)s.")
    assert french != "While you were off: %(list)s."
    notice = Notification.objects.get(user=bob, kind="inbox.digest")
    assert notice.text.startswith(french.split("%(list)s")[0])
    assert "While you were off" not in email.body


def test_the_periodic_task_sends_them(
    acme: Workspace, bob: User, night: dict[str, Conversation]
) -> None:
    with time_machine.travel(NOW, tick=False):
        tasks_coverage.send_inbox_digests.call_local()
    assert Digest.objects.filter(user=bob).exists()


def test_conversations_of_other_workspaces_do_not_show(
    acme: Workspace, globex: Workspace, charlie: User, bob: User, night: dict[str, Conversation]
) -> None:
    digest.send_digests(NOW)
    assert not Notification.objects.filter(user=charlie).exists()
    other = conversation(globex, make_channel(globex, "globex.bsky.social"), utc(2026, 11, 24, 3))
    content = digest.build(
        acme, bob, digest.Period(paris(2026, 11, 23, 18), paris(2026, 11, 24, 8))
    )
    assert other.pk not in [i.conversation_id for i in content.new_top]
    assert content.new_conversations == 3
    assert Conversation.objects.filter(workspace=globex).count() == 1
