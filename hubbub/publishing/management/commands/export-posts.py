"""`hubbub export-posts <workspace> --as <email> [-o file.csv]`: the schedule as CSV, with the
import's columns (so the file re-imports) plus status, published link and post id."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from hubbub.accounts.models import User
from hubbub.core.access import ActionError, access_workspace
from hubbub.publishing import calendar as cal
from hubbub.publishing import csv_io


class Command(BaseCommand):
    help = "Export a workspace's posts as CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("workspace", help="The workspace's slug.")
        parser.add_argument("--as", dest="email", required=True, help="A member's e-mail.")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")
        parser.add_argument("--start", type=date.fromisoformat, help="First day (YYYY-MM-DD).")
        parser.add_argument("--end", type=date.fromisoformat, help="Last day, included.")
        parser.add_argument("--status", default="", help="Only posts with this status.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {options['email']}.")
        try:
            access = access_workspace(user, options["workspace"], via="cli")
        except Http404:
            raise CommandError(
                f"{user.email} is not a member of a workspace '{options['workspace']}'."
            ) from None
        tz = access.workspace.tz
        start = cal.day_start(options["start"], tz) if options["start"] else None
        end = cal.day_start(options["end"] + timedelta(days=1), tz) if options["end"] else None
        try:
            body = csv_io.export_csv(access, cal.Filters(status=options["status"]), start, end)
        except (ActionError, PermissionDenied) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        if options["output"]:
            options["output"].write_text(body, encoding="utf-8")
            self.stderr.write(f"Wrote {body.count(chr(10)) - 1} rows to {options['output']}.")
        else:
            self.stdout.write(body, ending="")
