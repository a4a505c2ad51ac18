"""Linking the same person's identities, unlinking, merging and editing customers."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hubbub.core.access import ActionError
from hubbub.core.models import AuditEntry
from hubbub.inbox import actions
from hubbub.inbox.models import Conversation, Customer, Identity
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    analyst,
    chan,
    editor,
    inbox_network,
    make_conversation,
    member,
    other_conversation,
    owner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(chan):
    """Carol on two accounts, each with a conversation and a customer of its own."""
    a = make_conversation(chan, external_id="m1", author="carol")
    b = make_conversation(chan, external_id="m2", author="carol2")
    assert a.customer_id is not None and b.customer_id is not None
    Customer.objects.filter(pk=a.customer_id).update(name="Carol Jones")
    Customer.objects.filter(pk=b.customer_id).update(email="carol@example.com", notes="VIP")
    return a, b


def test_linking_moves_the_identity_and_its_conversations(owner, two):
    a, b = two
    customer = Customer.objects.get(pk=a.customer_id)
    actions.link_identity(owner, customer, b.identity)
    assert Identity.objects.get(pk=b.identity_id).customer == customer
    assert Conversation.objects.get(pk=b.pk).customer == customer
    # The emptied customer is gone, what it knew kept.
    assert list(Customer.objects.all()) == [customer]
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.notes) == (
        "Carol Jones",
        "carol@example.com",
        "VIP",
    )
    assert AuditEntry.objects.get(action="customer.link").after["removed"] is True


def test_unlinking_gives_a_customer_of_its_own(owner, two):
    a, b = two
    customer = Customer.objects.get(pk=a.customer_id)
    actions.link_identity(owner, customer, b.identity)
    new = actions.unlink_identity(owner, Identity.objects.get(pk=b.identity_id))
    assert new.pk != customer.pk and new.name == "Carol2 Jones"
    assert Conversation.objects.get(pk=b.pk).customer == new
    assert Conversation.objects.get(pk=a.pk).customer == customer
    with pytest.raises(ActionError, match="only one"):
        actions.unlink_identity(owner, Identity.objects.get(pk=b.identity_id))


def test_merging_leaves_no_empty_customer(owner, two):
    a, b = two
    into = Customer.objects.get(pk=a.customer_id)
    actions.merge_customers(owner, into, Customer.objects.get(pk=b.customer_id))
    assert Customer.objects.count() == 1
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {into.pk}
    assert into.identities.count() == 2


def test_update_customer(owner, two):
    a, _b = two
    customer = Customer.objects.get(pk=a.customer_id)
    actions.update_customer(owner, customer, " Carol  Jones ", "carol@example.com", "Prefers DMs")
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("Carol Jones", "Prefers DMs")
    with pytest.raises(ActionError, match="is not an e-mail address"):
        actions.update_customer(owner, customer, "Carol", "carol@", "")
    assert AuditEntry.objects.get(action="customer.update").before["name"] == "Carol Jones"


def test_customers_need_permission_and_the_workspace(analyst, owner, two, other_conversation):
    a, b = two
    customer = Customer.objects.get(pk=a.customer_id)
    with pytest.raises(PermissionDenied):
        actions.link_identity(analyst, customer, b.identity)
    with pytest.raises(PermissionDenied):
        actions.update_customer(analyst, customer, "x", "", "")
    theirs = Customer.objects.get(pk=other_conversation.customer_id)
    with pytest.raises(ActionError, match="another workspace"):
        actions.link_identity(owner, customer, other_conversation.identity)
    with pytest.raises(ActionError, match="another workspace"):
        actions.link_identity(owner, theirs, b.identity)
    with pytest.raises(ActionError, match="another workspace"):
        actions.merge_customers(owner, customer, theirs)
    with pytest.raises(ActionError, match="another workspace"):
        actions.unlink_identity(owner, other_conversation.identity)
    assert Customer.objects.count() == 3
