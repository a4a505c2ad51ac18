"""Media containers, as Meta's Instagram and Threads APIs make posts with images or video.

Both APIs publish such a post in the same steps: create a container (Meta fetches the file
from its public address), poll the container until Meta has processed it, then publish the
container. Only the field names and the words people read differ, so each network describes
itself in a `Containers` and its posting module calls `publish` with its own create and
publish requests.

Waiting. One call polls for a few seconds at most (POLL_DELAYS): images are usually ready at
once. A container still IN_PROGRESS ends the call with a TransientError and a retry_at; the
container id is kept in Django's cache under the part's idempotency key (for 23 hours, inside
the container's own 24), so the retry polls the same container instead of making Meta fetch
and process the file again. Losing the cache (a restart, another worker process with the
default per-process cache) only costs a new container: an unpublished container is never
shown to anyone, so this can never publish twice. A container whose processing failed
(ERROR) is refused for good with Meta's reason: the same file would fail the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError, PermanentError, TransientError
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from hubbub.networks.models import Channel

# Seconds to wait before each status check within one call: a few seconds in all.
POLL_DELAYS = (0.0, 1.0, 2.0, 2.0)
# Media still processing: come back later (each retry polls the same container).
PROCESSING_RETRY = timedelta(minutes=2)
# Kept a little less than a container lives (24 hours, then EXPIRED).
CONTAINER_KEPT = 23 * 60 * 60

sleep = time.sleep  # patched in tests


class Caller(Protocol):
    """A connector: its channel and its authenticated Graph API call (errors classified)."""

    channel: Channel

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Containers:
    """How one network spells its containers, and what it tells people about them."""

    network: str  # the cache key's namespace
    status_field: str  # the container's state: IN_PROGRESS, FINISHED, ERROR, EXPIRED, ...
    reason_field: str  # why processing failed, in the network's words
    still_processing: _StrPromise
    refused: _StrPromise  # with %(why)s: the network's reason
    published_but_missing: _StrPromise

    def publish(
        self,
        conn: Caller,
        part: OutgoingPart,
        *,
        create: Callable[[], str],
        publish: Callable[[str], str],
        find: Callable[[], PublishedRef | None],
    ) -> PublishedRef:
        """Publish `part` through a container: `create` makes one and answers its id,
        `publish` publishes a processed one and answers the post's id, `find` looks for the
        post an earlier attempt published (its answer lost)."""
        key = f"hubbub:{self.network}:container:{conn.channel.pk}:{part.idempotency_key}"
        container = cache.get(key)
        if not isinstance(container, str) or not container:
            container = create()
            cache.set(key, container, CONTAINER_KEPT)
        status, words = self.wait(conn, container)
        if status == "EXPIRED":  # older than 24 hours: start again with a fresh one
            container = create()
            cache.set(key, container, CONTAINER_KEPT)
            status, words = self.wait(conn, container)
        if status == "IN_PROGRESS":
            raise TransientError(
                str(self.still_processing),
                retry_at=timezone.now() + PROCESSING_RETRY,
                network_message=words,
            )
        if status == "ERROR":
            cache.delete(key)
            raise PermanentError(
                str(self.refused) % {"why": words or _("no reason given")},
                network_message=words,
            )
        if status == "PUBLISHED":  # an earlier attempt published it; its answer was lost
            found = find()
            if found is None:
                raise PermanentError(str(self.published_but_missing))
            cache.delete(key)
            return found
        media_id = publish(container)
        cache.delete(key)
        return published_ref(conn, media_id)

    def wait(self, conn: Caller, container: str) -> tuple[str, str]:
        """Poll the container for a few seconds: its status and the network's words."""
        status, words = "IN_PROGRESS", ""
        for delay in POLL_DELAYS:
            if delay:
                sleep(delay)
            answer = conn.call(
                "GET", container, params={"fields": f"{self.status_field},{self.reason_field}"}
            )
            status = str(answer.get(self.status_field) or "")
            words = str(answer.get(self.reason_field) or "")
            if status != "IN_PROGRESS":
                break
        return status, words


def published_ref(conn: Caller, media_id: str) -> PublishedRef:
    """The ref of a just-published post. The publish answer has only the id; the post's
    address (a shortcode) is asked for."""
    try:
        media = conn.call("GET", media_id, params={"fields": "permalink"})
        url = str(media.get("permalink") or "")
    except ConnectorError:
        url = ""  # published all the same: the address is only a convenience
    return PublishedRef(external_id=media_id, url=url, data={"id": media_id})


def normal(text: Any) -> str:
    """Text as compared when looking a post up: whitespace runs made one space."""
    return " ".join(str(text or "").split())
