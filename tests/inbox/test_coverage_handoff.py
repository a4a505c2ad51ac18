"""Vacation handoff: when an absence begins, the person's open and pending conversations go
round-robin to whoever is on duty; with nobody on duty they are unassigned and managers told."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail

from hubbub.accounts.models import User
from hubbub.core.models import AuditEntry, Notification, Workspace
from hubbub.inbox import coverage, tasks_coverage
from hubbub.inbox.models import Absence, Conversation
from hubbub.networks.models import Channel
from tests.inbox.conftest_coverage import (  # noqa: F401  (fixtures)
    conversation,
    dave_fixture,
    erin_fixture,
    make_channel,
    paris,
    shift,
)

NOW = paris(2026, 11, 23, 10, 2)  # a Monday morning


def away(workspace: Workspace, user: User, start: int = 10) -> Absence:
    return Absence.objects.create(
        workspace=workspace,
        user=user,
        starts_at=paris(2026, 11, 23, start),
        ends_at=paris(2026, 11, 30),
    )


def alices_conversations(acme: Workspace, alice: User, channel: Channel) -> list[Conversation]:
    """Five open or pending (oldest first), one closed, one of somebody else."""
    mine = [
        conversation(
            acme,
            channel,
            paris(2026, 11, 20, 9) + timedelta(hours=n),
            assignee=alice,
            status="pending" if n == 2 else "open",
        )
        for n in range(5)
    ]
    conversation(acme, channel, paris(2026, 11, 19), assignee=alice, status="closed")
    return mine


def test_round_robin_to_the_people_on_duty(
    acme: Workspace, alice: User, bob: User, dave: User
) -> None:
    for person in (alice, bob, dave):  # alice is on the rota too, but away
        shift(acme, person, 1, "09:00", "17:00")
    channel = make_channel(acme, "acme.bsky.social")
    mine = alices_conversations(acme, alice, channel)
    others = conversation(acme, channel, paris(2026, 11, 20), assignee=dave)
    absence = away(acme, alice)

    assert coverage.hand_off_due(NOW) == 5

    got = {c.pk: c.assignee_id for c in Conversation.objects.filter(pk__in=[c.pk for c in mine])}
    # Oldest first, alternating bob (lower id) and dave; alice herself is skipped.
    assert [got[c.pk] for c in mine] == [bob.pk, dave.pk, bob.pk, dave.pk, bob.pk]
    assert Conversation.objects.filter(assignee=alice).count() == 1  # the closed one stays
    assert Conversation.objects.get(pk=others.pk).assignee == dave
    absence.refresh_from_db()
    assert absence.handed_off_at == NOW and absence.handed_off_count == 5

    # One notice each, with their count, and an e-mail beside it.
    bobs = Notification.objects.get(user=bob)
    daves = Notification.objects.get(user=dave)
    assert bobs.kind == "inbox.handoff"
    assert bobs.text == "Alice Martin is away: 3 conversations were handed over to you."
    assert daves.text == "Alice Martin is away: 2 conversations were handed over to you."
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.com", "dave@example.com"]
    assert not Notification.objects.filter(user=alice).exists()

    # Logged: each conversation's new assignee, by the system, and one summary.
    entries = AuditEntry.objects.filter(action="conversation.assign").order_by("object_id")
    assert [(e.via, e.actor, e.before["assignee"]) for e in entries] == [
        ("system", None, alice.pk)
    ] * 5
    assert {int(e.object_id): e.after["assignee"] for e in entries} == {
        c.pk: got[c.pk] for c in mine
    }
    summary = AuditEntry.objects.get(action="absence.handoff")
    assert summary.after == {"count": 5, "to": {str(bob.pk): 3, str(dave.pk): 2}, "unassigned": 0}


def test_each_absence_is_handed_off_once(acme: Workspace, alice: User, bob: User) -> None:
    shift(acme, bob, 1, "09:00", "17:00")
    channel = make_channel(acme, "acme.bsky.social")
    conversation(acme, channel, paris(2026, 11, 20), assignee=alice)
    absence = away(acme, alice)
    assert coverage.hand_off_due(NOW) == 1
    # A conversation assigned to alice afterwards (by hand) stays with her: no second run.
    conversation(acme, channel, paris(2026, 11, 21), assignee=alice)
    assert coverage.hand_off_due(NOW + timedelta(minutes=5)) == 0
    assert coverage.hand_off(absence, NOW + timedelta(minutes=5)) == 0
    assert Notification.objects.filter(user=bob).count() == 1


def test_nobody_on_duty_leaves_them_unassigned_and_tells_the_managers(
    acme: Workspace, alice: User, bob: User, erin: User
) -> None:
    channel = make_channel(acme, "acme.bsky.social")
    mine = alices_conversations(acme, alice, channel)
    absence = away(acme, alice)
    assert coverage.hand_off(absence, NOW) == 5
    assert not Conversation.objects.filter(pk__in=[c.pk for c in mine], assignee__isnull=False)
    # erin manages Acme; alice (the owner) is the one away; bob (editor) is no manager.
    notice = Notification.objects.get()
    assert notice.user == erin and notice.kind == "inbox.handoff_unassigned"
    assert notice.text == (
        "Alice Martin is away and nobody is on duty: 5 conversations are now unassigned."
    )
    assert "assignee=none" in notice.url
    assert AuditEntry.objects.get(action="absence.handoff").after["unassigned"] == 5


def test_an_absence_not_yet_begun_or_already_over_is_left_alone(
    acme: Workspace, alice: User, bob: User
) -> None:
    shift(acme, bob, 1, "00:00", "00:00")
    channel = make_channel(acme, "acme.bsky.social")
    conversation(acme, channel, paris(2026, 11, 20), assignee=alice)
    later = away(acme, alice, start=11)
    Absence.objects.create(
        workspace=acme, user=alice, starts_at=paris(2026, 11, 1), ends_at=paris(2026, 11, 2)
    )
    assert coverage.hand_off_due(NOW) == 0
    assert Conversation.objects.filter(assignee=alice).count() == 1
    assert coverage.hand_off_due(paris(2026, 11, 23, 11)) == 1
    later.refresh_from_db()
    assert later.handed_off_count == 1


def test_nothing_to_hand_off_still_marks_the_absence(acme: Workspace, alice: User) -> None:
    absence = away(acme, alice)
    assert coverage.hand_off_due(NOW) == 0
    absence.refresh_from_db()
    assert absence.handed_off_at == NOW and absence.handed_off_count == 0
    assert not Notification.objects.exists()


def test_the_periodic_task_hands_off(acme: Workspace, alice: User, bob: User) -> None:
    shift(acme, bob, 1, "09:00", "17:00")
    conversation(acme, make_channel(acme, "acme.bsky.social"), paris(2026, 11, 20), assignee=alice)
    away(acme, alice)
    with time_machine.travel(NOW, tick=False):
        tasks_coverage.hand_off_absences.call_local()
    assert Conversation.objects.get().assignee == bob
