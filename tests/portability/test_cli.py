"""`hubbub export` and `hubbub import` as an operator runs them: separate processes, from one
install's data folder to a new, empty install with its own secret key."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.test_cli import hubbub, query

# Run inside the first install: a workspace with a member, a channel (with a token) and a post.
SETUP = """
import django
django.setup()
from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post
owner = User.objects.create_user("owner@example.com", "a long passphrase for the owner")
workspace = Workspace.objects.create(name="Acme", slug="acme")
Membership.objects.create(workspace=workspace, user=owner, role="owner")
channel = Channel(workspace=workspace, network="bluesky", external_id="did:plc:a", handle="a.test")
channel.credentials = {"app_password": "xxxx-xxxx"}
channel.save()
Post.objects.create(workspace=workspace, author=owner, purpose="Launch day")
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated")
    result = hubbub(path, "migrate")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def install(template: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A new install: the migrated database copied, but not the secret key, so each install
    makes its own on first use, as two machines would."""

    def make(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        for item in template.glob("*.sqlite3"):
            shutil.copy2(item, path / item.name)
        return path

    return make


@pytest.fixture
def first(install: Callable[[str], Path]) -> Path:
    data = install("first")
    made = hubbub(data, "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    return data


def test_a_workspace_moves_to_an_empty_install_with_another_key(
    first: Path, install: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "acme-export"
    exported = hubbub(first, "export", "acme", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "Exported the workspace Acme (acme): " in exported.stdout
    assert "Export: 100%" in exported.stderr  # the progress bar, on stderr
    assert json.loads((out / "manifest.json").read_text())["counts"]["publishing.Post"] == 1

    second = install("second")
    imported = hubbub(second, "import", str(out), "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert (first / "secret_key").read_text() != (second / "secret_key").read_text()
    assert imported.stderr == ""  # --quiet: no bar
    assert "Imported the workspace Acme as 'acme'" in imported.stdout
    assert "marked as needing reconnection: Bluesky a.test." in imported.stdout
    assert query(second, "SELECT purpose FROM publishing_post") == [("Launch day",)]
    assert query(second, "SELECT health FROM networks_channel") == [("needs_reconnect",)]
    assert query(second, "SELECT email FROM accounts_user") == [("owner@example.com",)]

    again = hubbub(second, "import", str(out))
    assert again.returncode == 2
    assert "A workspace 'acme' already exists here" in again.stderr
