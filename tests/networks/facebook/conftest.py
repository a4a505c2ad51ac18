"""Graph API fixtures for Facebook Pages: answers shaped like the examples of Meta's
references (Pages API "Posts" and "Page Photos", "Long-Lived Access Tokens", /me/accounts
in "Page Access Tokens", "Handling Errors", "Rate Limits"), with our test Page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.facebook.graph import GRAPH_URL
from hubbub.networks.models import Channel
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.recorded import form as form
from tests.networks.recorded import query as query

GRAPH = GRAPH_URL
PAGE_ID = "101234567890123"
PAGE_TOKEN = "EAAGpage-token-acme-coffee"
USER_TOKEN = "EAAGshort-lived-user-token"
LONG_TOKEN = "EAAGlong-lived-user-token"
POST_ID = f"{PAGE_ID}_122100000000000001"
PHOTO_ID = "122100000000000077"
CLIENT_ID = "1234567890123456"
CLIENT_SECRET = "meta-app-secret"


def error(
    message: str, code: int, subcode: int | None = None, kind: str = "OAuthException"
) -> dict[str, Any]:
    """ "Handling Errors", Error Responses."""
    body: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body["fbtrace_id"] = "AbCdEfGhIjK"
    return {"error": body}


REVOKED = error(
    "Error validating access token: The session has been invalidated because the user "
    "changed their password or Facebook has changed the session for security reasons.",
    190,
    460,
)


def buc_usage(owner: str, minutes: int, kind: str = "pages") -> dict[str, str]:
    """ "Rate Limits", Business Use Case Rate Limits: X-Business-Use-Case-Usage."""
    usage = {
        owner: [
            {
                "type": kind,
                "call_count": 100,
                "total_cputime": 28,
                "total_time": 31,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


def page(
    page_id: str = PAGE_ID,
    name: str = "Acme Coffee",
    tasks: tuple[str, ...] = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"),
    **extra: Any,
) -> dict[str, Any]:
    """One entry of GET /me/accounts ("Page Access Tokens", Get Page Access Token)."""
    return {
        "access_token": f"EAAGpage-token-{page_id}",
        "category": "Coffee shop",
        "category_list": [{"id": "128673187201735", "name": "Coffee shop"}],
        "name": name,
        "id": page_id,
        "tasks": list(tasks),
        **extra,
    }


def listing(items: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    """An edge's answer with cursor-based paging ("Pagination")."""
    paging: dict[str, Any] = {"cursors": {"before": "QVFIUbefore", "after": after or "QVFIUend"}}
    if after:
        paging["next"] = f"{GRAPH}/me/accounts?after={after}"
    return {"data": items, "paging": paging}


def multipart(request: httpx.Request) -> dict[str, tuple[str | None, str, bytes]]:
    """Each field of a multipart body: (file name, content type, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    fields: dict[str, tuple[str | None, str, bytes]] = {}
    for item in message.iter_parts():
        name = item.get_param("name", header="content-disposition")
        payload = item.get_payload(decode=True)
        assert isinstance(payload, bytes)
        fields[str(name)] = (item.get_filename(), item.get_content_type(), payload)
    return fields


def make_channel(workspace: Workspace) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="facebook",
        external_id=PAGE_ID,
        handle="@acmecoffee",
        name="Acme Coffee",
        config={"page_id": PAGE_ID},
    )
    channel.credentials = {"access_token": PAGE_TOKEN, "scope": "pages_manage_posts"}
    channel.save()
    return channel


@pytest.fixture
def graph_dns(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["graph.facebook.com"] = [PUBLIC_TEST_ADDRESS]


@pytest.fixture
def router(graph_dns: None) -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)
