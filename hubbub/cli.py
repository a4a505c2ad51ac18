"""The `hubbub` command: Hubbub's own commands plus every Django management command.

hubbub serve        web app on http://127.0.0.1:8000 and the background worker together
hubbub worker       the background worker alone (add more on other machines to scale out)
hubbub migrate      create or update the database
hubbub createadmin  create the first owner account
hubbub check        diagnose the installation, with a fix for each problem
hubbub demo         create demo workspaces for a fictional brand, in English and French
hubbub export WORKSPACE [--out PATH] [--archive]   the workspace's complete data and media
hubbub import PATH [--slug NEW]   restore an export into this install, all or nothing
hubbub inbox-poll   read every due inbox source now [--workspace SLUG] [--channel ID]
hubbub inbox-backfill CHANNEL_ID [--days N]   read a channel's last N days into the inbox
hubbub inbox-export WORKSPACE [--status open] [--out FILE]   conversations as CSV
hubbub inbox-check-targets   check response targets once: warnings and breaches
hubbub listening-read [--workspace SLUG] [--source ID] [--all]   read listening sources now
hubbub listening-import FILE.csv --workspace SLUG   bring mentions in from a CSV file
hubbub sentiment-eval FILE.csv   accuracy and macro-F1 of sentiment on labelled messages
hubbub sentiment-train TRAIN.csv --out FOLDER   train a sentiment model for a language
hubbub suggestions-eval   precision@10 of persona suggestions on the shipped labelled set
"""

from __future__ import annotations

import os
import sys

# Our names for Django management commands whose own names mean something else.
ALIASES = {"check": "doctor", "worker": "run_huey"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubbub.settings")
    from hubbub.config import ConfigError

    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    if len(argv) == 1:
        print(__doc__)
        print("Run `hubbub help` for every Django management command.")
        return
    try:
        import django

        django.setup()
    except ConfigError as exc:
        # One line that names the variable and what it accepts; no traceback.
        print(f"hubbub: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
