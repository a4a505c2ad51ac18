"""`hubbub inbox-export WORKSPACE [--status open] [--out FILE]`: the workspace's conversations
as CSV (the columns of the inbox's "Export CSV": hubbub.inbox.csv_export), to a file or to
standard output, with a progress bar on standard error.

Other filters are given as the inbox list's query string (--query "tag=billing&due=breached").
The export is made as a member (--as, default: the workspace's first owner), who must be
allowed to read the inbox; "assignee=me" means that member.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404, QueryDict
from tqdm import tqdm

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.inbox import csv_export
from hubbub.inbox.management.commands._inbox_cli import FAILED, USAGE, workspace_named
from hubbub.inbox.queries import ORDERS, Filters


class Command(BaseCommand):
    help = "Export a workspace's inbox conversations as CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("workspace", metavar="WORKSPACE", help="The workspace's slug.")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            help="open, pending or closed (repeat, or separate with commas); default: all.",
        )
        parser.add_argument(
            "--query",
            default="",
            help='More filters, as the inbox list\'s address has them: "tag=billing&due=breached".',
        )
        parser.add_argument("--order", default="recent", choices=ORDERS, help="Row order.")
        parser.add_argument("--out", "-o", type=Path, help="File to write (default: stdout).")
        parser.add_argument("--as", dest="email", help="A member's e-mail (default: an owner).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def _access(self, slug: str, email: str | None) -> Access:
        workspace = workspace_named(slug)
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No account with the e-mail {email}.", returncode=USAGE)
        else:
            owner = (
                Membership.objects.filter(workspace=workspace, role=Role.OWNER)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if owner is None:
                raise CommandError(
                    f"Workspace '{slug}' has no owner: give a member with --as EMAIL.",
                    returncode=USAGE,
                )
            user = owner.user
        try:
            return access_workspace(user, workspace.slug, via="cli")
        except Http404:
            raise CommandError(
                f"{user.email} is not a member of the workspace '{slug}'.", returncode=USAGE
            ) from None

    def handle(self, *args: Any, **options: Any) -> None:
        access = self._access(options["workspace"], options["email"])
        query = QueryDict(options["query"], mutable=True)
        for status in options["status"]:
            query.appendlist("status", status)
        try:
            filters = Filters.from_query(query, access.user, strict=True)
            total = csv_export.matching(access, filters, order=options["order"]).count()
            lines = csv_export.export_conversations(access, filters, order=options["order"])
        except ActionError as exc:
            raise CommandError(exc.message, returncode=USAGE) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=FAILED) from None
        out: Path | None = options["out"]
        bar = tqdm(total=total, unit="row", file=sys.stderr, disable=options["no_progress"])
        written = -1  # the header is not a conversation
        try:
            if out is not None:
                try:
                    handle = out.open("w", encoding="utf-8", newline="")
                except OSError as exc:
                    raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
                with handle:
                    for line in lines:
                        handle.write(line)
                        written += 1
                        bar.update(written > 0)
            else:
                for line in lines:
                    self.stdout.write(line, ending="")
                    written += 1
                    bar.update(written > 0)
        finally:
            bar.close()
        where = str(out) if out is not None else "standard output"
        self.stderr.write(f"Wrote {written} conversations to {where}.")
