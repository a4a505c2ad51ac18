"""Placeholders in saved replies, and the choice between English and French."""
# ruff: noqa: F811  (fixtures imported from tests.inbox.conftest_actions)

from __future__ import annotations

import pytest

from hubbub.inbox.models import Customer, SavedReply
from hubbub.inbox.saved_replies import language_for, pick_saved_reply, render
from tests.inbox.conftest_actions import (  # noqa: F401  (fixtures)
    chan,
    conversation,
    inbox_network,
)

pytestmark = pytest.mark.django_db


def test_every_placeholder(conversation, alice):
    text = "Hi {first_name} ({name}, {handle}), {agent} here on {channel}."
    assert render(text, conversation, alice) == (
        "Hi Carol (Carol Jones, @carol), Alice Martin here on Fakechat."
    )


def test_unknown_placeholders_and_stray_braces_are_left_as_typed(conversation, alice):
    text = "Order {order_id} for {first_name} {  } {FIRST_NAME} { {} }"
    assert (
        render(text, conversation, alice) == "Order {order_id} for Carol {  } {FIRST_NAME} { {} }"
    )


def test_the_customers_own_name_wins_and_a_rule_speaks_for_the_brand(conversation):
    Customer.objects.filter(pk=conversation.customer_id).update(name="Caroline Smith")
    conversation.customer.refresh_from_db()
    assert render("{first_name} / {name} / {agent}", conversation, None) == (
        "Caroline / Caroline Smith / Acme"
    )


def test_without_an_identity_the_placeholders_are_empty(conversation, alice):
    conversation.identity = None
    conversation.customer = None
    assert render("Hi {first_name}{handle}!", conversation, alice) == "Hi !"


def test_pick_the_customers_language_else_the_other(acme, conversation):
    en = SavedReply.objects.create(workspace=acme, title="Thanks", language="en", text="Thanks")
    assert pick_saved_reply(acme, "Thanks", "fr") == en  # no French one: English
    fr = SavedReply.objects.create(workspace=acme, title="Thanks", language="fr", text="Merci")
    assert pick_saved_reply(acme, "Thanks", "fr-CA") == fr
    assert pick_saved_reply(acme, "Thanks", "en") == en
    assert pick_saved_reply(acme, "Thanks", "") == en  # the workspace's language (en)
    assert pick_saved_reply(acme, "Nope", "en") is None
    conversation.language = "fr"
    assert language_for(conversation) == "fr"
