"""Export then import: the workspace comes back as it was, in an empty database or beside the
original under another short name, with its files, its people and its secrets."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from hubbub.accounts.models import User
from hubbub.core import demo
from hubbub.core.models import ApiToken, AuditEntry, Membership, Workspace
from hubbub.networks.models import Channel, Health
from hubbub.notify.models import Destination
from hubbub.portability import graph
from hubbub.publishing.models import Post, PostMedia
from hubbub.webhooks.models import WebhookEndpoint
from tests.conftest import PASSWORD
from tests.portability.conftest import PNG, enrich, fingerprint, people

NOW = datetime(2026, 6, 3, 15, 0, tzinfo=UTC)  # a Wednesday, as tests/core/test_demo.py


def export(slug: str, out: Path, *extra: str) -> str:
    output = StringIO()
    call_command("export", slug, "--out", str(out), "--quiet", *extra, stdout=output)
    return output.getvalue()


def import_(path: Path, *extra: str) -> str:
    output = StringIO()
    call_command("import", str(path), "--quiet", *extra, stdout=output)
    return output.getvalue()


def media_files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def counts(found: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {label: len(rows) for label, rows in found.items()}


@pytest.fixture
def lumen(
    alice: User,
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> Workspace:
    """The demo's English workspace (publishing, inbox, listening, measure), plus a row of
    each kind the demo does not make (conftest.enrich)."""
    monkeypatch.setattr(demo, "BRANDS", demo.BRANDS[:1])
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [workspace] = demo.create_demo(alice)
    Membership.objects.create(workspace=workspace, user=bob, role="editor")
    enrich(workspace, alice, bob)
    return workspace


def test_export_then_import_into_an_empty_database_reproduces_the_workspace(
    lumen: Workspace, tmp_path: Path, media_root: Path
) -> None:
    before = fingerprint(lumen)
    assert min(len(before[label]) for label in ("publishing.Post", "listening.Mention")) > 100
    assert len(before["measure.PostSnapshot"]) > 100 and len(before["inbox.Message"]) > 10
    emails = list(lumen.memberships.values_list("user__email", flat=True))
    accounts = people(emails)
    credentials = Channel.objects.get(workspace=lumen, handle="acme.test").credentials
    slug = lumen.slug
    files = media_files(media_root / slug)

    said = export(slug, tmp_path / "lumen")
    assert "Exported the workspace Lumen Coffee Roasters (demo)" in said
    manifest = json.loads((tmp_path / "lumen" / "manifest.json").read_text())
    assert manifest["workspace"] == slug and manifest["format_version"] == 1
    assert manifest["counts"][graph.user_label()] == len(emails)
    assert {k: v for k, v in manifest["counts"].items() if k in before} == counts(before)
    assert manifest["media_files"] == len(files) >= 1
    assert (tmp_path / "lumen" / "media" / "2026" / "06" / "picture.png").read_bytes() == PNG

    # An empty install: no workspace, no account, no row of any exported model, no file.
    Workspace.objects.all().delete()
    User.objects.all().delete()
    AuditEntry.objects.all().delete()
    for node in graph.plan():
        assert node.model._base_manager.count() == 0, node.label
    shutil.rmtree(media_root / slug)

    said = import_(tmp_path / "lumen")
    assert f"Imported the workspace Lumen Coffee Roasters (demo) as '{slug}'" in said
    restored = Workspace.objects.get(slug=slug)
    after = fingerprint(restored)
    assert counts(after) == counts(before)
    for label in before:  # every row, field by field, keys compared by what they point to
        assert after[label] == before[label], label
    assert people(emails) == accounts

    # A sample, by meaning.
    first = Post.objects.get(workspace=restored, purpose="Weekly tip")
    assert Post.objects.get(workspace=restored, series=first).purpose == "Weekly tip, week 2"
    assert first.author is not None and first.author.email == "alice@example.com"
    media = PostMedia.objects.get(post=first)
    assert media.path == f"{slug}/2026/06/picture.png"
    assert (media_root / media.path).read_bytes() == PNG
    assert media_files(media_root / slug) == files
    channel = Channel.objects.get(workspace=restored, handle="acme.test")
    assert channel.credentials == credentials and channel.health == Health.OK
    assert authenticate(email="alice@example.com", password=PASSWORD) is not None
    assert authenticate(email="maya.manager@lumen.example", password=demo.DEMO_PASSWORD)
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.fixture
def rich_acme(acme: Workspace, alice: User, bob: User) -> Workspace:
    enrich(acme, alice, bob)
    ApiToken.objects.create(
        workspace=acme, user=alice, name="script", role="analyst", token_hash="a" * 64, hint="hbb_"
    )
    return acme


def test_import_beside_the_original_under_another_slug(
    rich_acme: Workspace, tmp_path: Path, media_root: Path
) -> None:
    export("acme", tmp_path / "acme")
    users = User.objects.count()

    with pytest.raises(CommandError, match=r"A workspace 'acme' already exists here.*--slug"):
        import_(tmp_path / "acme")

    said = import_(tmp_path / "acme", "--slug", "acme-copy")
    copy = Workspace.objects.get(slug="acme-copy")
    assert fingerprint(copy, fresh=False) == fingerprint(rich_acme, fresh=False)
    assert User.objects.count() == users  # the same people, their accounts reused
    assert "already had an account here" in said and "alice@example.com" in said
    # Secret links and tokens are the original's: the copy's are new.
    assert ApiToken.objects.get(workspace=copy).token_hash != "a" * 64
    assert "got a new one" in said
    assert (media_root / "acme-copy" / "2026" / "06" / "picture.png").read_bytes() == PNG
    assert PostMedia.objects.get(post__workspace=copy).path == "acme-copy/2026/06/picture.png"
    # The same install's key reads the secrets.
    assert Channel.objects.get(workspace=copy).credentials == {
        "app_password": "s3cret-app-password"
    }
    assert Destination.objects.get(workspace=copy).config["webhook_url"].startswith("https://")
    assert WebhookEndpoint.objects.get(workspace=copy).secret == "whsec_c2VjcmV0"


def test_secrets_another_key_cannot_read_are_named_and_the_channels_marked(
    rich_acme: Workspace, tmp_path: Path, settings: Any
) -> None:
    export("acme", tmp_path / "acme")
    settings.SECRET_KEY = "another-install-with-another-secret-key-0123456789"

    said = import_(tmp_path / "acme", "--slug", "moved")

    copy = Workspace.objects.get(slug="moved")
    channel = Channel.objects.get(workspace=copy)
    assert channel.health == Health.NEEDS_RECONNECT
    assert "reconnect" in channel.health_message
    assert "marked as needing reconnection: Bluesky acme.test." in said
    assert "Enter the secrets of these again" in said
    assert "destination Team chat" in said and "https://hooks.example/in" in said
    # The ciphertext is kept as it was: the old key, listed in HUBBUB_OLD_SECRET_KEYS, reads it.
    assert channel.credentials_encrypted == (
        Channel.objects.get(workspace=rich_acme).credentials_encrypted
    )


def test_the_export_holds_no_secret_in_clear_text(rich_acme: Workspace, tmp_path: Path) -> None:
    export("acme", tmp_path / "acme")
    text = "".join(p.read_text() for p in (tmp_path / "acme").glob("*.jsonl"))
    assert "s3cret-app-password" not in text
    assert "hooks.slack.test" not in text and "whsec_c2VjcmV0" not in text
    assert "credentials_encrypted" in text


def test_an_archive_round_trips(rich_acme: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "acme.tar.gz"
    said = export("acme", target, "--archive")
    assert str(target) in said and target.is_file()
    with pytest.raises(CommandError, match="already exists"):
        export("acme", target, "--archive")

    import_(target, "--slug", "from-archive")

    copy = Workspace.objects.get(slug="from-archive")
    assert fingerprint(copy, fresh=False) == fingerprint(rich_acme, fresh=False)


def test_export_refuses_a_folder_that_holds_files(rich_acme: Workspace, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="already exists: choose another --out"):
        export("acme", tmp_path / "busy")
    with pytest.raises(CommandError, match=r"No workspace 'nope'\. Workspaces: acme\."):
        export("nope", tmp_path / "nope")


@pytest.mark.django_db(transaction=True)
def test_an_export_outside_any_transaction_reads_one_snapshot(
    acme: Workspace, tmp_path: Path
) -> None:
    """As the command runs it: its own transaction (REPEATABLE READ on PostgreSQL)."""
    from hubbub.portability.export import export_workspace

    manifest = export_workspace(acme, tmp_path / "acme", progress=False)
    assert manifest.counts["core.Membership"] == 2
    assert manifest.counts[graph.user_label()] == 2
