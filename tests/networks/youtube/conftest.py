"""YouTube Data API answers shaped like the examples of Google's documentation: the token
endpoint (OAuth 2.0 for Web Server Applications), the channel and video resources, the
resumable upload protocol's Location and 308 Range answers, commentThread resources, and
Google's error object (YouTube Data API "Errors"); with our test channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import respx
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from tests.conftest import PUBLIC_TEST_ADDRESS

API = "https://www.googleapis.com/youtube/v3"
UPLOAD = "https://www.googleapis.com/upload/youtube/v3/videos"
TOKEN_URL = "https://oauth2.googleapis.com/token"
NOW = datetime(2026, 4, 20, 16, 0, tzinfo=UTC)
ACCESS_TOKEN = "ya29.a0AfB_byC-old-access-token"
NEW_ACCESS_TOKEN = "ya29.a0AfB_byD-new-access-token"
REFRESH_TOKEN = "1//04-refresh-token-Cg"
SCOPE = (
    "https://www.googleapis.com/auth/youtube.upload "
    "https://www.googleapis.com/auth/youtube.force-ssl "
    "https://www.googleapis.com/auth/youtube.readonly"
)
CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"  # Google for Developers, the docs' example channel
VIDEO_ID = "Ks-_Mh1QhMc"
# The session URI of the resumable upload guide's example (step 2), for part=snippet,status.
SESSION = f"{UPLOAD}?uploadType=resumable&upload_id=xa298sd_f&part=snippet,status"
CLIP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def token_answer(access: str = ACCESS_TOKEN, refresh: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": access,
        "expires_in": 3599,
        "scope": SCOPE,
        "token_type": "Bearer",
    }
    if refresh:  # the first exchange (access_type=offline); a refresh answer has none
        body["refresh_token"] = REFRESH_TOKEN
    return body


def channel_resource(
    channel_id: str = CHANNEL_ID,
    title: str = "Google for Developers",
    custom: str = "@googledevelopers",
) -> dict[str, Any]:
    return {
        "kind": "youtube#channel",
        "etag": "ZuEBXQPp6ylqc2Xr-cqCa5hzM2w",
        "id": channel_id,
        "snippet": {
            "title": title,
            "description": "Subscribe to join a community of creative developers.",
            "customUrl": custom,
            "publishedAt": "2007-08-23T00:34:43Z",
            "thumbnails": {
                "default": {
                    "url": "https://yt3.ggpht.com/WsXq1Ms1D0Q=s88-c-k-c0x00ffffff-no-rj",
                    "width": 88,
                    "height": 88,
                }
            },
            "country": "US",
        },
    }


def channels(*items: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": "jwOYZmeUGMKO0ik29ByHmM4hP1o",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
    }
    if items:  # a Google account without a channel gets no "items" at all
        body["items"] = list(items)
    return body


def video_resource(upload_status: str = "uploaded", **status: Any) -> dict[str, Any]:
    """What the last chunk of an upload answers: the inserted video resource."""
    return {
        "kind": "youtube#video",
        "etag": "qCHsK8-x8TfXvIuUp5Nnhi5Ydnc",
        "id": VIDEO_ID,
        "snippet": {
            "publishedAt": "2026-04-20T16:00:04Z",
            "channelId": CHANNEL_ID,
            "title": "Hello from Hubbub",
            "description": "Hello from Hubbub",
            "categoryId": "22",
        },
        "status": {
            "uploadStatus": upload_status,
            "privacyStatus": "public",
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "selfDeclaredMadeForKids": False,
            **status,
        },
    }


def error(code: int, reason: str, message: str, domain: str = "youtube.api") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


def thread(comment_id: str, text: str, author: str, author_id: str, at: datetime) -> dict[str, Any]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kind": "youtube#commentThread",
        "etag": "ZtV9xkP3dWHTzKg5Gh3W4lZCEmA",
        "id": comment_id,
        "snippet": {
            "channelId": CHANNEL_ID,
            "videoId": VIDEO_ID,
            "topLevelComment": {
                "kind": "youtube#comment",
                "etag": "9j4GBzR8kdMHdQ8m-Y2VZYKy9O8",
                "id": comment_id,
                "snippet": {
                    "channelId": CHANNEL_ID,
                    "videoId": VIDEO_ID,
                    "textDisplay": text,  # plain, as textFormat=plainText asks
                    "authorDisplayName": f"@{author}",
                    "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{author}=s48-c-k",
                    "authorChannelUrl": f"http://www.youtube.com/@{author}",
                    "authorChannelId": {"value": author_id},
                    "canRate": True,
                    "viewerRating": "none",
                    "likeCount": 0,
                    "publishedAt": stamp,
                    "updatedAt": stamp,
                },
            },
            "canReply": True,
            "totalReplyCount": 0,
            "isPublic": True,
        },
    }


def clip(folder: Path) -> MediaFile:
    path = folder / "launch.mp4"
    path.write_bytes(CLIP)
    return MediaFile(path, "video/mp4", len(CLIP), duration_seconds=5)


def make_channel(workspace: Workspace, **config: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="youtube",
        external_id=CHANNEL_ID,
        handle="@googledevelopers",
        name="Google for Developers",
        profile_url="https://www.youtube.com/@googledevelopers",
        config={"channel_id": CHANNEL_ID, **config},
        # Refreshed half an hour ago: the hour-long access token has 30 minutes left.
        token_expires_at=NOW + timedelta(minutes=30),
    )
    channel.credentials = {
        "access_token": ACCESS_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "scope": SCOPE,
    }
    channel.save()
    return channel


@pytest.fixture(autouse=True)
def network(fake_dns: dict[str, list[str]]) -> Iterator[None]:
    """The network's hosts resolve to a public address, at the recorded answers' time."""
    for host in ("www.googleapis.com", "oauth2.googleapis.com"):
        fake_dns[host] = [PUBLIC_TEST_ADDRESS]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock
