"""A simulated Mastodon server for the reading tests: a status's context, the notifications
list and the statuses' counts, answered from a list of comments or mentions that a test
grows, with the shapes of Mastodon's Status, Notification and Context entities (fields as
in tests/networks/mastodon/test_publish.py's recorded STATUS).

The notifications route pages as Mastodon does (app/models/concerns/paginable.rb): max_id
gives the page just older, since_id the newest page above it, min_id the page just above it
(each newest first), limit defaults to 40 and stops at 80, types[] filters, and the Link
header names the next (max_id) and prev (min_id) pages. A connector that sends the wrong
parameter gets the wrong page."""

from __future__ import annotations

import copy
import html
from typing import TYPE_CHECKING, Any

import httpx
import respx

from tests.networks.mastodon import bodies
from tests.networks.mastodon.test_publish import STATUS

if TYPE_CHECKING:
    from tests.networks.conformance.adapters import Said

OTHER_HOST = "other.example"
STATUS_BASE = 113_000_000_000_000_000  # Snowflake ids of 2024 and later are this large
NOTIFICATION_BASE = 4_000


def status_id(said: Said) -> str:
    return str(STATUS_BASE + said.number)


def is_local(said: Said) -> bool:
    return int(said.author_id) % 3 == 0


def acct(said: Said) -> str:
    """As Mastodon writes it: username alone for the server's own accounts."""
    return said.author_handle if is_local(said) else f"{said.author_handle}@{OTHER_HOST}"


def handle(said: Said) -> str:
    """What the connector reports: always with the domain."""
    host = bodies.HOST if is_local(said) else OTHER_HOST
    return f"@{said.author_handle}@{host}"


def account(said: Said) -> dict[str, Any]:
    host = bodies.HOST if is_local(said) else OTHER_HOST
    out = copy.deepcopy(bodies.ACCOUNT)
    out.pop("source", None)
    out.pop("role", None)
    out.update(
        id=said.author_id,
        username=said.author_handle,
        acct=acct(said),
        display_name=f"Fan {said.author_id}",
        url=f"https://{host}/@{said.author_handle}",
        uri=f"https://{host}/users/{said.author_handle}",
        avatar=f"https://{bodies.HOST}/system/cache/accounts/avatars/{said.author_id}.png",
        avatar_static=f"https://{bodies.HOST}/system/cache/accounts/avatars/{said.author_id}.png",
    )
    return out


def status(said: Said, *, in_reply_to: str | None, **extra: Any) -> dict[str, Any]:
    """A status whose HTML says said.text (escaped as Mastodon's formatter does)."""
    sid = status_id(said)
    host = bodies.HOST if is_local(said) else OTHER_HOST
    out = copy.deepcopy(STATUS)
    out.update(
        id=sid,
        created_at=said.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        in_reply_to_id=in_reply_to,
        in_reply_to_account_id=bodies.ACCOUNT["id"] if in_reply_to else None,
        uri=f"https://{host}/users/{said.author_handle}/statuses/{sid}",
        url=f"https://{host}/@{said.author_handle}/{sid}",
        content=f"<p>{html.escape(said.text, quote=False)}</p>",
        application=None,
        account=account(said),
        **extra,
    )
    return out


def serve_context(
    router: respx.MockRouter,
    target_id: str,
    comments: list[Said],
    *,
    own: list[dict[str, Any]] | None = None,
) -> respx.Route:
    """GET /api/v1/statuses/:id/context: no paging, descendants depth first; every fourth
    comment answers the comment before it. `own` are statuses of the channel's account
    (a thread's next parts), which Mastodon lists first among the descendants."""

    def answer(request: httpx.Request) -> httpx.Response:
        children: dict[str, list[dict[str, Any]]] = {}
        numbers = {c.number for c in comments}
        for said in comments:
            parent = (
                status_id_of(said.number - 1)
                if said.number % 4 == 0 and said.number - 1 in numbers
                else target_id
            )
            children.setdefault(parent, []).append(status(said, in_reply_to=parent))

        def walk(parent: str) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for child in children.get(parent, []):
                out.append(child)
                out += walk(str(child["id"]))
            return out

        return httpx.Response(
            200, json={"ancestors": [], "descendants": list(own or []) + walk(target_id)}
        )

    return router.get(f"{bodies.SERVER}/api/v1/statuses/{target_id}/context").mock(
        side_effect=answer
    )


def status_id_of(number: int) -> str:
    return str(STATUS_BASE + number)


def notification_id(said: Said) -> int:
    return NOTIFICATION_BASE + 2 * said.number


def serve_notifications(
    router: respx.MockRouter, mentions: list[Said], *, page_size: int
) -> respx.Route:
    """GET /api/v1/notifications: a mention for each of `mentions`, and a favourite beside
    every fifth one (left out when types[] asks for mentions only)."""

    def everything() -> list[dict[str, Any]]:
        items = []
        for said in mentions:
            created = said.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            items.append(
                {
                    "id": str(notification_id(said)),
                    "type": "mention",
                    "group_key": f"ungrouped-{notification_id(said)}",
                    "created_at": created,
                    "account": account(said),
                    "status": status(said, in_reply_to=None, mentions=[_us()]),
                }
            )
            if said.number % 5 == 0:
                items.append(
                    {
                        "id": str(notification_id(said) + 1),
                        "type": "favourite",
                        "group_key": f"favourite-{notification_id(said) + 1}",
                        "created_at": created,
                        "account": account(said),
                        "status": copy.deepcopy(STATUS),
                    }
                )
        return items

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = min(int(params.get("limit", "40")), 80)
        types = params.get_list("types[]")
        items = [n for n in everything() if not types or n["type"] in types]
        items.sort(key=lambda n: int(n["id"]), reverse=True)
        if params.get("max_id"):
            items = [n for n in items if int(n["id"]) < int(params["max_id"])]
        if params.get("since_id"):
            items = [n for n in items if int(n["id"]) > int(params["since_id"])]
        size = min(limit, page_size)
        if params.get("min_id"):
            above = [n for n in items if int(n["id"]) > int(params["min_id"])]
            page = above[-size:]  # the ones just above min_id, still newest first
        else:
            page = items[:size]
        headers = {}
        if page:
            query = "&".join(f"types%5B%5D={t}" for t in types)
            base = f"{bodies.SERVER}/api/v1/notifications?{query}{'&' if query else ''}"
            headers["Link"] = (
                f'<{base}max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}min_id={page[0]["id"]}>; rel="prev"'
            )
        return httpx.Response(200, json=page, headers=headers)

    return router.get(f"{bodies.SERVER}/api/v1/notifications").mock(side_effect=answer)


def _us() -> dict[str, str]:
    return {
        "id": str(bodies.ACCOUNT["id"]),
        "username": "brand",
        "url": "https://social.example/@brand",
        "acct": "brand",
    }


def serve_statuses(router: respx.MockRouter, statuses: dict[str, dict[str, Any]]) -> respx.Route:
    """GET /api/v1/statuses?id[]=… (Mastodon 4.3): those of the ids that exist, at most 20."""

    def answer(request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("id[]")
        if len(ids) > 20:
            return httpx.Response(422, json={"error": "Validation failed"})
        return httpx.Response(200, json=[statuses[i] for i in ids if i in statuses])

    return router.get(f"{bodies.SERVER}/api/v1/statuses").mock(side_effect=answer)
