"""Tenancy entries for the inbox's settings pages and reports (hubbub/inbox/urls_settings.py),
read by tests/test_tenancy.py: which permission refuses each route, one of each object in
Acme, and what a refused request must leave untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import (
    Absence,
    CoverageOverride,
    Holiday,
    InboxSource,
    ResponsePolicy,
    Rule,
    SavedReply,
    Shift,
    Tag,
    TargetOverride,
    Team,
)
from hubbub.networks.models import Channel

VIEW, CONFIGURE, REPLY, REPORTS = "inbox.view", "inbox.configure", "inbox.reply", "inbox.reports"

WEB: dict[str, dict[str, str]] = {
    # response targets
    "inbox_settings:policy": {"GET": VIEW, "POST": CONFIGURE},
    "inbox_settings:holiday_delete": {"POST": CONFIGURE},
    "inbox_settings:override_delete": {"POST": CONFIGURE},
    "inbox_settings:override_move": {"POST": CONFIGURE},
    # reading: the status is anyone's who reads the inbox; reading now is configuring
    "inbox_settings:sources": {"GET": VIEW},
    "inbox_settings:source_poll": {"POST": CONFIGURE},
    # rules
    "inbox_settings:rules": {"GET": VIEW},
    "inbox_settings:rule_new": {"GET": CONFIGURE, "POST": CONFIGURE},
    "inbox_settings:rule_edit": {"GET": CONFIGURE, "POST": CONFIGURE},
    "inbox_settings:rule_preview": {"POST": CONFIGURE},
    "inbox_settings:rule_row": {"GET": CONFIGURE},
    "inbox_settings:rule_toggle": {"POST": CONFIGURE},
    "inbox_settings:rule_move": {"POST": CONFIGURE},
    "inbox_settings:rule_delete": {"POST": CONFIGURE},
    # saved replies
    "inbox_settings:replies": {"GET": VIEW},
    "inbox_settings:reply_new": {"GET": CONFIGURE, "POST": CONFIGURE},
    "inbox_settings:reply_edit": {"GET": CONFIGURE, "POST": CONFIGURE},
    "inbox_settings:reply_delete": {"POST": CONFIGURE},
    # teams and tags
    "inbox_settings:team": {"GET": VIEW, "POST": CONFIGURE},
    "inbox_settings:team_edit": {"POST": CONFIGURE},
    "inbox_settings:team_delete": {"POST": CONFIGURE},
    "inbox_settings:tag_edit": {"POST": CONFIGURE},
    "inbox_settings:tag_delete": {"POST": CONFIGURE},
    # coverage: anyone who answers records (and removes) their own absence
    "inbox_settings:coverage": {"GET": VIEW, "POST": CONFIGURE},
    "inbox_settings:absence_add": {"POST": REPLY},
    "inbox_settings:absence_delete": {"POST": REPLY},
    "inbox_settings:shift_delete": {"POST": CONFIGURE},
    "inbox_settings:duty_delete": {"POST": CONFIGURE},
    # reports
    "inbox_settings:reports": {"GET": REPORTS},
    "inbox_settings:reports_csv": {"GET": REPORTS},
}

API: dict[tuple[str, str], str] = {}

BODY: dict[str, str] = {}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    policy, _created = ResponsePolicy.objects.get_or_create(workspace=acme)
    later = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    # A source to "Read now", on a network Hubbub does not know: a request that got through
    # would reach no real network (and is refused by the action; the snapshot watches the
    # source's cursor, times and errors).
    reading_channel = Channel.objects.create(
        workspace=acme, network="inboxfake-none", external_id="acme-reading", handle="@acme-r"
    )
    return {
        "source_id": InboxSource.objects.create(
            workspace=acme, channel=reading_channel, kind="mentions", cursor="c1"
        ).pk,
        "holiday_id": Holiday.objects.create(policy=policy, date=date(2030, 12, 25)).pk,
        "override_id": TargetOverride.objects.create(
            policy=policy, kind="message", first_response_minutes=30
        ).pk,
        "rule_id": Rule.objects.create(
            workspace=acme, name="Acme's rule", actions=[{"type": "close_spam"}]
        ).pk,
        "reply_id": SavedReply.objects.create(
            workspace=acme, title="Thanks", language="en", text="Thank you {first_name}!"
        ).pk,
        "team_id": Team.objects.create(workspace=acme, name="Acme support").pk,
        "tag_id": Tag.objects.create(workspace=acme, name="acme-billing").pk,
        "shift_id": Shift.objects.create(
            workspace=acme, user=alice, weekday=1, start=time(9), end=time(17)
        ).pk,
        "duty_id": CoverageOverride.objects.create(
            workspace=acme, user=alice, starts_at=later, ends_at=later.replace(hour=17)
        ).pk,
        "absence_id": Absence.objects.create(
            workspace=acme, user=alice, starts_at=later, ends_at=later.replace(day=14)
        ).pk,
    }


def snapshot() -> dict[str, Any]:
    return {
        "inbox_policies": sorted(
            ResponsePolicy.objects.values_list(
                "pk", "time_zone", "first_response_minutes", "resolution_minutes"
            )
        ),
        "inbox_holidays": sorted(Holiday.objects.values_list("pk", "date", "name")),
        "inbox_target_overrides": sorted(
            TargetOverride.objects.values_list("pk", "position", "first_response_minutes")
        ),
        "inbox_rules": sorted(Rule.objects.values_list("pk", "name", "position", "enabled")),
        "inbox_saved_replies": sorted(SavedReply.objects.values_list("pk", "title", "text")),
        "inbox_teams": sorted(Team.objects.values_list("pk", "name")),
        "inbox_tags": sorted(Tag.objects.values_list("pk", "name", "colour")),
        "inbox_shifts": sorted(Shift.objects.values_list("pk", "user_id", "weekday", "start")),
        "inbox_duty": sorted(CoverageOverride.objects.values_list("pk", "starts_at", "ends_at")),
        "inbox_absences": sorted(Absence.objects.values_list("pk", "starts_at", "ends_at")),
        "inbox_sources": sorted(
            InboxSource.objects.values_list(
                "pk", "cursor", "next_poll_at", "last_polled_at", "last_error", "error_count"
            )
        ),
    }
