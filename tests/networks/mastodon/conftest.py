"""Mastodon test helpers: a mocked server at https://social.example (respx at the one HTTP
seam), answering with recorded bodies unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tests.networks.mastodon import bodies


@pytest.fixture
def server() -> Iterator[respx.MockRouter]:
    """A healthy Mastodon 4 server. Routes are named so tests can read the calls."""
    with respx.mock(base_url=bodies.SERVER, assert_all_called=False) as mock:
        mock.get("/api/v2/instance", name="instance").respond(200, json=bodies.INSTANCE_V2)
        mock.get("/api/v1/instance", name="instance_v1").respond(404, json={"error": "Not found"})
        mock.post("/api/v1/apps", name="apps").respond(200, json=bodies.APP)
        mock.post("/oauth/token", name="token").respond(200, json=bodies.TOKEN)
        mock.get("/api/v1/accounts/verify_credentials", name="verify").respond(
            200, json=bodies.ACCOUNT
        )
        yield mock


def form(request: httpx.Request) -> dict[str, str]:
    """A form-encoded request body as a dict (each field sent exactly once)."""
    parsed = parse_qs(request.content.decode(), keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def query(url: str | httpx.URL) -> dict[str, str]:
    parsed = parse_qs(httpx.URL(str(url)).query.decode(), strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}
