"""Response-time targets' periodic job: every minute, warn before breaches and record them
(hubbub.inbox.sla.check_targets). Imported by hubbub.inbox.tasks so Huey registers it."""

from __future__ import annotations

import logging

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.core.models import Workspace
from hubbub.inbox import sla

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("inbox-check-targets")  # one run at a time; the claims make overlaps safe anyway
def check_targets() -> None:
    result = sla.check_targets()
    if result.warned or result.breached or result.errors:
        log.info(
            "targets: %s warned, %s breached, %s errors",
            result.warned,
            result.breached,
            len(result.errors),
        )


@db_task()
def recompute_workspace(workspace_id: int) -> None:
    """After the policy, a holiday or an override changed: move the due times of the
    workspace's open conversations (in the background: there may be many)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        sla.recompute_workspace(workspace)


def targets_changed(workspace: Workspace) -> None:
    """Call inside the transaction that changed the targets; the job runs once it commits."""
    workspace_id = workspace.pk
    transaction.on_commit(lambda: recompute_workspace(workspace_id))
