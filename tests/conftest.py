"""Shared fixtures. Test data is built in code and named for what it is (healthchecks'
alice/bob/charlie): alice owns the Acme workspace, bob is an editor there, charlie is a
member of nothing of Acme's but owns Globex."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import translation

from hubbub.accounts.models import User
from hubbub.core import http
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role

pytest_plugins = ["tests.peers.bluesky_net"]

# No DNS here: test host names resolve through this table. Addresses are public ones
# (documentation ranges such as 203.0.113.0/24 are not "global" and would be refused).
FAKE_DNS = {
    "mastodon.example": ["93.184.215.15"],
}
PUBLIC_TEST_ADDRESS = "93.184.215.14"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    table = dict(FAKE_DNS)
    real = http.resolve_host

    def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return table[host]
        if host.endswith((".example", ".example.com", ".test")):
            return [PUBLIC_TEST_ADDRESS]
        if host in ("localhost", "127.0.0.1", "::1"):
            return real(host, port)
        raise socket.gaierror(f"no such host in the test DNS: {host}")

    monkeypatch.setattr(http, "resolve_host", resolve)
    return table


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(email: str, **extra: object) -> User:
        return User.objects.create_user(email, PASSWORD, **extra)

    return make


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user("alice@example.com", full_name="Alice Martin")


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob@example.com", full_name="Bob Durand")


@pytest.fixture
def charlie(make_user: Callable[..., User]) -> User:
    return make_user("charlie@example.com", full_name="Charlie Petit")


@pytest.fixture
def acme(alice: User, bob: User) -> Workspace:
    workspace = Workspace.objects.create(name="Acme", slug="acme", time_zone="Europe/Paris")
    Membership.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    Membership.objects.create(workspace=workspace, user=bob, role=Role.EDITOR)
    return workspace


@pytest.fixture
def globex(charlie: User) -> Workspace:
    workspace = Workspace.objects.create(name="Globex", slug="globex", time_zone="America/New_York")
    Membership.objects.create(workspace=workspace, user=charlie, role=Role.OWNER)
    return workspace


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User, acme: Workspace) -> Client:
    return signed_in(alice)


@pytest.fixture
def private_networks_allowed(settings) -> Iterator[None]:
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True
    yield


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """What one test kept in the cache (a media container still processing, keyed by
    channel id) must not meet another test's channel with the same id; on the PostgreSQL +
    Redis run the cache is Redis, which outlives the test process."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A request the test client served in French leaves French active in the thread (Django
    does not reset it after a response); each test starts in English again."""
    translation.activate("en")
    yield
    translation.deactivate()
