"""A simulated Bluesky AppView (through the PDS) for the reading tests: getPostThread,
listNotifications and getPosts answered from a list of comments or mentions that a test
grows, with the shapes of the app.bsky.* lexicons (app.bsky.feed.defs#threadViewPost,
#postView, #notFoundPost, #blockedPost; app.bsky.notification.listNotifications#notification).

Each route reads the request's parameters (uri, depth, limit, cursor, reasons, uris) the way
the AppView does, so a connector that sends the wrong ones gets a wrong answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import respx

from tests.networks.bluesky.conftest import DID, HANDLE, PDS, xrpc_error

if TYPE_CHECKING:
    from tests.networks.conformance.adapters import Said

THREAD = f"{PDS}/xrpc/app.bsky.feed.getPostThread"
NOTIFICATIONS = f"{PDS}/xrpc/app.bsky.notification.listNotifications"
GET_POSTS = f"{PDS}/xrpc/app.bsky.feed.getPosts"
CID_PREFIX = "bafyreib"


def stamp(when: datetime) -> str:
    """An AT Protocol datetime as the AppView writes it (milliseconds, Z)."""
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def did_of(said: Said) -> str:
    return f"did:plc:fan{said.author_id}"


def handle_of(said: Said) -> str:
    return f"{said.author_handle}.bsky.social"


def uri_of(said: Said) -> str:
    return f"at://{did_of(said)}/app.bsky.feed.post/3kz{said.number:010d}"


def cid_of(said: Said) -> str:
    return f"{CID_PREFIX}{said.number:020d}"


def author(said: Said) -> dict[str, Any]:
    return {
        "did": did_of(said),
        "handle": handle_of(said),
        "displayName": f"Fan {said.author_id}",
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did_of(said)}/bafkrei@jpeg",
        "labels": [],
        "createdAt": "2024-01-01T00:00:00.000Z",
    }


def post_view(
    said: Said, *, root: dict[str, str] | None = None, parent: dict[str, str] | None = None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": said.text,
        "createdAt": stamp(said.at),
        "langs": ["en"],
    }
    if root and parent:
        record["reply"] = {"root": root, "parent": parent}
    return {
        "uri": uri_of(said),
        "cid": cid_of(said),
        "author": author(said),
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": stamp(said.at),
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


def own_post(uri: str, cid: str, text: str = "Hello from Hubbub") -> dict[str, Any]:
    return {
        "uri": uri,
        "cid": cid,
        "author": {"did": DID, "handle": HANDLE, "displayName": "Alice Martin", "labels": []},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2026-03-02T09:30:00.000Z",
        },
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": "2026-03-02T09:30:00.100Z",
        "labels": [],
    }


def thread_node(post: dict[str, Any], replies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, "replies": replies}


def serve_thread(
    router: respx.MockRouter,
    root_uri: str,
    root_cid: str,
    comments: list[Said],
    *,
    extra: list[dict[str, Any]] | None = None,
) -> respx.Route:
    """getPostThread for root_uri: every fourth comment answers the comment before it (a
    conversation under a reply), the others answer the post; `extra` are more top-level
    reply nodes as the test writes them (a #notFoundPost, a #blockedPost, our own reply)."""
    root = {"uri": root_uri, "cid": root_cid}

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if params.get("uri") != root_uri:
            return httpx.Response(
                400, json=xrpc_error("NotFound", f"Post not found: {params.get('uri')}")
            )
        depth = int(params.get("depth", "6"))  # the lexicon's default
        nodes: dict[int, dict[str, Any]] = {}
        top: list[dict[str, Any]] = list(extra or [])
        for said in comments:
            parent_said = next((c for c in comments if c.number == said.number - 1), None)
            if said.number % 4 == 0 and parent_said is not None:
                parent = {"uri": uri_of(parent_said), "cid": cid_of(parent_said)}
                node = thread_node(post_view(said, root=root, parent=parent), [])
                # Newest first, as the AppView sorts a busy thread.
                nodes[parent_said.number]["replies"].insert(0, node)
            else:
                node = thread_node(post_view(said, root=root, parent=root), [])
                top.insert(0, node)
            nodes[said.number] = node
        return httpx.Response(
            200, json={"thread": thread_node(own_post(root_uri, root_cid), _cut(top, depth))}
        )

    return router.get(THREAD).mock(side_effect=answer)


def _cut(replies: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
    if depth <= 0:
        return []
    out = []
    for node in replies:
        node = dict(node)
        if "replies" in node:
            node["replies"] = _cut(node["replies"], depth - 1)
        out.append(node)
    return out


def not_found(uri: str) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}


def blocked(uri: str, did: str) -> dict[str, Any]:
    return {
        "$type": "app.bsky.feed.defs#blockedPost",
        "uri": uri,
        "blocked": True,
        "author": {"did": did, "viewer": {"blockedBy": True}},
    }


REASONS = ("mention", "reply", "quote")


def notification(said: Said, reason: str, target_uri: str, target_cid: str) -> dict[str, Any]:
    view = post_view(said)
    record = view["record"]
    if reason == "reply":
        record["reply"] = {
            "root": {"uri": target_uri, "cid": target_cid},
            "parent": {"uri": target_uri, "cid": target_cid},
        }
    elif reason == "quote":
        record["embed"] = {
            "$type": "app.bsky.embed.record",
            "record": {"uri": target_uri, "cid": target_cid},
        }
    out = {
        "uri": view["uri"],
        "cid": view["cid"],
        "author": view["author"],
        "reason": reason,
        "record": record,
        "isRead": False,
        "indexedAt": view["indexedAt"],
        "labels": [],
    }
    if reason in ("reply", "quote"):
        out["reasonSubject"] = target_uri
    return out


def like(said: Said, target_uri: str) -> dict[str, Any]:
    return {
        "uri": f"at://{did_of(said)}/app.bsky.feed.like/3kl{said.number:010d}",
        "cid": f"bafyreil{said.number:020d}",
        "author": author(said),
        "reason": "like",
        "reasonSubject": target_uri,
        "record": {
            "$type": "app.bsky.feed.like",
            "subject": {"uri": target_uri, "cid": "bafyreisubject"},
            "createdAt": stamp(said.at),
        },
        "isRead": False,
        "indexedAt": stamp(said.at),
        "labels": [],
    }


def reason_of(said: Said) -> str:
    return REASONS[said.number % 3]


def serve_notifications(
    router: respx.MockRouter,
    mentions: list[Said],
    target_uri: str,
    target_cid: str,
    *,
    page_size: int,
) -> respx.Route:
    """listNotifications, newest first: each mention, reply or quote of `mentions`, and a
    like of our post beside every fifth one (left out when `reasons` asks for the others).
    The AppView's cursor is opaque: here the indexedAt and uri of a page's last item; it
    answers a cursor while the page is not empty."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = int(params.get("limit", "50"))
        if not 1 <= limit <= 100:
            return httpx.Response(
                400, json=xrpc_error("InvalidRequest", "limit must be between 1 and 100")
            )
        reasons = params.get_list("reasons")
        items = []
        for said in mentions:
            items.append(notification(said, reason_of(said), target_uri, target_cid))
            if said.number % 5 == 0:
                items.append(like(said, target_uri))
        items = [n for n in items if not reasons or n["reason"] in reasons]
        items.sort(key=lambda n: (n["indexedAt"], n["uri"]), reverse=True)
        if params.get("cursor"):
            at, _sep, uri = params["cursor"].partition("::")
            items = [n for n in items if (n["indexedAt"], n["uri"]) < (at, uri)]
        page = items[: min(limit, page_size)]
        body: dict[str, Any] = {"notifications": page, "priority": False}
        if page:
            body["cursor"] = f"{page[-1]['indexedAt']}::{page[-1]['uri']}"
            body["seenAt"] = "2026-03-02T09:00:00.000Z"
        return httpx.Response(200, json=body)

    return router.get(NOTIFICATIONS).mock(side_effect=answer)


def serve_posts(router: respx.MockRouter, posts: dict[str, dict[str, Any]]) -> respx.Route:
    """getPosts: the views of the uris asked for that exist (a deleted one is left out)."""

    def answer(request: httpx.Request) -> httpx.Response:
        uris = request.url.params.get_list("uris")
        if len(uris) > 25:
            return httpx.Response(
                400, json=xrpc_error("InvalidRequest", "uris must not have more than 25 elements")
            )
        return httpx.Response(200, json={"posts": [posts[u] for u in uris if u in posts]})

    return router.get(GET_POSTS).mock(side_effect=answer)
