"""Fixtures of the networks that publish media through Meta's containers (Instagram and
Threads: hubbub.networks.facebook.containers). Their conftest.py imports them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Kept containers live in Django's cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    """The media store, whose files the network fetches from their public addresses."""
    root = tmp_path / "media"
    (root / "acme").mkdir(parents=True)
    with override_settings(MEDIA_ROOT=root, BASE_URL="https://hubbub.example"):
        yield root


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Polling waits are recorded, not slept."""
    slept: list[float] = []
    monkeypatch.setattr("hubbub.networks.facebook.containers.sleep", slept.append)
    return slept
