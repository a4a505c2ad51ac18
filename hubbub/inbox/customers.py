"""Customer profiles: linking the same person's identities on several networks, unlinking
them, merging two profiles, and editing one.

Ingestion gives each new identity a customer of its own. Linking moves an identity (and
every conversation of it) to another customer; a customer left without any identity is
deleted, after its name, e-mail and notes were kept on the one it joined: no empty
profile stays behind.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.inbox.actions_common import audit, same_workspace
from hubbub.inbox.models import Conversation, Customer, Identity


def _fields(customer: Customer) -> dict[str, Any]:
    return {"name": customer.name, "email": customer.email, "notes": customer.notes}


def _absorb(into: Customer, other: Customer) -> None:
    """Keep what `other` knew that `into` does not, then delete `other` (now empty)."""
    changed = []
    if not into.name and other.name:
        into.name = other.name
        changed.append("name")
    if not into.email and other.email:
        into.email = other.email
        changed.append("email")
    if other.notes.strip() and other.notes.strip() not in into.notes:
        into.notes = "\n\n".join(n for n in (into.notes.strip(), other.notes.strip()) if n)
        changed.append("notes")
    if changed:
        into.save(update_fields=changed)
    other.delete()


def _move(identity: Identity, customer: Customer) -> None:
    identity.customer = customer
    identity.save(update_fields=["customer"])
    Conversation.objects.filter(identity=identity).update(customer=customer)


def link_identity(access: Access, customer: Customer, identity: Identity) -> Customer:
    """`identity` is the same person as `customer`: move it there with its conversations."""
    access.require("inbox.reply")
    same_workspace(access, customer)
    same_workspace(access, identity)
    if identity.customer_id == customer.pk:
        return customer
    with transaction.atomic():
        previous = Customer.objects.select_for_update().get(pk=identity.customer_id)
        _move(identity, customer)
        emptied = not previous.identities.exists()
        audit(
            access,
            "customer.link",
            customer,
            {"customer": previous.pk},
            {"customer": customer.pk, "identity": identity.pk, "removed": emptied},
        )
        if emptied:
            Conversation.objects.filter(customer=previous).update(customer=customer)
            _absorb(customer, previous)
    return customer


def unlink_identity(access: Access, identity: Identity) -> Customer:
    """`identity` is somebody else after all: it gets a new customer of its own."""
    access.require("inbox.reply")
    same_workspace(access, identity)
    with transaction.atomic():
        previous = Customer.objects.select_for_update().get(pk=identity.customer_id)
        if not previous.identities.exclude(pk=identity.pk).exists():
            raise ActionError(_("This identity is the customer's only one: nothing to unlink."))
        customer = Customer.objects.create(
            workspace=access.workspace, name=identity.name or identity.handle
        )
        _move(identity, customer)
        audit(
            access,
            "customer.unlink",
            customer,
            {"customer": previous.pk},
            {"customer": customer.pk, "identity": identity.pk},
        )
    return customer


def merge_customers(access: Access, into: Customer, other: Customer) -> Customer:
    """Two profiles of one person: every identity and conversation of `other` moves to
    `into`, and `other` is deleted."""
    access.require("inbox.reply")
    same_workspace(access, into)
    same_workspace(access, other)
    if into.pk == other.pk:
        return into
    with transaction.atomic():
        moved = list(other.identities.values_list("pk", flat=True))
        Identity.objects.filter(customer=other).update(customer=into)
        Conversation.objects.filter(customer=other).update(customer=into)
        audit(
            access,
            "customer.merge",
            into,
            {"customer": other.pk, **_fields(other)},
            {"customer": into.pk, "identities": moved},
        )
        _absorb(into, other)
    return into


def update_customer(
    access: Access, customer: Customer, name: str, email: str, notes: str
) -> Customer:
    access.require("inbox.reply")
    same_workspace(access, customer)
    name, email = " ".join(name.split()), email.strip()
    if len(name) > 255:
        raise ActionError(_("At most %(max)s characters, please.") % {"max": 255}, field="name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ActionError(
                _("“%(email)s” is not an e-mail address.") % {"email": email}, field="email"
            ) from None
    before = _fields(customer)
    with transaction.atomic():
        customer.name, customer.email, customer.notes = name, email, notes.strip()
        customer.save(update_fields=["name", "email", "notes"])
        audit(access, "customer.update", customer, before, _fields(customer))
    return customer
