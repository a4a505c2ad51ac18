"""Alert destination fixtures: the owner's access, and the DNS names of the services."""

from __future__ import annotations

import pytest

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role

SLACK_URL = "https://hooks.slack.com/services/T0ACME001/B0ALERT01/abcdefghijklmnopqrstuvwx"
HOMESERVER = "https://matrix.example.com"
ROOM = "!support:example.com"


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture
def editor(bob: User, acme: Workspace) -> Access:
    return Access(user=bob, workspace=acme, role=Role.EDITOR)


@pytest.fixture(autouse=True)
def service_dns(fake_dns: dict[str, list[str]]) -> dict[str, list[str]]:
    fake_dns["hooks.slack.com"] = ["93.184.215.20"]
    fake_dns["matrix.example.com"] = ["93.184.215.21"]
    fake_dns["matrix.internal"] = ["10.0.0.5"]
    return fake_dns
