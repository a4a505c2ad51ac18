"""Bluesky contract fixtures: XRPC answers shaped like those of a real PDS (recorded from
@atproto/pds 0.5 running on this machine, then renamed), and JWTs with chosen claims."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS

PDS = "https://bsky.social"
DID = "did:plc:63ue4vb72q6pq4w6xbkmksaf"
HANDLE = "alice.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
# When the first session's tokens were issued (iat), and when the access token dies (exp).
ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # two hours later, as bsky.social does
AVATAR = "https://cdn.bsky.app/img/avatar/plain/did:plc:63ue4vb72q6pq4w6xbkmksaf/bafkrei@jpeg"


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


def access_jwt(
    *, issued: datetime = ISSUED, expires: datetime = EXPIRES, scope: str = "com.atproto.appPass"
) -> str:
    return jwt(
        {
            "scope": scope,
            "aud": "did:web:bsky.social",
            "sub": DID,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
        }
    )


def refresh_jwt(tag: str = "1") -> str:
    return jwt(
        {
            "scope": "com.atproto.refresh",
            "sub": DID,
            "jti": f"refresh-{tag}",
            "iat": int(ISSUED.timestamp()),
            "exp": int(ISSUED.timestamp()) + 90 * 86400,
        }
    )


def session_output(access: str | None = None, refresh: str | None = None) -> dict[str, Any]:
    return {
        "accessJwt": access or access_jwt(),
        "refreshJwt": refresh or refresh_jwt(),
        "did": DID,
        "handle": HANDLE,
        "email": "alice@example.com",
        "emailConfirmed": True,
        "active": True,
    }


def profile_output(**extra: Any) -> dict[str, Any]:
    return {
        "did": DID,
        "handle": HANDLE,
        "displayName": "Alice Martin",
        "avatar": AVATAR,
        "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False},
        "labels": [],
        "followersCount": 120,
        "followsCount": 80,
        "postsCount": 42,
        **extra,
    }


def xrpc_error(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


@pytest.fixture(autouse=True)
def bsky_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["bsky.social"] = [PUBLIC_TEST_ADDRESS]
    fake_dns["pds.corp.example"] = ["10.0.0.5"]  # a PDS on a private network
    return fake_dns


@pytest.fixture
def xrpc() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    """A connected Bluesky channel of acme, its session fresh until EXPIRES."""
    channel = Channel(
        workspace=acme,
        network="bluesky",
        external_id=DID,
        handle=HANDLE,
        name="Alice",
        config={"pds_url": PDS, "app_password_login": True},
    )
    channel.credentials = {
        "accessJwt": access_jwt(),
        "refreshJwt": refresh_jwt(),
        "did": DID,
        "pds_url": PDS,
        "app_password": APP_PASSWORD,
    }
    channel.save()
    return channel
