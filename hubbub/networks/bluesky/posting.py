"""Publishing on Bluesky: one part is one app.bsky.feed.post record in the account's repo.

publish: com.atproto.repo.createRecord with a record key we choose from the part's
idempotency key (see tid.py). When the PDS already holds a record under that key (a retry
of a create whose answer was lost), the reference PDS fails the create with HTTP 500
InternalServerError ("There is already a value at key", checked against @atproto/pds in
tests/peers/test_bluesky_publish.py); other servers may answer InvalidSwap or "already
exists". After any such answer we read the record back with getRecord: if it is there, the
part was already published and we return it rather than an error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.bluesky import facets, media, tid
from hubbub.networks.bluesky.xrpc import RecordNotFound
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.bluesky.connector import BlueskyConnector

POST = "app.bsky.feed.post"


def publish(conn: BlueskyConnector, part: OutgoingPart) -> PublishedRef:
    did = conn.credentials()["did"]
    rkey = tid.for_part(part.idempotency_key, part.not_before)
    record = build_record(conn, part)
    body = {"repo": did, "collection": POST, "rkey": rkey, "record": record}
    try:
        out = conn.xrpc("com.atproto.repo.createRecord", post=True, body=body)
    except ConnectorError as exc:
        if not _may_already_exist(exc):
            raise
        existing = get_post(conn, did, rkey)
        if existing is None:
            raise
        return existing
    return published_ref(conn, str(out["uri"]), str(out["cid"]))


def _may_already_exist(error: ConnectorError) -> bool:
    if error.sent or error.status is None:
        return False  # no answer: the dispatcher reconciles with find_published
    said = error.network_message.lower()
    return error.status >= 500 or "already" in said or "swap" in said


LIKE = "app.bsky.feed.like"


def like(conn: BlueskyConnector, ref: PublishedRef) -> None:
    """A like record whose key derives from the liked post's address: liking twice (a retry,
    a double click) targets the same record, which the PDS refuses instead of doubling."""
    did = conn.credentials()["did"]
    subject = strong_ref(conn, ref)
    rkey = tid.for_part(f"like:{subject['uri']}", _LIKE_EPOCH)
    record = {"$type": LIKE, "subject": subject, "createdAt": _now_iso()}
    body = {"repo": did, "collection": LIKE, "rkey": rkey, "record": record}
    try:
        conn.xrpc("com.atproto.repo.createRecord", post=True, body=body)
    except ConnectorError as exc:
        if exc.sent or exc.status is None or "already" not in exc.network_message.lower():
            raise  # anything but "this like exists already"


# Like keys share one fixed second, so a like's key never depends on when it was asked for.
_LIKE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def find_published(conn: BlueskyConnector, part: OutgoingPart) -> PublishedRef | None:
    did = conn.credentials()["did"]
    return get_post(conn, did, tid.for_part(part.idempotency_key, part.not_before))


def delete(conn: BlueskyConnector, ref: PublishedRef) -> None:
    uri = str(ref.data.get("uri") or ref.external_id)
    repo, collection, rkey = split_uri(uri)
    if repo != conn.credentials()["did"]:
        raise PermanentError(
            _("This post belongs to another Bluesky account (%(uri)s): Hubbub cannot delete it.")
            % {"uri": uri}
        )
    # deleteRecord succeeds for a key that holds nothing, so deleting twice is harmless.
    conn.xrpc(
        "com.atproto.repo.deleteRecord",
        post=True,
        body={"repo": repo, "collection": collection, "rkey": rkey},
    )


def get_post(conn: BlueskyConnector, repo: str, rkey: str) -> PublishedRef | None:
    try:
        out = conn.xrpc(
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": POST, "rkey": rkey},
        )
    except RecordNotFound:
        return None
    return published_ref(conn, str(out["uri"]), str(out["cid"]))


def published_ref(conn: BlueskyConnector, uri: str, cid: str) -> PublishedRef:
    _repo, _collection, rkey = split_uri(uri)
    handle = conn.channel.handle or conn.credentials()["did"]
    return PublishedRef(
        external_id=uri,
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        data={"uri": uri, "cid": cid},
    )


def split_uri(uri: str) -> tuple[str, str, str]:
    """at://<did>/<collection>/<rkey> → its three parts."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise PermanentError(
            _("%(uri)s is not the address of a Bluesky post (at://did/collection/key).")
            % {"uri": uri}
        )
    return parts[0], parts[1], parts[2]


def build_record(conn: BlueskyConnector, part: OutgoingPart) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": POST,
        "text": part.text,
        "createdAt": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if part.language:
        record["langs"] = [part.language]
    resolved: dict[str, str | None] = {}

    def resolve(handle: str) -> str | None:
        if handle not in resolved:
            resolved[handle] = resolve_handle(conn, handle)
        return resolved[handle]

    found = facets.facets(part.text, resolve)
    if found:
        record["facets"] = found
    if part.reply_to is not None:
        record["reply"] = {
            "root": strong_ref(conn, part.reply_to.root),
            "parent": strong_ref(conn, part.reply_to.parent),
        }
    if part.media:
        record["embed"] = media.embed(part.media, lambda data, mime: upload_blob(conn, data, mime))
    elif part.link:
        record["embed"] = media.external(part.link)
    return record


def resolve_handle(conn: BlueskyConnector, handle: str) -> str | None:
    """The DID of @handle, or None when no account has it (the mention stays plain text).
    Other failures (the PDS is down) are raised: a retry should find the mention."""
    try:
        out = conn.xrpc("com.atproto.identity.resolveHandle", params={"handle": handle})
    except PermanentError as exc:
        if exc.status == 400:  # InvalidRequest "Unable to resolve handle"
            return None
        raise
    did = out.get("did")
    return str(did) if did else None


def upload_blob(conn: BlueskyConnector, data: bytes, mime_type: str) -> dict[str, Any]:
    out = conn.xrpc("com.atproto.repo.uploadBlob", post=True, content=data, content_type=mime_type)
    blob = out.get("blob")
    if not isinstance(blob, dict):
        raise PermanentError(_("The PDS accepted the file but did not say where it is stored."))
    return blob


def strong_ref(conn: BlueskyConnector, ref: PublishedRef) -> dict[str, str]:
    """{uri, cid} of a post to reply to. A reference without its cid (a post by someone
    else, known by its address only) is completed with getRecord, which the PDS answers for
    other accounts' repositories too (through the AppView)."""
    uri = str(ref.data.get("uri") or ref.external_id)
    cid = str(ref.data.get("cid") or "")
    if not cid:
        repo, collection, rkey = split_uri(uri)
        out = conn.xrpc(
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )
        cid = str(out["cid"])
    return {"uri": uri, "cid": cid}
