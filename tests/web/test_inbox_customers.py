"""A customer's page: the profile, linking the same person's account on another network
(found by handle), unlinking it again, and every conversation across channels."""

from __future__ import annotations

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import Customer, Identity
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox import conftest_actions, conftest_pages
from tests.inbox.conftest_actions import NOW
from tests.inbox.conftest_pages import conversation, minutes
from tests.web.conftest import count, messages_of, text

chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network
clock = conftest_actions.clock


@pytest.fixture
def client(alice: User, acme: Workspace, clock) -> Client:
    return signed_in(alice)


def url(customer: Customer, tail: str = "") -> str:
    return f"/w/acme/inbox/customers/{customer.pk}/{tail}"


@pytest.fixture
def other_channel(acme: Workspace, inbox_network) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="readonly", external_id="ro", handle="@acme_ro"
    )


def test_the_profile_is_edited_and_shows_every_conversation(
    client, chan: Channel, other_channel: Channel
) -> None:
    first = conversation(chan, "Order 1 is late", handle="@dora", at=NOW - minutes(50))
    customer = first.customer
    assert customer is not None
    response = client.post(
        url(customer), {"name": "Dora Explorer", "email": "dora@example.com", "notes": "VIP"}
    )
    assert messages_of(response) == ["Profile saved."]
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.notes) == (
        "Dora Explorer",
        "dora@example.com",
        "VIP",
    )
    bad = client.post(url(customer), {"name": "Dora", "email": "not an address", "notes": ""})
    assert messages_of(bad) == ["“not an address” is not an e-mail address."]

    # Her account on the other network is another customer until linked.
    elsewhere = conversation(
        other_channel, "Me again, elsewhere", handle="@dora_ro", at=NOW - minutes(10)
    )
    found = client.get(url(customer), {"q": "@dora_r"})
    assert count(found, "link-identity") == 1
    identity = Identity.objects.get(handle="@dora_ro")
    linked = client.post(url(customer, "link/"), {"identity": identity.pk, "op": "link"})
    assert messages_of(linked) == ["@dora_ro linked to this customer."]
    elsewhere.refresh_from_db()
    assert elsewhere.customer == customer

    page = client.get(url(customer))
    assert count(page, "identity") == 2
    assert count(page, "conversation-row") == 2
    assert "Order 1 is late" in text(page) and "Me again, elsewhere" in text(page)
    # The conversation's side panel lists the other one too.
    side = text(client.get(f"/w/acme/inbox/{first.pk}/"))
    assert "Other conversations" in side and "Readonlygram" in side

    unlinked = client.post(url(customer, "link/"), {"identity": identity.pk, "op": "unlink"})
    assert messages_of(unlinked) == ["@dora_ro unlinked: it has a profile of its own again."]
    elsewhere.refresh_from_db()
    assert elsewhere.customer != customer
    assert count(client.get(url(customer)), "conversation-row") == 1


def test_an_analyst_reads_the_profile_but_cannot_change_it(
    chan: Channel, acme, make_user, clock
) -> None:
    customer = conversation(chan, "hello", at=NOW - minutes(5)).customer
    assert customer is not None
    ana = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=ana, role=Role.ANALYST)
    client = signed_in(ana)
    page = client.get(url(customer))
    assert page.status_code == 200
    assert "Save profile" not in text(page)
    assert client.post(url(customer), {"name": "Changed"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Changed"


def test_another_workspaces_customer_and_identity_are_not_reachable(
    client, chan: Channel, charlie, globex
) -> None:
    mine = conversation(chan, "hello", at=NOW - minutes(5)).customer
    assert mine is not None
    globex_channel = Channel.objects.create(
        workspace=globex, network="fakeinbox", external_id="g", handle="@globex"
    )
    theirs = conversation(globex_channel, "theirs", handle="@zed", at=NOW - minutes(5))
    assert client.get(f"/w/acme/inbox/customers/{theirs.customer_id}/").status_code == 404
    identity = Identity.objects.get(handle="@zed")
    response = client.post(url(mine, "link/"), {"identity": identity.pk, "op": "link"})
    assert response.status_code == 404
    # Searching by handle finds only Acme's accounts.
    assert count(client.get(url(mine), {"q": "zed"}), "link-identity") == 0
