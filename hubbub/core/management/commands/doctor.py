"""`hubbub check`: named doctor here because Django already has a `check` command."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hubbub.core.diagnostics import run_all


class Command(BaseCommand):
    help = "Diagnose the installation: database, job queue, secret key, data folder, e-mail."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for finding in run_all():
            mark = (
                "ok  " if finding.ok and not finding.warning else ("warn" if finding.ok else "FAIL")
            )
            style = (
                self.style.SUCCESS
                if mark == "ok  "
                else (self.style.WARNING if finding.ok else self.style.ERROR)
            )
            self.stdout.write(style(f"[{mark}] {finding.name}: {finding.detail}"))
            if finding.fix and (not finding.ok or finding.warning):
                self.stdout.write(f"       fix: {finding.fix}")
            failed += not finding.ok
        if failed:
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Everything Hubbub needs is in place."))
