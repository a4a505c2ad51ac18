"""Reading a labelled CSV (text,label,lang) for the sentiment commands, with the errors a
person can act on: `hubbub sentiment-eval` and `hubbub sentiment-train` share it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from hubbub.nlp import evaluation

FAILED = 1


def read_labelled(path: Path) -> evaluation.Read:
    """The file's usable rows and problems, or a CommandError saying what to fix."""
    if not path.is_file():
        raise CommandError(f"{path}: no such file.", returncode=FAILED)
    try:
        return evaluation.read(path)
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path}: not UTF-8 text (byte {exc.start}): save it as a UTF-8 CSV.",
            returncode=FAILED,
        ) from exc
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc}).", returncode=FAILED) from exc
