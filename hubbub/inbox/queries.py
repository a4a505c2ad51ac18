"""The inbox's list: filters, orders, full-text search and keyset pages, shared by the web
list (hubbub.inbox.views), saved views, the API (hubbub.api.routers.inbox) and the bench.

A filter is a query string the person can bookmark or save as a view
(`status=open&assignee=me&tag=billing&q="late delivery"`): `Filters.from_query` reads it and
`Filters.to_query` writes it back. `conversations()` turns filters into one query, scoped to
the caller's workspace, whose shape the indexes of migrations 0001-0003 serve; `page()`
cuts it into keyset pages (no OFFSET: page 400 costs what page 1 costs), reading a page's
ids first and its rows after, and for a search looking through the list by chunks
(hubbub.inbox.search.first_matching) — see bench/inbox_bench.py for what each is worth.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, DateTimeField, F, Q, QuerySet, When
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.inbox import search
from hubbub.inbox.models import Conversation, Kind, Priority, Sentiment, Status

ORDERS = ("recent", "oldest", "due")
DUE = ("breached", "soon", "any")
SOON = timedelta(hours=1)  # "due soon": the next target falls within the hour
MAX_LIMIT = 200

_LIST_FIELDS = ("status", "channel", "kind", "tag", "priority", "sentiment", "language")


def _ints(values: list[str], name: str, errors: list[tuple[str, str]]) -> list[int]:
    out = []
    for value in values:
        if value.strip().isdigit():
            out.append(int(value))
        else:
            errors.append((name, _("'%(value)s' is not a number.") % {"value": value}))
    return out


def _choices(
    values: list[str], allowed: list[str], name: str, errors: list[tuple[str, str]]
) -> list[str]:
    out = []
    for value in values:
        if value in allowed:
            out.append(value)
        else:
            errors.append(
                (
                    name,
                    _("Unknown %(name)s '%(value)s': use one of %(allowed)s.")
                    % {"name": name, "value": value, "allowed": ", ".join(allowed)},
                )
            )
    return out


def _getlist(query: Mapping[str, Any], name: str) -> list[str]:
    """Every value of `name`: repeated (?status=open&status=pending) or comma-separated."""
    getlist = getattr(query, "getlist", None)
    raw = getlist(name) if getlist is not None else query.get(name, [])
    if isinstance(raw, str):
        raw = [raw]
    values: list[str] = []
    for item in raw:
        for part in str(item).split(","):
            if part.strip() and part.strip() not in values:
                values.append(part.strip())
    return values


def _get(query: Mapping[str, Any], name: str) -> str:
    values = _getlist(query, name) if name != "q" else [str(query.get(name) or "")]
    return values[-1].strip() if values else ""


@dataclass
class Filters:
    """What the list shows. Empty fields do not filter; list fields match any of their values.

    assignee: "" (anyone), "me" (whoever looks: a shared view means each viewer), "none"
    (unassigned) or a user id. tag: ids or names. due: "breached" (a target has passed),
    "soon" (the next one within SOON), "any" (a target is running). waiting: True for
    conversations whose customer waits for an answer (False: we spoke last).
    """

    status: list[str] = field(default_factory=list)
    assignee: str = ""
    team: int | None = None
    channel: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    sentiment: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    due: str = ""
    waiting: bool | None = None
    q: str = ""
    customer: int | None = None

    @classmethod
    def from_query(
        cls, query: Mapping[str, Any], user: Any = None, *, strict: bool = False
    ) -> Filters:
        """Read a query string (a QueryDict or a plain mapping). A value that makes no sense
        is dropped, or with strict=True refused with an ActionError naming the parameter.
        `user` is accepted for symmetry with the web views; "me" is resolved when querying,
        so that a shared saved view shows each person their own conversations."""
        errors: list[tuple[str, str]] = []
        filters = cls(
            status=_choices(_getlist(query, "status"), Status.values, "status", errors),
            channel=_ints(_getlist(query, "channel"), "channel", errors),
            kind=_choices(_getlist(query, "kind"), Kind.values, "kind", errors),
            tag=_getlist(query, "tag"),
            priority=[
                int(p)
                for p in _choices(
                    _getlist(query, "priority"),
                    [str(v) for v in Priority.values],
                    "priority",
                    errors,
                )
            ],
            sentiment=_choices(_getlist(query, "sentiment"), Sentiment.values, "sentiment", errors),
            language=_getlist(query, "language"),
            q=_get(query, "q")[:500],
        )
        assignee = _get(query, "assignee")
        if assignee in ("", "me", "none") or assignee.isdigit():
            filters.assignee = assignee
        else:
            errors.append(("assignee", _("Use assignee=me, assignee=none or a member's user id.")))
        for name in ("team", "customer"):
            value = _get(query, name)
            if value:
                numbers = _ints([value], name, errors)
                setattr(filters, name, numbers[0] if numbers else None)
        due = _get(query, "due")
        if due:
            filters.due = (_choices([due], list(DUE), "due", errors) or [""])[0]
        waiting = _get(query, "waiting").lower()
        if waiting in ("1", "true", "yes", "on"):
            filters.waiting = True
        elif waiting in ("0", "false", "no", "off"):
            filters.waiting = False
        elif waiting:
            errors.append(("waiting", _("Use waiting=true or waiting=false.")))
        if strict and errors:
            name, message = errors[0]
            raise ActionError(message, field=name)
        return filters

    def to_query(self) -> str:
        """The query string that reads back as these filters (for links and saved views)."""
        pairs: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _LIST_FIELDS:
                pairs.extend((f.name, str(v)) for v in value)
            elif isinstance(value, bool):
                pairs.append((f.name, "true" if value else "false"))
            elif value not in (None, ""):
                pairs.append((f.name, str(value)))
        return urlencode(pairs)

    def __bool__(self) -> bool:
        return bool(self.to_query())


# --- the query ------------------------------------------------------------------------------


def due_at_expression() -> Case:
    """When the conversation's next target falls: the first response until we answered,
    then the resolution; none once closed."""
    return Case(
        When(status=Status.CLOSED, then=None),
        When(
            first_response_at__isnull=True,
            first_response_due_at__isnull=False,
            then=F("first_response_due_at"),
        ),
        default=F("resolution_due_at"),
        output_field=DateTimeField(),
    )


def _due_filter(due: str, now: datetime) -> Q:
    # Spelled on the stored columns (not the Case above) so the (workspace, *_due_at)
    # indexes of 0002 can serve the range.
    not_closed = ~Q(status=Status.CLOSED)
    first_running = Q(first_response_at__isnull=True, first_response_due_at__isnull=False)
    if due == "breached":
        return not_closed & (
            Q(first_response_at__isnull=True, first_response_due_at__lte=now)
            | Q(resolution_due_at__lte=now)
        )
    if due == "soon":
        soon = now + SOON
        return (
            not_closed
            & (
                Q(first_response_at__isnull=True, first_response_due_at__range=(now, soon))
                | (~first_running & Q(resolution_due_at__range=(now, soon)))
            )
            & ~Q(first_response_at__isnull=True, first_response_due_at__lte=now)
            & ~Q(resolution_due_at__lte=now)
        )
    return not_closed & (first_running | Q(resolution_due_at__isnull=False))


def _tag_filter(values: list[str]) -> Q:
    ids = [int(v) for v in values if v.isdigit()]
    names = [v for v in values if not v.isdigit()]
    through = Conversation.tags.through.objects.all()
    match = Q(tag_id__in=ids) | Q(tag__name__in=names)
    # A subquery rather than a join: no duplicate rows when several tags match.
    return Q(id__in=through.filter(match).values("conversation_id"))


def conversations(
    access: Access, filters: Filters, *, order: str = "recent", now: datetime | None = None
) -> QuerySet[Conversation]:
    """The workspace's conversations matching `filters`, in `order`:
    recent (latest message first), oldest (oldest latest-message first) or due (the
    soonest target first, conversations without one last)."""
    access.require("inbox.view")
    if order not in ORDERS:
        raise ActionError(
            _("Unknown order '%(order)s': use one of %(allowed)s.")
            % {"order": order, "allowed": ", ".join(ORDERS)},
            field="order",
        )
    now = now or timezone.now()
    qs = Conversation.objects.filter(workspace=access.workspace)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.assignee == "me":
        qs = qs.filter(assignee=access.user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.channel:
        qs = qs.filter(channel_id__in=filters.channel)
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    if filters.tag:
        qs = qs.filter(_tag_filter(filters.tag))
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.sentiment:
        qs = qs.filter(sentiment__in=filters.sentiment)
    if filters.language:
        qs = qs.filter(language__in=filters.language)
    if filters.due:
        qs = qs.filter(_due_filter(filters.due, now))
    if filters.waiting is True:
        qs = qs.filter(waiting_since__isnull=False)
    elif filters.waiting is False:
        qs = qs.filter(waiting_since__isnull=True)
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    query = search.parse(filters.q) if filters.q.strip() else None
    unsearched = _ordered(qs, order)
    if query is not None:
        qs = qs.filter(id__in=search.conversation_ids(access.workspace, query))
    qs = _ordered(qs, order)
    if query:
        # page() can find the first matching conversations faster than this query can
        # (search.first_matching); the result is the same.
        qs.search_plan = SearchPlan(unsearched, query)  # type: ignore[attr-defined]
    return qs


@dataclass(frozen=True)
class SearchPlan:
    unsearched: QuerySet[Conversation]  # the same list before the full-text condition
    query: search.SearchQuery


def _ordered(qs: QuerySet[Conversation], order: str) -> QuerySet[Conversation]:
    qs = qs.select_related("channel", "assignee", "team", "identity", "customer")
    qs = qs.prefetch_related("tags")
    if order == "due":
        return qs.annotate(due_at=due_at_expression()).order_by(
            F("due_at").asc(nulls_last=True), "id"
        )
    if order == "oldest":
        return qs.order_by("last_message_at", "id")
    return qs.order_by("-last_message_at", "-id")


# --- keyset pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Conversation]
    next_cursor: str | None  # None: this is the last page


def _encode(order: str, value: datetime | None, pk: int) -> str:
    raw = json.dumps([order, value.isoformat() if value else None, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, order: str) -> tuple[datetime | None, int]:
    bad = ActionError(
        _("This cursor is not valid for this list: start again without a cursor."),
        field="cursor",
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_order, value, pk = json.loads(raw)
        moment = datetime.fromisoformat(value) if value is not None else None
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise bad from None
    if got_order != order or not isinstance(pk, int):
        raise bad
    return moment, pk


def _after(order: str, value: datetime | None, pk: int) -> Q:
    if order == "recent":
        assert value is not None
        return Q(last_message_at__lte=value) & (Q(last_message_at__lt=value) | Q(id__lt=pk))
    if order == "oldest":
        assert value is not None
        return Q(last_message_at__gte=value) & (Q(last_message_at__gt=value) | Q(id__gt=pk))
    if value is None:  # due order, among the conversations without a target (last)
        return Q(due_at__isnull=True, id__gt=pk)
    return Q(due_at__gt=value) | Q(due_at=value, id__gt=pk) | Q(due_at__isnull=True)


def _rows(qs: QuerySet[Conversation], count: int) -> list[Conversation]:
    """The first `count` rows of `qs`, in two steps: the ids alone (filters and order on the
    conversation table and its indexes, no join: a sort of thousands of matching rows then
    moves ids and dates, not the whole joined rows), then those rows by primary key, with
    the joins, annotations and prefetches of `qs`. At a million messages this took the
    slowest filters from hundreds of milliseconds to tens (bench/inbox_bench.py)."""
    return _by_id(qs, list(qs.prefetch_related(None).values_list("pk", flat=True)[:count]))


def _by_id(qs: QuerySet[Conversation], ids: list[int]) -> list[Conversation]:
    """The rows `ids` of `qs`, in that order."""
    if not ids:
        return []
    by_id = qs.all()
    # Its WHERE has done its work (and may hold a full-text search): the rows by id only.
    by_id.query.where = WhereNode()
    found = {row.pk: row for row in by_id.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]  # one deleted meanwhile is left out


def newer(qs: QuerySet[Conversation], after: datetime, limit: int) -> list[Conversation]:
    """The first `limit` conversations of `conversations(..., order="recent")` whose latest
    message came after `after` (the list's "new rows" poll), found as page() finds them:
    ids first, and a search by chunks rather than by collecting every match."""
    plan: SearchPlan | None = getattr(qs, "search_plan", None)
    recent = Q(last_message_at__gt=after)
    if plan is not None:
        ids = search.first_matching(
            plan.unsearched.filter(recent).prefetch_related(None).values_list("pk", flat=True),
            plan.query,
            limit,
        )
        if ids is not None:
            return _by_id(qs, ids)
    return _rows(qs.filter(recent), limit)


def page(
    qs: QuerySet[Conversation], *, order: str = "recent", cursor: str = "", limit: int = 50
) -> Page:
    """One page of `conversations(..., order=order)`, after `cursor` (from the last page)."""
    limit = max(1, min(limit, MAX_LIMIT))
    plan: SearchPlan | None = getattr(qs, "search_plan", None)
    unsearched = plan.unsearched if plan is not None else None
    if cursor:
        value, pk = _decode(cursor, order)
        if order != "due" and value is None:
            raise ActionError(_("This cursor is not valid for this list."), field="cursor")
        qs = qs.filter(_after(order, value, pk))
        if unsearched is not None:
            unsearched = unsearched.filter(_after(order, value, pk))
    ids = None
    if plan is not None and unsearched is not None:
        ids = search.first_matching(
            unsearched.prefetch_related(None).values_list("pk", flat=True), plan.query, limit + 1
        )
    rows = _rows(qs, limit + 1) if ids is None else _by_id(qs, ids)
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    key = getattr(last, "due_at", None) if order == "due" else last.last_message_at
    return Page(rows, _encode(order, key, last.pk))
