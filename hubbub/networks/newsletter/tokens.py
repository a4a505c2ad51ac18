"""Unsubscribe links: the subscriber's id signed with the deployment's secret key.

Nothing is stored: the signature proves the link was made by Hubbub for that subscriber.
The links do not expire (the laws in docs/networks/newsletter.md want them to keep working
for at least 30 days after a mail); changing the deployment's secret key breaks the links in
mails already sent, which docs/networks/newsletter.md warns about.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "hubbub.newsletter.unsubscribe"


def _signer() -> signing.Signer:
    # "." rather than ":" between id and signature: the token sits in a URL path.
    return signing.Signer(salt=_SALT, sep=".")


def make(subscriber_id: int) -> str:
    return _signer().sign(str(subscriber_id))


def read(token: str) -> int | None:
    """The subscriber id a token was made for; None when it was not made by us."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def unsubscribe_url(subscriber_id: int) -> str:
    path = reverse("newsletter:unsubscribe", args=[make(subscriber_id)])
    return f"{settings.BASE_URL}{path}"
