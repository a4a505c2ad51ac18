"""Mentions from a CSV file: history exported from another monitoring tool, or collected by
hand, brought into a workspace through the same pipeline as what sources find (language,
reposts, sentiment, every query matched).

Columns (the header names them; case and spaces ignored; only `text` is required):

| column | what | default |
|---|---|---|
| text | what was said (or `title` alone, for an article) | — |
| published_at | ISO 8601, or "YYYY-MM-DD HH:MM" in the workspace's time zone | now |
| url | where it is | "" |
| author | the author's handle | "" |
| author_name | the author's display name | "" |
| reach | the author's followers (a whole number) | unknown |
| network | bluesky, x, mastodon, rss, … | the `network` given to import() |
| id | the network's id (a second import stores nothing twice) | url, else text hash |
| title | an article's title | "" |
| language | a two-letter code the network declared | detected |

A row that cannot be used is reported with its line number and why, and the others are
imported. Rows go through the pipeline in batches of BATCH.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.listening.pipeline import Found, Result, process

BATCH = 500
COLUMNS = (
    "text",
    "published_at",
    "url",
    "author",
    "author_name",
    "reach",
    "network",
    "id",
    "title",
    "language",
)


@dataclass
class Imported:
    rows: int = 0
    result: Result = field(default_factory=Result)
    problems: list[str] = field(default_factory=list)  # "line 7: …"


def _when(raw: str, zone: ZoneInfo, line: int) -> datetime:
    value = raw.strip()
    if not value:
        return timezone.now()
    parsed = parse_datetime(value.replace(" ", "T", 1) if len(value) == 16 else value)
    if parsed is None:
        raise ValueError(
            _("line %(line)d: the date “%(value)s” is not ISO 8601 (2026-11-02T09:30:00Z)")
            % {"line": line, "value": value[:40]}
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def rows_of(
    lines: Iterable[str], workspace: Workspace, network: str, imported: Imported
) -> Iterator[Found]:
    reader = csv.DictReader(lines)
    names = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    if "text" not in names and "title" not in names:
        imported.problems.append(
            _("line 1: the header must name a text column (and may name %(others)s)")
            % {"others": ", ".join(COLUMNS[1:])}
        )
        return
    zone = ZoneInfo(workspace.time_zone)
    for line, row in enumerate(reader, start=2):
        imported.rows += 1
        values = {key: (row.get(original) or "") for key, original in names.items()}
        try:
            reach_raw = values.get("reach", "").strip().replace(",", "").replace("\u202f", "")
            if reach_raw and not reach_raw.isdigit():
                raise ValueError(
                    _("line %(line)d: reach “%(value)s” is not a whole number")
                    % {"line": line, "value": reach_raw[:20]}
                )
            text = values.get("text", "")
            if not text.strip() and not values.get("title", "").strip():
                raise ValueError(_("line %(line)d: no text") % {"line": line})
            yield Found(
                network=(values.get("network") or network).strip().lower()[:20] or network,
                external_id=values.get("id", "").strip(),
                text=text,
                published_at=_when(values.get("published_at", ""), zone, line),
                url=values.get("url", "").strip(),
                title=values.get("title", ""),
                author_handle=values.get("author", "").strip(),
                author_name=values.get("author_name", "").strip(),
                author_reach=int(reach_raw) if reach_raw else None,
                language=values.get("language", "").strip().lower()[:2],
            )
        except ValueError as exc:
            imported.problems.append(str(exc))


def import_csv(
    workspace: Workspace,
    content: bytes,
    network: str = "import",
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Import the mentions of a CSV file's bytes (UTF-8, with or without a BOM)."""
    imported = Imported()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        imported.problems.append(
            _("The file is not UTF-8: save it as “CSV UTF-8” and import it again.")
        )
        return imported
    batch: list[Found] = []
    for found in rows_of(io.StringIO(text, newline=""), workspace, network, imported):
        batch.append(found)
        if len(batch) >= BATCH:
            _run(workspace, batch, imported, progress)
    if batch:
        _run(workspace, batch, imported, progress)
    return imported


def _run(
    workspace: Workspace,
    batch: list[Found],
    imported: Imported,
    progress: Callable[[int], None] | None,
) -> None:
    imported.result.add(process(workspace, batch))
    if progress is not None:
        progress(len(batch))
    batch.clear()
