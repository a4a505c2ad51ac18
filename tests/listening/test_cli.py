"""`hubbub listening-import` and `hubbub listening-read` as people run them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hubbub.core.models import Workspace
from hubbub.listening import pipeline
from hubbub.listening.models import ListeningSource, Mention, MentionMatch, Query

pytestmark = pytest.mark.django_db

CSV = """text,published_at,url,author,reach,network,id,language
"Acme's new blender is great, love it",2026-11-02 09:30,https://bsky.app/p/1,@ann.bsky.social,1200,bluesky,b1,
"La livraison Acme est en retard, inadmissible",2026-11-02T10:00:00Z,,@bea,,mastodon,m1,fr
"Nothing about the brand",2026-11-03 08:00,,@cy,15,bluesky,b2,
"Acme again",yesterday at noon,,@dan,,bluesky,b3,
"Acme",2026-11-04 08:00,,@eve,lots,bluesky,b4,
,2026-11-04 08:00,,@fay,,bluesky,b5,
"""


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()


def run(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return out.getvalue(), err.getvalue(), int(exc.code or 0)
    return out.getvalue(), err.getvalue(), 0


def test_import_stores_matches_and_reports_bad_rows_by_line(
    acme: Workspace, tmp_path: Path
) -> None:
    query = Query.objects.create(workspace=acme, name="Acme", text="acme")
    path = tmp_path / "mentions.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err, status = run("listening-import", str(path), "--workspace", "acme", "--no-progress")
    assert status == 1  # some rows were not used
    assert out.splitlines()[0].split()[:2] == ["rows", "stored"]
    assert out.splitlines()[2].split()[:2] == ["6", "3"]
    assert "line 5: the date “yesterday at noon” is not ISO 8601" in err
    assert "line 6: reach “lots” is not a whole number" in err
    assert "line 7: no text" in err
    stored = {m.external_id: m for m in Mention.objects.all()}
    assert set(stored) == {"b1", "m1", "b2"}
    assert stored["b1"].author_reach == 1200 and stored["b1"].sentiment == "positive"
    assert stored["m1"].network == "mastodon" and stored["m1"].language == "fr"
    assert stored["m1"].sentiment == "negative"
    # "2026-11-02 09:30" is read in the workspace's zone (Paris, UTC+1 in November).
    assert stored["b1"].published_at.isoformat() == "2026-11-02T08:30:00+00:00"
    assert MentionMatch.objects.filter(query=query).count() == 2
    # Importing again stores nothing twice.
    out, _err, _status = run("listening-import", str(path), "--workspace", "acme", "--no-progress")
    assert out.splitlines()[2].split()[:3] == ["6", "0", "3"]
    assert Mention.objects.count() == 3


def test_import_refuses_what_it_cannot_read(acme: Workspace, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\nCafé crème\n".encode("latin-1"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "listening-import",
            str(latin),
            "--workspace",
            "acme",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    headless = tmp_path / "headless.csv"
    headless.write_text("body,when\nhello,now\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "listening-import",
            str(headless),
            "--workspace",
            "acme",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "the header must name a text column" in err.getvalue()
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        call_command("listening-import", str(headless), "--workspace", "nope")
    with pytest.raises(CommandError, match=r"missing\.csv"):
        call_command("listening-import", str(tmp_path / "missing.csv"), "--workspace", "acme")


def test_read_says_what_each_source_did(acme: Workspace) -> None:
    ListeningSource.objects.create(
        workspace=acme, kind="feed", name="Blocked feed", url="http://10.1.2.3/feed.xml"
    )
    out, err, status = run("listening-read", "--all", "--no-progress")
    assert status == 1
    header, _rule, row = out.splitlines()[:3]
    assert header.split() == ["workspace", "source", "network", "new", "matches", "outcome"]
    assert row.split()[0] == "acme" and row.split()[-1] == "error"
    assert "Blocked feed:" in err and "private" in err
    out, _err, status = run("listening-read", "--no-progress")  # backed off: not due
    assert status == 0 and "Nothing to read" in out
    with pytest.raises(CommandError, match="No active source 999"):
        call_command("listening-read", "--source", "999")
