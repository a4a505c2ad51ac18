"""What publishing tells the rest of Hubbub (webhooks out, notifications), without knowing them.

Each is sent after the change is committed, with `delivery` (a Delivery, its post, channel
and workspace loaded) or `post` as keyword arguments. Receivers must not raise: a webhook
endpoint that is down must not undo a publication.
"""

from __future__ import annotations

from django.dispatch import Signal

delivery_published = Signal()  # delivery=
delivery_failed = Signal()  # delivery=   (a retry is coming: transient error, rate limit)
delivery_needs_attention = Signal()  # delivery=   (permanent error, attempts exhausted, late)
post_status_changed = Signal()  # post=, before=, after=
