"""API test helpers: a tiny client that speaks JSON, with a token or a browser session."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.actions.tokens import create_token
from hubbub.core.models import Workspace


class Api:
    """Calls /api/... with JSON bodies; `token` goes in the Authorization header."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = "/api" + path
        if method == "get":
            return self.client.get(url, query, headers=headers)
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            url, data, content_type="application/json", headers=headers
        )

    def get(self, path: str, **query: Any) -> Any:
        return self.call("get", path, **query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.call("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


def make_token(
    user: User, workspace: Workspace, role: str | None = None, name: str = "script"
) -> str:
    access = access_workspace(user, workspace.slug, via="api")
    _token, raw = create_token(access, name, role)
    return raw


def token_api(user: User, workspace: Workspace, role: str | None = None) -> Api:
    return Api(Client(), make_token(user, workspace, role))


def session_api(user: User) -> Api:
    client = Client()
    client.force_login(user)
    return Api(client)


@pytest.fixture
def alice_api(alice: User, acme: Workspace) -> Api:
    return token_api(alice, acme)


@pytest.fixture
def bob_api(bob: User, acme: Workspace) -> Api:
    return token_api(bob, acme)


@pytest.fixture
def anonymous_api(db: None) -> Api:
    return Api(Client())
