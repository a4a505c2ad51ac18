"""What the graphics tests share: media kept in a temporary folder, a brand with a logo of
one plain colour (so its pixels can be found in a drawing), and template factories."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from hubbub.accounts.models import User
from hubbub.core.access import Access, access_workspace
from hubbub.core.actions.brand import update_brand
from hubbub.core.models import Workspace
from hubbub.curation.models import GraphicTemplate

PRIMARY = "#1e3a8a"  # dark blue: white text
ACCENT = "#f59e0b"
LOGO = (0, 200, 0)  # a green no brand colour and no text colour uses


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path


@pytest.fixture
def owner(alice: User, acme: Workspace, media_root: Path) -> Access:
    return access_workspace(alice, "acme")


def logo_png(size: tuple[int, int] = (200, 200)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, LOGO).save(out, format="PNG")
    out.seek(0)
    return out


@pytest.fixture
def branded(owner: Access) -> Access:
    update_brand(owner, primary_colour=PRIMARY, accent_colour=ACCENT, logo=logo_png())
    return owner


def make_template(workspace: Workspace, **fields: object) -> GraphicTemplate:
    values: dict[str, object] = {"name": "Quote", "kind": "quote", "defaults": {}}
    values.update(fields)
    return GraphicTemplate.objects.create(workspace=workspace, **values)
