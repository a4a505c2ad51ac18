"""/hooks/meta/: the one address Meta's webhooks (Facebook Pages and Instagram) are sent to.

Meta's "Getting Started" with Webhooks: the operator enters this address and a verify token
of their choosing (HUBBUB_META_WEBHOOK_VERIFY_TOKEN) in the app's Webhooks product; Meta
checks the address with a GET carrying hub.mode=subscribe, hub.verify_token and
hub.challenge, and expects the challenge back. Each notification is then a POST whose raw
body is signed with the app secret: X-Hub-Signature-256 is "sha256=" and the hex
HMAC-SHA256 of the body keyed with HUBBUB_META_CLIENT_SECRET. Anything else is refused.

A notification holds entries, each about one Page (object "page") or one Instagram account
(object "instagram"); entry.id is the channel's external_id. Every connected channel of that
account is given the items (the same Page can be connected in several workspaces). One
entry that cannot be used (an account no workspace has, an odd shape, a failing database
write) is logged with its id and raw text and skipped: the others still go through, and Meta
is answered 200 at once so that it does not retry, and eventually disable, the subscription.

Meta retries what was not answered in time: ingestion recognises what it already stored by
the network's id, so a repeat changes nothing. Comments also reach the inbox by polling;
both copies are one message (same ids, see facebook/webhooks.py and instagram/webhooks.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hubbub.inbox.ingest import fit_id, ingest
from hubbub.inbox.models import Identity, InboxSource, SourceKind
from hubbub.networks.facebook import graph
from hubbub.networks.facebook.webhooks import Parsed, page_entry
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.instagram import webhooks as instagram
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models.deliveries import ref_from_json

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# How much of a failing entry's raw text the log keeps (enough to see what Meta sent).
LOGGED_CHARS = 4000
# Meta's challenge is a short number; anything longer is not Meta.
MAX_CHALLENGE = 200

Parser = Callable[[dict[str, Any]], Parsed]
NETWORKS: dict[str, tuple[str, Parser]] = {
    "page": ("facebook", page_entry),
    "instagram": ("instagram", instagram.instagram_entry),
}


@dataclass
class Received:
    entries: int = 0
    used: int = 0  # entries given to at least one channel
    ignored: int = 0  # entries about an account no workspace has connected
    failed: int = 0  # entries that could not be used (logged)
    created: int = 0
    updated: int = 0


@csrf_exempt  # Meta signs the body; it has no CSRF token to send
@require_http_methods(["GET", "POST"])
def meta_hook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return handshake(request)
    body = request.body
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER, "")):
        log.warning("Meta webhook refused: %s missing or wrong", SIGNATURE_HEADER)
        return JsonResponse({"error": "Signature missing or wrong."}, status=403)
    try:
        payload = json.loads(body)
    except ValueError:  # UnicodeDecodeError included
        return JsonResponse(
            {"error": "The body is not JSON: Meta sends a JSON object with object and entry."},
            status=400,
        )
    if not isinstance(payload, dict):
        return JsonResponse(
            {"error": "The body is JSON but not an object with object and entry."}, status=400
        )
    received = receive(payload)
    return JsonResponse(
        {
            "entries": received.entries,
            "used": received.used,
            "ignored": received.ignored,
            "failed": received.failed,
        }
    )


def handshake(request: HttpRequest) -> HttpResponse:
    """Meta's verification request: the challenge back when the verify token is ours."""
    expected = str(getattr(settings, "HUBBUB_META_WEBHOOK_VERIFY_TOKEN", "") or "")
    given = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (
        not expected
        or request.GET.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(expected.encode(), given.encode())
        or not challenge
        or len(challenge) > MAX_CHALLENGE
    ):
        return HttpResponse("Verification refused.", status=403, content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")


def signature_ok(body: bytes, header: str) -> bool:
    """X-Hub-Signature-256 is sha256=<hex HMAC-SHA256 of the raw body, app secret as key>."""
    secret = graph.app_secret()
    if not secret or not header.startswith("sha256="):
        return False  # without the app secret nothing can be told genuine
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def receive(payload: dict[str, Any]) -> Received:
    """Every entry of a verified notification into the inbox of its channels."""
    received = Received()
    known = NETWORKS.get(str(payload.get("object") or ""))
    entries = payload.get("entry") if isinstance(payload.get("entry"), list) else []
    for entry in entries or ():
        received.entries += 1
        entry_id = str(entry.get("id") or "") if isinstance(entry, dict) else ""
        if known is None or not isinstance(entry, dict) or not entry_id:
            received.failed += 1
            _log_failed(payload.get("object"), entry_id, entry, "not an entry Hubbub reads")
            continue
        network, parse = known
        try:
            counted = _entry(network, entry_id, parse(entry), received)
        except Exception as exc:  # one odd entry must not lose the others
            received.failed += 1
            _log_failed(payload.get("object"), entry_id, entry, repr(exc))
            continue
        if counted:
            received.used += 1
        else:
            received.ignored += 1
    return received


def _entry(network: str, entry_id: str, parsed: Parsed, received: Received) -> bool:
    channels = list(
        Channel.objects.connected()
        .filter(network=network, external_id=entry_id)
        .select_related("workspace")
    )
    if not channels:
        log.info("Meta webhook: no connected %s channel is account %s", network, entry_id)
        return False
    for channel in channels:
        for batch in parsed.batches:
            items = [i for i in batch.items if i.deleted or not _own(channel, i)]
            if not items:
                continue
            items = known_authors(channel, items)
            post_ref = known_ref(channel, batch.post_ref) if batch.post_ref else None
            result = ingest(channel, batch.kind, items, post_ref=post_ref)
            received.created += result.created
            received.updated += result.updated
        for mention in parsed.mentions:
            from hubbub.networks.tasks_hooks import instagram_mention

            instagram_mention(channel.pk, mention["media_id"], mention["comment_id"])
    return True


def _own(channel: Channel, item: Incoming) -> bool:
    if channel.network == "instagram":
        return instagram.is_own(channel, item)
    return False  # Facebook: the Page's own comments were left out when parsing


def known_authors(channel: Channel, items: list[Incoming]) -> list[Incoming]:
    """Items whose author the webhook names by id only (Messenger, Instagram Direct) get
    the profile the inbox already has for that id: ingestion takes each batch's author as
    the latest profile, and a placeholder must not replace a name read by polling."""
    nameless = {i.author.external_id for i in items if i.author.external_id and not i.author.name}
    if not nameless:
        return items
    known = {
        identity.external_id: identity
        for identity in Identity.objects.filter(
            workspace_id=channel.workspace_id,
            network=channel.network,
            external_id__in=[fit_id(n) for n in nameless],
        )
    }
    if not known:
        return items
    found: list[Incoming] = []
    for item in items:
        identity = known.get(fit_id(item.author.external_id)) if not item.author.name else None
        if identity is not None:
            author = Author(
                external_id=item.author.external_id,
                handle=identity.handle,
                name=identity.name,
                avatar_url=identity.avatar_url,
                profile_url=identity.profile_url,
                followers_count=identity.followers_count,
            )
            item = dataclasses.replace(item, author=author)
        found.append(item)
    return found


def known_ref(channel: Channel, ref: PublishedRef) -> PublishedRef:
    """The post as polling knows it (its URL, its data), when Hubbub published it and reads
    its comments; else the bare id from the webhook. The thread is the same either way."""
    stored = (
        InboxSource.objects.filter(
            channel=channel, kind=SourceKind.COMMENTS, ref_external_id=fit_id(ref.external_id)
        )
        .values_list("ref_data", flat=True)
        .first()
    )
    if not isinstance(stored, dict):
        return ref
    return ref_from_json({**stored, "external_id": ref.external_id})


def _log_failed(kind: Any, entry_id: str, entry: Any, why: str) -> None:
    # The raw entry is kept in the log for inspection; it holds no token (Meta signs, it
    # does not send credentials).
    try:
        raw = json.dumps(entry, ensure_ascii=False)[:LOGGED_CHARS]
    except (TypeError, ValueError):
        raw = repr(entry)[:LOGGED_CHARS]
    log.warning(
        "Meta webhook entry %s (object %s) could not be used: %s; entry: %s",
        entry_id or "?",
        kind,
        why,
        raw,
    )
