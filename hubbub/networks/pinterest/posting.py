"""Publishing Pins and reading their analytics (Pinterest API v5: Create Pin, List Pins on
board, Delete Pin, Get Pin analytics).

A Pin is one request: POST /v5/pins with the board, a title (the text's first line, at most
100 characters), the description (the whole text), the link to open (the post's link), the
image's alt text, and the image itself inline (media_source image_base64), so no public
address is needed. Pinterest answers the Pin, whose page is pinterest.com/pin/<id>/.

Idempotency. Create Pin takes no idempotency key: after an unknown outcome, find_published
lists the board's Pins (newest first, GET /v5/boards/{board_id}/pins) and matches the
description among those made since the part was due.

Analytics. GET /v5/pins/{pin_id}/analytics for the last 90 days (the longest window the
endpoint takes), IMPRESSION, SAVE and OUTBOUND_CLICK (clicks to the Pin's link): the
summary of the window, or the sum of its days. Pinterest's analytics lag real time (the
latest days can still be processing), so a new Pin's counts grow for a day or two after
the fact.

Account counts. GET /v5/user_account (user_accounts:read): follower_count, following_count
and pin_count of the account that owns the board. Every board of one account reads the
same counts.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.facebook.reading import parse_time
from hubbub.networks.incoming import AccountMetrics, PostMetrics
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.pinterest import client
from hubbub.networks.pinterest.limits import (
    ANALYTICS_DAYS,
    IMAGE_FORMATS,
    MAX_DESCRIPTION,
    MAX_LINK,
    MAX_TITLE,
)

if TYPE_CHECKING:
    from hubbub.networks.pinterest.connector import PinterestConnector

CLOCK_SKEW = timedelta(minutes=1)
LOOKUP_PAGES = 4
METRICS = "IMPRESSION,SAVE,OUTBOUND_CLICK"
UPLOAD_TIMEOUT = 120.0  # seconds


def pin_url(pin_id: str) -> str:
    return f"https://www.pinterest.com/pin/{pin_id}/"


def title_of(text: str) -> str:
    """The first line that says something, cut to Pinterest's 100 characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1].rstrip() + "…"


def publish(conn: PinterestConnector, part: OutgoingPart) -> PublishedRef:
    check_part(part)
    image = part.media[0]
    body: dict[str, Any] = {
        "board_id": conn.board_id(),
        "title": title_of(part.text),
        "description": part.text,
        "media_source": {
            "source_type": "image_base64",
            "content_type": image.mime_type,
            "data": base64.b64encode(image.path.read_bytes()).decode("ascii"),
        },
    }
    if part.link:
        body["link"] = part.link
    if image.alt_text:
        body["alt_text"] = image.alt_text
    # The image travels inside the request (up to 20 MB, a third more in base64): more
    # time than a plain call's.
    return _ref(conn.call("POST", "pins", json=body, timeout=UPLOAD_TIMEOUT))


def check_part(part: OutgoingPart) -> None:
    """What Pinterest would refuse, refused before anything is sent (check_variant catches
    most of it while composing)."""
    if part.reply_to is not None:
        raise PermanentError(_("A Pin has no replies: Pinterest publishes no threads."))
    images = [m for m in part.media if m.mime_type in IMAGE_FORMATS]
    if len(part.media) != 1 or len(images) != 1:
        raise PermanentError(
            _("A Pin needs exactly one image (JPEG or PNG): Pinterest does not publish text alone.")
        )
    if len(part.text) > MAX_DESCRIPTION:
        raise PermanentError(
            _("A Pin's description is at most %(max)s characters; this one has %(n)s.")
            % {"max": MAX_DESCRIPTION, "n": len(part.text)}
        )
    if len(part.link) > MAX_LINK:
        raise PermanentError(
            _("Pinterest takes links of at most %(max)s characters.") % {"max": MAX_LINK}
        )


def _ref(pin: dict[str, Any]) -> PublishedRef:
    pin_id = str(pin.get("id") or "")
    if not pin_id:
        raise PermanentError(_("Pinterest answered without the id of the Pin it made."))
    return PublishedRef(
        external_id=pin_id,
        url=pin_url(pin_id),
        data={"id": pin_id, "board_id": str(pin.get("board_id") or "")},
    )


def find_published(conn: PinterestConnector, part: OutgoingPart) -> PublishedRef | None:
    wanted = _normal(part.text)
    since = part.not_before - CLOCK_SKEW if part.not_before is not None else None
    for page in conn.pages(
        f"boards/{conn.board_id()}/pins", {"page_size": "25"}, max_pages=LOOKUP_PAGES
    ):
        for pin in page:
            created = parse_time(pin.get("created_at"))
            if since is not None and created is not None and created < since:
                return None  # newest first: the rest is older than the part
            if _normal(pin.get("description")) == wanted:
                return _ref(pin)
    return None


def delete(conn: PinterestConnector, ref: PublishedRef) -> None:
    try:
        conn.call("DELETE", f"pins/{ref.external_id}", expect_body=False)
    except client.Missing:
        return  # already gone: what deleting wanted


def fetch_metrics(conn: PinterestConnector, refs: Iterable[PublishedRef]) -> dict[str, PostMetrics]:
    today = timezone.now().date()
    params = {
        "start_date": (today - timedelta(days=ANALYTICS_DAYS - 1)).isoformat(),
        "end_date": today.isoformat(),
        "metric_types": METRICS,
        "app_types": "ALL",
    }
    found: dict[str, PostMetrics] = {}
    for ref in refs:
        try:
            answer = conn.call("GET", f"pins/{ref.external_id}/analytics", params=params)
        except client.Missing:
            continue  # deleted on Pinterest: left out, the others still count
        values = _totals(answer.get("all"))
        found[ref.external_id] = PostMetrics(
            impressions=values.get("IMPRESSION"),
            saves=values.get("SAVE"),
            clicks=values.get("OUTBOUND_CLICK"),
        )
    return found


def fetch_account_metrics(conn: PinterestConnector) -> AccountMetrics:
    """The account's followers, the accounts it follows and its Pins (GET /v5/user_account)."""
    user = conn.call("GET", "user_account")

    def count(name: str) -> int | None:
        value = user.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return AccountMetrics(
        followers=count("follower_count"),
        following=count("following_count"),
        posts=count("pin_count"),
    )


def _totals(section: Any) -> dict[str, int]:
    """{metric: count} from the summary, else the sum of the days."""
    if not isinstance(section, dict):
        return {}
    summary = section.get("summary_metrics")
    if isinstance(summary, dict) and summary:
        return {str(k): int(v) for k, v in summary.items() if _number(v)}
    totals: dict[str, int] = {}
    for day in section.get("daily_metrics") or ():
        metrics = day.get("metrics") if isinstance(day, dict) else None
        for name, value in (metrics or {}).items():
            if _number(value):
                totals[str(name)] = totals.get(str(name), 0) + int(value)
    return totals


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _normal(text: Any) -> str:
    return " ".join(str(text or "").split())
