"""What the inbox's commands share: finding the workspace or channel named on the command line
(an unknown one is answered with the ones that exist), and printing a plain-text table."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.base import CommandError

from hubbub.core.models import Workspace
from hubbub.core.tables import table
from hubbub.inbox import reading
from hubbub.networks.models import Channel

# Exit statuses: 1 something failed while working, 2 the command line names nothing known.
FAILED = 1
USAGE = 2
LIST_AT_MOST = 30


def workspace_named(slug: str) -> Workspace:
    found = Workspace.objects.filter(slug=slug).first()
    if found is not None:
        return found
    slugs = list(Workspace.objects.order_by("slug").values_list("slug", flat=True))
    if not slugs:
        raise CommandError(f"No workspace '{slug}': there is no workspace yet.", returncode=USAGE)
    shown = ", ".join(slugs[:LIST_AT_MOST]) + (", …" if len(slugs) > LIST_AT_MOST else "")
    raise CommandError(f"No workspace '{slug}'. Workspaces: {shown}.", returncode=USAGE)


def channel_line(channel: Channel) -> str:
    state = "" if channel.is_connected else " (disconnected)"
    return (
        f"  {channel.pk}  {channel.network}  {channel.handle}  in {channel.workspace.slug}{state}"
    )


def channel_numbered(raw: str, workspace: Workspace | None = None) -> Channel:
    """The channel with id `raw` (in `workspace` when given), else a CommandError listing
    the channels there are."""
    channels = Channel.objects.select_related("workspace").order_by("workspace__slug", "pk")
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
    found = channels.filter(pk=int(raw)).first() if raw.strip().isdigit() else None
    if found is not None:
        return found
    where = f" in workspace '{workspace.slug}'" if workspace is not None else ""
    existing = list(channels[: LIST_AT_MOST + 1])
    if not existing:
        raise CommandError(f"No channel {raw}{where}: no channel is connected.", returncode=USAGE)
    lines = [channel_line(c) for c in existing[:LIST_AT_MOST]]
    if len(existing) > LIST_AT_MOST:
        lines.append("  …")
    raise CommandError(
        f"No channel {raw}{where}. Give one of these ids:\n" + "\n".join(lines),
        returncode=USAGE,
    )


def runs_report(runs: Sequence[reading.SourceRun]) -> tuple[str, list[str], bool]:
    """(the table, the error lines with what to do, whether any read failed)."""
    rows = []
    errors = []
    for run in runs:
        source = run.source
        updated = "-" if run.updated is None else str(run.updated)
        if run.error:
            outcome = "error"
        elif run.read:
            outcome = "read"
        else:
            outcome = "skipped (another worker is reading it)"
        rows.append(
            [
                source.channel.handle,
                reading.describe(source),
                str(run.result.created),
                updated,
                outcome,
            ]
        )
        if run.error:
            what = reading.advice(source)
            errors.append(
                f"{source.channel.handle} {reading.describe(source)}: {run.error}"
                + (f"\n    → {what}" if what else "")
            )
    text = table(["channel", "source", "new", "updated", "result"], rows)
    return text, errors, bool(errors)


def summary(runs: Sequence[reading.SourceRun]) -> str:
    read = sum(1 for r in runs if r.read)
    created = sum(r.result.created for r in runs)
    counted = [r.updated for r in runs if r.updated is not None]
    # Edits and deletions are counted once polling reports them (PollResult.updated).
    updated = f", {sum(counted)} updated" if counted else ""
    failed = sum(1 for r in runs if r.error)
    return f"{read} of {len(runs)} sources read, {created} new messages{updated}, {failed} errors."
