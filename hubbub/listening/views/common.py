"""What listening's pages share: the period picker, the filters' choices, links to the
mentions list filtered, and running an action with its refusal shown to the person."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from hubbub.core.access import Access, ActionError
from hubbub.inbox.models import Sentiment
from hubbub.listening.models import Query, QueryGroup

T = TypeVar("T")

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
NETWORKS = ("bluesky", "mastodon", "x", "rss")


@dataclass(frozen=True)
class Period:
    """The days a page is about: local days first..last, both included."""

    first: date
    last: date
    days: int  # 7, 30 or 90, or 0 for custom dates

    @property
    def span(self) -> int:
        return (self.last - self.first).days + 1


def period_of(params: Mapping[str, str], access: Access) -> Period:
    """period=7|30|90 (the last days up to today), or from/to (custom): today's clock is the
    workspace's. Dates that make no sense fall back to the last DEFAULT_DAYS."""
    today = timezone.now().astimezone(access.workspace.tz).date()
    first, last = _date(params.get("from", "")), _date(params.get("to", ""))
    if params.get("period", "") in ("", "custom") and (first or last):
        last = last or today
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first <= last and (last - first).days < MAX_DAYS:
            return Period(first, last, 0)
    try:
        days = int(params.get("period", "") or DEFAULT_DAYS)
    except ValueError:
        days = DEFAULT_DAYS
    days = days if days in PERIODS else DEFAULT_DAYS
    return Period(today - timedelta(days=days - 1), today, days)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def choices(access: Access) -> dict[str, Any]:
    """What the filters' menus offer."""
    return {
        "queries": list(Query.objects.filter(workspace=access.workspace).order_by("name", "pk")),
        "groups": list(QueryGroup.objects.filter(workspace=access.workspace)),
        "sentiments": Sentiment.choices,
        "languages": sorted({code for code, _name in settings.LANGUAGES} | {"de", "es", "it"}),
        "networks": NETWORKS,
    }


def mentions_url(access: Access, **params: Any) -> str:
    """The mentions list filtered: listening:mentions?<params> (empty values left out)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(v)) for v in values if v not in (None, "")]
    url = reverse("listening:mentions", args=[access.workspace.slug])
    return f"{url}?{urlencode(pairs)}" if pairs else url


def local_iso(moment: datetime, access: Access) -> str:
    return moment.astimezone(access.workspace.tz).isoformat(timespec="seconds")


def web_link(url: str) -> str:
    """A link found on a network, if it is a web address ("" otherwise: never javascript:)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def back(request: HttpRequest, default: str) -> str:
    """Where a form returns: the page it came from (same site only), else `default`."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def done(action: Callable[..., Any], *args: Any) -> bool:
    """Run an action that returns nothing; True once it did (for `attempt`)."""
    action(*args)
    return True


def attempt(request: HttpRequest, action: Callable[[], T]) -> T | None:
    """Run an action; a refusal becomes an error message and None."""
    try:
        return action()
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return None


SENTIMENT_LABELS = {
    "negative": _("Negative"),
    "neutral": _("Neutral"),
    "positive": _("Positive"),
    "": _("Not rated"),
}
