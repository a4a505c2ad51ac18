"""Instagram Graph API fixtures: answers shaped like the examples of Meta's Content
Publishing guide and IG User / IG Media / IG Container references, with our test account
(linked to the Facebook Page of tests/networks/facebook/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.containers_fixtures import fresh_cache as fresh_cache
from tests.networks.containers_fixtures import media_root as media_root
from tests.networks.containers_fixtures import no_sleep as no_sleep
from tests.networks.facebook.conftest import GRAPH, PAGE_ID

IG_ID = "17841400008460056"
USERNAME = "acmecoffee"
TOKEN = f"EAAGpage-token-{PAGE_ID}"
CONTAINER = "17889455560051444"
MEDIA_ID = "17920238422030506"
PERMALINK = "https://www.instagram.com/p/DCr3dQ7oBhZ/"
MEDIA = f"{GRAPH}/{IG_ID}/media"
PUBLISH = f"{GRAPH}/{IG_ID}/media_publish"
LIMIT = f"{GRAPH}/{IG_ID}/content_publishing_limit"
STATUS = f"{GRAPH}/{CONTAINER}"


def status(code: str, words: str = "") -> dict[str, Any]:
    """GET /{container-id}?fields=status_code,status (IG Container reference)."""
    return {"status_code": code, "status": words or code.title(), "id": CONTAINER}


def quota(used: int, total: int = 100) -> dict[str, Any]:
    """GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config."""
    return {
        "data": [{"quota_usage": used, "config": {"quota_total": total, "quota_duration": 86400}}]
    }


def make_channel(workspace: Workspace) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="instagram",
        external_id=IG_ID,
        handle=f"@{USERNAME}",
        name="Acme Coffee",
        config={"ig_user_id": IG_ID, "page_id": PAGE_ID, "username": USERNAME},
    )
    channel.credentials = {"access_token": TOKEN, "scope": "instagram_content_publish"}
    channel.save()
    return channel


def photo(
    folder: Path, name: str = "latte.jpg", size: tuple[int, int] = (1080, 1080), **kw: Any
) -> MediaFile:
    path = folder / name
    Image.new("RGB", size, (180, 120, 60)).save(path, "JPEG")
    return MediaFile(path, "image/jpeg", path.stat().st_size, width=size[0], height=size[1], **kw)


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["graph.facebook.com"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)
