"""The inbox's commands as an operator runs them: inbox-poll, inbox-backfill, inbox-export and
inbox-check-targets, on the fake paging network of conftest_ingest."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from hubbub.core.models import Workspace
from hubbub.inbox import polling, sla
from hubbub.inbox.models import Breach, Conversation, InboxSource, Message, SourceKind, Status
from hubbub.networks.base import AuthError, TransientError
from hubbub.networks.models import Channel, Health
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, make_channel, published_post, said
from tests.inbox.conftest_pages import conversation

channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored() -> set[str]:
    return set(Message.objects.values_list("external_id", flat=True))


# --- inbox-poll -----------------------------------------------------------------------------


def test_poll_reads_every_due_source_and_sums_it_up(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = [said("@me hi", "m1"), said("@me again", "m2", "dave")]
    network.messages["me"] = [said("a private question", "d1", conversation_id="t1")]

    out, _err = run("inbox-poll", "--workspace", "acme", "--no-progress")

    assert stored() == {"m1", "m2", "d1"}
    lines = out.splitlines()
    assert lines[0].split() == ["channel", "source", "new", "updated", "result"]
    rows = {line.split()[1]: line.split() for line in lines[2:4]}
    assert rows["mentions"][2] == "2" and rows["mentions"][-1] == "read"
    assert rows["direct"][3] == "1"  # "direct messages": new is after the two words
    assert "2 of 2 sources read, 3 new messages" in out
    assert "0 errors." in out


def test_poll_shows_a_progress_bar_on_stderr(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller, capsys
) -> None:
    network.mentions["me"] = [said("@me hi", "m1")]
    call_command("inbox-poll", stdout=io.StringIO())
    bar = capsys.readouterr().err
    assert "2/2" in bar and "source" in bar


def test_poll_reads_only_what_is_due(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = [said("@me hi", "m1")]
    run("inbox-poll", "--no-progress")
    out, _err = run("inbox-poll", "--no-progress")
    assert out.strip() == "Nothing to read: no source is due now."
    clock.shift(timedelta(minutes=1))
    network.mentions["me"].append(said("@me one more", "m2"))
    out, _err = run("inbox-poll", "--no-progress")
    assert "1 new messages" in out
    assert stored() == {"m1", "m2"}


def test_poll_reports_errors_with_what_to_do_and_fails(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    network.mentions["me"] = [said("@me hi", "m1")]
    network.messages["me"] = [said("psst", "d1", conversation_id="t1")]
    network.fail_next("mentions", AuthError("Inboxbook refused the credentials"))

    with pytest.raises(SystemExit) as exit_:
        run("inbox-poll", "--channel", str(channel.pk), "--no-progress")

    assert exit_.value.code == 1
    assert stored() == {"d1"}  # the other source went on


def test_poll_error_lines_say_why_and_what_to_do(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller, capsys
) -> None:
    network.fail_next("mentions", TransientError("Inboxbook is down for maintenance"))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("inbox-poll", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "1 errors." in text
    assert "Errors:" in text
    assert "Inboxbook is down for maintenance" in text
    assert "tries again by itself" in text


def test_poll_of_a_channel_that_needs_reconnecting_says_so(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    Channel.objects.filter(pk=channel.pk).update(health=Health.NEEDS_RECONNECT)
    with pytest.raises(CommandError) as error:
        run("inbox-poll", "--channel", str(channel.pk))
    assert error.value.returncode == 1
    assert "Reconnect it on the Channels page" in str(error.value)


def test_poll_names_the_workspaces_and_channels_there_are(
    channel: Channel, globex: Workspace, clock: time_machine.Traveller
) -> None:
    with pytest.raises(CommandError) as error:
        run("inbox-poll", "--workspace", "nope")
    assert error.value.returncode == 2
    assert str(error.value) == "No workspace 'nope'. Workspaces: acme, globex."

    with pytest.raises(CommandError) as error:
        run("inbox-poll", "--channel", "999")
    assert error.value.returncode == 2
    assert "No channel 999. Give one of these ids:" in str(error.value)
    assert f"{channel.pk}  inboxfake  @me  in acme" in str(error.value)

    with pytest.raises(CommandError) as error:
        run("inbox-poll", "--workspace", "globex", "--channel", str(channel.pk))
    assert f"No channel {channel.pk} in workspace 'globex'" in str(error.value)


# --- inbox-backfill ------------------------------------------------------------------------


def test_backfill_reads_the_last_n_days_even_behind_a_cursor(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    old = said("@me from ten days ago", "old", at=NOW - timedelta(days=10))
    recent = said("@me from yesterday", "new", at=NOW - timedelta(days=1))
    network.mentions["me"] = [old, recent]
    polling.backfill(channel)  # the usual week: the old one is left out, the cursor moves on
    assert stored() == {"new"}

    out, _err = run("inbox-backfill", str(channel.pk), "--days", "14", "--no-progress")

    assert stored() == {"old", "new"}
    assert Message.objects.filter(external_id="new").count() == 1  # nothing twice
    assert "1 new messages" in out


def test_backfill_reads_the_comments_of_posts_of_those_days_then_lets_them_rest(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    published = NOW - timedelta(days=10)
    published_post(channel, "post-10d", published)
    network.comments["post-10d"] = [
        said("nice post", "c1", at=published + timedelta(hours=1), in_reply_to="post-10d")
    ]

    run("inbox-backfill", str(channel.pk), "--days", "14", "--no-progress")

    assert "c1" in stored()
    source = InboxSource.objects.get(channel=channel, kind=SourceKind.COMMENTS)
    # Read once for the backfill; afterwards read for the usual week after publishing
    # (over already), not for 14 days.
    assert source.active_until == published + timedelta(days=7)


def test_backfill_without_days_is_the_usual_backfill(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller, capsys
) -> None:
    network.mentions["me"] = [
        said("@me old", "old", at=NOW - timedelta(days=10)),
        said("@me new", "new", at=NOW - timedelta(days=1)),
    ]
    out = io.StringIO()
    call_command("inbox-backfill", str(channel.pk), stdout=out)
    assert stored() == {"new"}
    assert "source" in capsys.readouterr().err  # the progress bar


def test_backfill_refuses_what_it_cannot_do(
    channel: Channel, acme: Workspace, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    with pytest.raises(CommandError) as error:
        run("inbox-backfill", "12345")
    assert error.value.returncode == 2
    assert "@me" in str(error.value)

    with pytest.raises(CommandError) as error:
        run("inbox-backfill", str(channel.pk), "--days", "0")
    assert error.value.returncode == 2
    assert "from 1 to 90" in str(error.value)

    pins = make_channel(acme, "pins", network="pinterest")
    with pytest.raises(CommandError) as error:
        run("inbox-backfill", str(pins.pk))
    assert error.value.returncode == 1
    assert "Pinterest does not let Hubbub read comments, mentions or direct messages" in str(
        error.value
    )


# --- inbox-export -------------------------------------------------------------------------


@pytest.fixture
def three(channel: Channel) -> list[Conversation]:
    return [
        conversation(channel, "open one", handle="@a", at=NOW - timedelta(hours=3)),
        conversation(channel, "open two", handle="@b", at=NOW - timedelta(hours=2)),
        conversation(
            channel, "closed", handle="@c", at=NOW - timedelta(hours=1), status=Status.CLOSED
        ),
    ]


def test_export_writes_the_open_conversations_to_a_file(
    three: list[Conversation], tmp_path: Path, clock: time_machine.Traveller, capsys
) -> None:
    target = tmp_path / "open.csv"
    call_command("inbox-export", "acme", "--status", "open", "--out", str(target))

    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [r["subject"] for r in rows] == ["open two", "open one"]
    err = capsys.readouterr().err
    assert f"Wrote 2 conversations to {target}." in err
    assert "2/2" in err  # the progress bar, on stderr


def test_export_to_stdout_with_more_filters(
    three: list[Conversation], clock: time_machine.Traveller
) -> None:
    out, err = run("inbox-export", "acme", "--query", "kind=mention&status=closed", "--no-progress")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["subject"] for r in rows] == ["closed"]
    assert "Wrote 1 conversations to standard output." in err


def test_export_says_what_is_wrong(three: list[Conversation], clock: time_machine.Traveller):
    with pytest.raises(CommandError) as error:
        run("inbox-export", "acmee")
    assert error.value.returncode == 2
    assert "Workspaces: acme" in str(error.value)
    with pytest.raises(CommandError) as error:
        run("inbox-export", "acme", "--status", "shut")
    assert "Unknown status 'shut'" in str(error.value)
    with pytest.raises(CommandError) as error:
        run("inbox-export", "acme", "--as", "nobody@example.com")
    assert "No account with the e-mail nobody@example.com" in str(error.value)


def test_export_as_a_member_who_may_not_read_the_inbox_is_refused(
    three: list[Conversation], acme: Workspace, make_user, clock: time_machine.Traveller
) -> None:
    from hubbub.core.models import Membership
    from hubbub.core.roles import Role

    viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    with pytest.raises(CommandError) as error:
        run("inbox-export", "acme", "--as", "client@example.com")
    assert "does not allow inbox.view" in str(error.value)


# --- inbox-check-targets ------------------------------------------------------------------


def test_check_targets_prints_each_warning_and_breach_once(
    channel: Channel, clock: time_machine.Traveller
) -> None:
    sla.policy_for(channel.workspace)  # as ingestion leaves it: warn 15 minutes before
    late = conversation(channel, "late", handle="@late", at=NOW - timedelta(hours=2))
    soon = conversation(channel, "soon", handle="@soon", at=NOW - timedelta(minutes=50))
    Conversation.objects.filter(pk=late.pk).update(first_response_due_at=NOW - timedelta(minutes=5))
    Conversation.objects.filter(pk=soon.pk).update(
        first_response_due_at=NOW + timedelta(minutes=10)
    )

    out, _err = run("inbox-check-targets")

    assert "1 warnings sent, 1 breaches recorded, 0 errors." in out
    lines = {
        line.split()[0]: line for line in out.splitlines() if line.startswith(("breach", "warning"))
    }
    assert str(late.pk) in lines["breach"].split()
    assert "first response" in lines["breach"]
    # due 5 minutes ago, in Paris (UTC+1 in November)
    assert "2026-11-20T12:55+01:00" in lines["breach"]
    assert f"/w/acme/inbox/{late.pk}/" in lines["breach"]
    assert str(soon.pk) in lines["warning"].split()
    assert Breach.objects.count() == 1

    clock.shift(timedelta(minutes=1))
    again, _err = run("inbox-check-targets")
    assert again.strip() == "0 warnings sent, 0 breaches recorded, 0 errors."


def test_a_backfill_counts_the_edits_it_picks_up(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    from dataclasses import replace

    first = said("@me helo", "m1", at=NOW - timedelta(days=1))
    network.mentions["me"] = [first]
    polling.backfill(channel)
    network.mentions["me"] = [replace(first, text="@me hello", edited_at=NOW)]

    out, _err = run("inbox-backfill", str(channel.pk), "--days", "7", "--no-progress")

    assert Message.objects.get(external_id="m1").text == "@me hello"
    row = next(line for line in out.splitlines() if line.startswith("@me") and "mentions" in line)
    assert row.split()[2:4] == ["0", "1"]  # new, updated
    assert "0 new messages, 1 updated" in out
