"""The public addresses Instagram fetches media from: no sign-in, but a signed token that
names one file under MEDIA_ROOT and dies after 24 hours; PNG images are served as JPEG."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import signing
from django.test import Client
from PIL import Image

from hubbub.networks.instagram import public_media
from hubbub.networks.outgoing import MediaFile
from tests.networks.instagram.conftest import photo

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _path(url: str) -> str:
    assert url.startswith("https://hubbub.example/m/")
    return url.removeprefix("https://hubbub.example")


def test_a_jpeg_is_served_as_it_is_to_anyone(media_root: Path) -> None:
    latte = photo(media_root / "acme")
    with time_machine.travel(NOW, tick=False):
        url = public_media.public_url(latte)
        response = Client().get(_path(url))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == latte.path.read_bytes()  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "private, no-store"


def test_a_png_is_served_as_a_jpeg(media_root: Path) -> None:
    path = media_root / "acme" / "square.png"
    Image.new("RGB", (100, 100), (0, 200, 0)).save(path)
    url = public_media.public_url(MediaFile(path, "image/png", path.stat().st_size))

    response = Client().get(_path(url))

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as served:
        assert served.format == "JPEG" and served.size == (100, 100)


def test_the_address_dies_after_a_day(media_root: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        url = public_media.public_url(photo(media_root / "acme"))
    with time_machine.travel(NOW + timedelta(hours=24, seconds=1), tick=False):
        response = Client().get(_path(url))

    assert response.status_code == 404


@pytest.mark.parametrize("stored", ["../outside.jpg", "/etc/hostname"])
def test_nothing_outside_the_media_folder_is_served(media_root: Path, stored: str) -> None:
    (media_root.parent / "outside.jpg").write_bytes(b"secret")
    token = signing.dumps({"p": stored, "j": False}, salt=public_media.SALT, compress=True)

    assert Client().get(f"/m/{token}/").status_code == 404


def test_a_forged_token_is_refused(media_root: Path) -> None:
    token = signing.dumps({"p": "acme/latte.jpg", "j": False}, salt="another-salt")
    photo(media_root / "acme")

    assert Client().get(f"/m/{token}/").status_code == 404
    assert Client().get("/m/acme%2Flatte.jpg/").status_code == 404
