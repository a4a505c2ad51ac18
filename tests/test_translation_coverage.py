"""Every string the code marks for translation is in the French catalogue.

tests/test_translations.py checks the catalogue itself; this one checks it is not stale: a
string added to a template or a view without running scripts/translations would otherwise
show in English on a French page, and no test would notice. It extracts the strings the way
scripts/translations does (Django's makemessages, which needs GNU gettext: scripts/test
installs it), from a copy of the source so that the committed catalogue is left untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hubbub
from tests.test_translations import FIX, PO, parse_po

SOURCE = Path(hubbub.__file__).parent


def _key(msgctxt: str | None, msgid: str) -> str:
    return f"{msgctxt}\x04{msgid}" if msgctxt else msgid


def test_every_marked_string_has_a_french_entry(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext is missing (xgettext): install it with apt-get install gettext; "
            "scripts/test does.",
            pytrace=False,
        )
    copy = tmp_path / "hubbub"
    shutil.copytree(
        SOURCE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "static", "migrations", "*.mo"),
    )
    env = {
        **os.environ,
        "HUBBUB_DATA_DIR": str(tmp_path / "data"),
        "HUBBUB_SECRET_KEY": "coverage-test-only-not-a-real-secret-key-0123456789",
        "DJANGO_SETTINGS_MODULE": "hubbub.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    extracted = parse_po((copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text())
    committed = parse_po(PO.read_text(encoding="utf-8"))
    translated = {_key(e.msgctxt, e.msgid) for e in committed if any(e.msgstr.values())}
    missing = sorted(
        e.msgid for e in extracted if e.msgid and _key(e.msgctxt, e.msgid) not in translated
    )
    assert not missing, f"{len(missing)} strings have no French translation ({FIX}): " + (
        "; ".join(repr(m) for m in missing[:20])
    )
