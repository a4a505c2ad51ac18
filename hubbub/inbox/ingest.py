"""Ingestion: what a connector read (or a webhook pushed) becomes conversations and messages.

`ingest(channel, kind, items)` takes a batch of Incoming items of one kind and, in one
transaction, stores what is new, reflects edits and deletions of what is known, and keeps
each conversation's counters right. It works by batch, never by row: one query finds the
known ids, one the authors, one the conversations, then bulk inserts and one UPDATE per set
of changed counters, so that a busy channel is read at over a thousand messages a second
(bench/inbox_bench.py). A new conversation is inserted with its counters and, when a
customer opened it, its due times (hubbub.inbox.sla.due_times_of_new): written once.

Grouping (thread_key_for): comments by the post they are under and their author; mentions
by the thread they belong to (its root) and their author; direct messages by the network's
conversation id. A reply to one of our posts seen through mentions (Bluesky notifies replies
too) is grouped with the comments on that post, so one person's answers under one post are
one conversation whichever way they were read.

Items written by the channel's own account are ours: a reply sent from Hubbub is matched to
its outbound message; one sent from the network's own app is recorded as outbound.

After the transaction commits, the new inbound messages go to the response-time targets
(hubbub.inbox.sla.on_inbound_many) and the rules (hubbub.inbox.rules.apply_rules_many), in
time order, a batch at a time, and the new conversations to the outgoing webhooks and alert
destinations (hubbub.inbox.events).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from types import ModuleType
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from hubbub.inbox import text as texts
from hubbub.inbox.bulk_sql import save_changes, save_fields
from hubbub.inbox.models import (
    Conversation,
    Customer,
    Direction,
    Identity,
    InboxSource,
    Kind,
    Message,
    Sentiment,
    SourceKind,
    Status,
)
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models.deliveries import DeliveryStatus

log = logging.getLogger(__name__)

# Plain strings, not the enum members: they key dicts together with values read back.
KIND_OF_SOURCE: dict[str, str] = {
    SourceKind.COMMENTS.value: Kind.COMMENT.value,
    SourceKind.MENTIONS.value: Kind.MENTION.value,
    SourceKind.MESSAGES.value: Kind.MESSAGE.value,
}
# Column sizes (hubbub.inbox.models): a longer id is replaced by its hash, a longer URL
# (useless cut) by nothing.
ID_LENGTH = 1000
URL_LENGTH = 2000
LINE_LENGTH = 500
# Language and sentiment are read from the start of a message: enough to tell, and a
# 100,000-character comment costs no more than a short one.
NLP_CHARS = 2000
# IN (...) lists stay under every database's limit on query parameters.
CHUNK = 900
# Fields a new inbound message can change on an existing conversation.
COUNTER_FIELDS = [
    "status",
    "opened_at",
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "first_response_at",
    "closed_at",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_warned_at",
    "resolution_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "message_count",
    "language",
    "sentiment",
    "identity",
    "customer",
    "subject",
    "updated_at",
]
# As attributes: identity_id and customer_id, not the related objects.
COUNTER_ATTNAMES = [
    f"{name}_id" if name in ("identity", "customer") else name for name in COUNTER_FIELDS
]
# A reopened conversation starts a new cycle: targets and their warnings start again.
CYCLE_FIELDS = (
    "first_response_at",
    "closed_at",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_warned_at",
    "resolution_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
)


@dataclass
class IngestResult:
    created: int = 0  # new messages (inbound and outbound)
    updated: int = 0  # known messages edited, deleted or restored
    conversations_created: int = 0
    skipped: int = 0  # known and unchanged, or nothing to attach them to
    errors: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)  # the new messages, oldest first

    def add(self, other: IngestResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.conversations_created += other.conversations_created
        self.skipped += other.skipped
        self.errors += other.errors
        self.message_ids += other.message_ids


@dataclass
class _Item:
    """One Incoming, cleaned and ready to store."""

    incoming: Incoming
    external_id: str
    text: str
    created_at: datetime
    in_reply_to: str
    url: str
    data: dict[str, Any]
    own: bool
    author_id: str
    kind: str = ""  # a Kind value, once grouped
    thread_key: str = ""
    root: str = ""


@dataclass
class _Plan:
    """What one batch stored: the rest happens after the commit."""

    inbound: list[Message] = field(default_factory=list)
    reopened: set[int] = field(default_factory=set)  # conversation ids reopened by this batch
    created: list[Conversation] = field(default_factory=list)
    first_responses: list[tuple[Conversation, datetime]] = field(default_factory=list)
    targets: dict[int, Any] = field(default_factory=dict)  # sla.WorkspaceTargets read, by id


# --- helpers for untrusted values -----------------------------------------------------------


def fit_id(value: Any) -> str:
    """A network id as stored: cleaned, and replaced by its hash when longer than the column
    (no real network has such ids; a hostile one must not make the batch fail)."""
    text = texts.clean(str(value or "")).strip()
    if len(text) <= ID_LENGTH:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def safe_url(value: Any) -> str:
    """A web address to link to, or "" (javascript:, data: and overlong ones are dropped)."""
    url = texts.clean(str(value or "")).strip()
    if len(url) > URL_LENGTH or not url.lower().startswith(("https://", "http://")):
        return ""
    if any(char.isspace() for char in url):
        return ""
    return url


def _aware(when: datetime | None, now: datetime) -> datetime:
    """The network's time, in UTC; never in the future (a client's clock can be wrong, and a
    message from the future would wait for nobody)."""
    if when is None:
        return now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(when.astimezone(UTC), now)


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Incoming.data made storable as JSON everywhere (PostgreSQL's jsonb refuses NUL)."""
    if depth > 20:
        return None
    if isinstance(value, str):
        return texts.clean(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {texts.clean(str(k)): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, depth + 1) for v in value]
    return texts.clean(str(value))


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _author_key(author: Author) -> str:
    return fit_id(author.external_id or author.handle) or "unknown"


def _deleted(incoming: Incoming) -> bool:
    return bool(incoming.deleted or incoming.data.get("deleted"))


# --- grouping --------------------------------------------------------------------------------


def _root_of_data(data: dict[str, Any]) -> str:
    """The thread root a network put in the item (Bluesky's reply.root, or root_uri)."""
    root = data.get("root")
    if isinstance(root, dict):
        root = root.get("uri") or root.get("id") or root.get("external_id")
    return fit_id(root or data.get("root_uri") or data.get("root_id") or "")


def join_key(root: str, author_id: str) -> str:
    """thread_key of a comment or mention thread: the root, then the author after the last
    space (author ids hold no spaces; roots may). Hashed if too long for the column."""
    key = f"{root} {author_id.replace(' ', '_')}"
    if len(key) <= ID_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def root_of_key(thread_key: str) -> str:
    """The root (post, thread) part of a comment or mention thread_key."""
    if thread_key.startswith("sha256:"):
        return ""
    return thread_key.rpartition(" ")[0]


def thread_key_for(
    channel: Channel, kind: str, item: Incoming, post_ref: PublishedRef | None = None
) -> str:
    """Which conversation `item` belongs to, from the item alone (ingest also follows the
    in_reply_to chain through what it already stored, for mentions without a root)."""
    author = _author_key(item.author)
    if kind == SourceKind.MESSAGES:
        conversation = item.data.get("conversation_id")
        return fit_id(conversation) if conversation else author
    if kind == SourceKind.COMMENTS and post_ref is not None:
        return join_key(fit_id(post_ref.external_id), author)
    root = _root_of_data(item.data) or fit_id(item.external_id)
    return join_key(root, author)


# --- the batch -------------------------------------------------------------------------------


class _Batch:
    def __init__(
        self, channel: Channel, kind: SourceKind, post_ref: PublishedRef | None, now: datetime
    ) -> None:
        self.channel = channel
        self.kind = kind
        self.post_ref = post_ref
        self.now = now
        self.result = IngestResult()
        self.plan = _Plan()
        self.post_urls: dict[str, str] = {}

    # Every step reads or writes in bulk; see the module docstring.
    def run(self, items: list[_Item]) -> None:
        known = self._known({item.external_id for item in items})
        new: list[_Item] = []
        for item in items:
            message = known.get(item.external_id)
            if message is None:
                if _deleted(item.incoming):
                    self.result.skipped += 1  # deleted before we ever saw it
                else:
                    new.append(item)
            else:
                self._change(message, item)
        changed = [m for m in known.values() if getattr(m, "_changed", False)]
        if changed:
            save_fields(
                Message, changed, ["text", "original_text", "edited_at", "deleted_at", "data"]
            )
            self.result.updated += len(changed)
        if not new:
            return
        inbound = [item for item in new if not item.own]
        own = [item for item in new if item.own]
        identities = self._identities(inbound)
        self._group(inbound)
        own = self._place_own(own)
        self._store(inbound, own, identities)

    # -- known messages: edits, deletions --

    def _known(self, ids: set[str]) -> dict[str, Message]:
        found: dict[str, Message] = {}
        for chunk in _chunks(ids):
            for message in _by_network_id(self.channel, chunk).only(
                "id",
                "external_id",
                "direction",
                "text",
                "original_text",
                "edited_at",
                "deleted_at",
                "data",
            ):
                found[message.external_id] = message
        return found

    def _change(self, message: Message, item: _Item) -> None:
        changed = False
        if _deleted(item.incoming):
            if message.deleted_at is None:
                message.deleted_at = _aware(item.incoming.edited_at, self.now)
                changed = True
        else:
            if message.deleted_at is not None:
                # The network shows it again (a full re-read after a truncated one): it is there.
                message.deleted_at = None
                changed = True
            # Our own replies come back as the network rewrote them (links shortened, the
            # mention put first): only an edit the network reports is one of ours.
            inbound = message.direction == Direction.INBOUND
            if item.text != message.text and (item.incoming.edited_at or (inbound and item.text)):
                if not message.original_text:
                    message.original_text = message.text  # kept once: the text first received
                message.text = item.text
                message.edited_at = _aware(item.incoming.edited_at, self.now)
                if "truncated_from" in item.data:
                    message.data = {**message.data, "truncated_from": item.data["truncated_from"]}
                changed = True
        if changed:
            message._changed = True  # type: ignore[attr-defined]
        else:
            self.result.skipped += 1

    # -- authors --

    def _identities(self, items: list[_Item]) -> dict[str, Identity]:
        authors: dict[str, Author] = {}
        for item in items:
            authors[item.author_id] = item.incoming.author  # the latest profile wins
        if not authors:
            return {}
        network = self.channel.network
        workspace_id = self.channel.workspace_id
        found: dict[str, Identity] = {}
        for chunk in _chunks(authors):
            for identity in Identity.objects.filter(
                workspace_id=workspace_id, network=network, external_id__in=chunk
            ):
                found[identity.external_id] = identity
        # Known people: their profile as the network shows it now.
        changed: list[Identity] = []
        for key, identity in found.items():
            if self._refresh(identity, _identity_values(authors[key])):
                changed.append(identity)
        if changed:
            save_fields(
                Identity,
                changed,
                ["handle", "name", "avatar_url", "profile_url", "followers_count", "last_seen_at"],
            )
        missing = [key for key in authors if key not in found]
        if missing:
            found.update(self._create_identities({key: authors[key] for key in missing}))
        return found

    def _refresh(self, identity: Identity, values: dict[str, Any]) -> bool:
        changed = False
        for name, value in values.items():
            if value in ("", None) and name in ("name", "avatar_url", "followers_count"):
                continue  # a network that leaves it out this time has not removed it
            if getattr(identity, name) != value:
                setattr(identity, name, value)
                changed = True
        if changed or (self.now - identity.last_seen_at).total_seconds() > 3600:
            identity.last_seen_at = self.now  # at most one write an hour for a regular
            return True
        return False

    def _create_identities(self, authors: dict[str, Author]) -> dict[str, Identity]:
        workspace_id = self.channel.workspace_id
        profiles = {key: _identity_values(author) for key, author in authors.items()}
        customers = [
            Customer(
                workspace_id=workspace_id,
                name=(profile["name"] or profile["handle"])[:255],
                created_at=self.now,
            )
            for profile in profiles.values()
        ]
        Customer.objects.bulk_create(customers)
        identities = [
            Identity(
                workspace_id=workspace_id,
                customer=customer,
                network=self.channel.network,
                external_id=key,
                first_seen_at=self.now,
                last_seen_at=self.now,
                **profile,
            )
            for (key, profile), customer in zip(profiles.items(), customers, strict=True)
        ]
        try:
            with transaction.atomic():
                Identity.objects.bulk_create(identities)
            return {identity.external_id: identity for identity in identities}
        except IntegrityError:
            # Another worker stored some of these meanwhile: fall through to the row-by-row
            # path below, which reads what is there and adds only what is missing.
            pass
        # Another worker saw some of them first (a webhook and a poll at once): keep theirs,
        # and drop the customers made for nothing.
        Identity.objects.bulk_create(identities, ignore_conflicts=True)
        found = {
            i.external_id: i
            for i in Identity.objects.filter(
                workspace_id=workspace_id, network=self.channel.network, external_id__in=authors
            )
        }
        used = {i.customer_id for i in found.values()}
        Customer.objects.filter(pk__in=[c.pk for c in customers if c.pk not in used]).delete()
        return found

    # -- grouping --

    def _group(self, items: list[_Item]) -> None:
        """Each inbound item's kind and thread_key (see the module docstring)."""
        kind = KIND_OF_SOURCE[self.kind]
        if self.kind == SourceKind.MESSAGES:
            for item in items:
                item.kind = Kind.MESSAGE.value
                conversation = item.incoming.data.get("conversation_id")
                item.thread_key = fit_id(conversation) if conversation else item.author_id
            return
        if self.kind == SourceKind.COMMENTS and self.post_ref is not None:
            root = fit_id(self.post_ref.external_id)
            for item in items:
                item.kind, item.root = kind, root
                item.thread_key = join_key(root, item.author_id)
            return
        roots = self._roots(items)
        posts = self._our_posts(set(roots.values()) | {i.in_reply_to for i in items})
        self.post_urls = posts
        for item in items:
            root = roots[item.external_id]
            if root not in posts and item.in_reply_to in posts:
                root = item.in_reply_to  # a direct reply to our post, from a network w/o roots
            item.root = root
            # Under one of our posts: a comment, whichever way it was read.
            item.kind = Kind.COMMENT.value if root in posts else kind
            item.thread_key = join_key(root, item.author_id)

    def _roots(self, items: list[_Item]) -> dict[str, str]:
        """The thread root of each mention: the one the network gives, else the root of the
        message it answers (this batch or stored), else itself."""
        roots: dict[str, str] = {}
        asked = {
            item.in_reply_to
            for item in items
            if item.in_reply_to and not _root_of_data(item.incoming.data)
        }
        stored: dict[str, str] = {}
        for chunk in _chunks(asked):
            for external_id, thread_key, conversation_kind in _by_network_id(
                self.channel, chunk
            ).values_list("external_id", "conversation__thread_key", "conversation__kind"):
                if conversation_kind != Kind.MESSAGE:
                    stored[external_id] = root_of_key(thread_key) or external_id
        for item in items:  # oldest first: a parent in this batch comes before its replies
            root = _root_of_data(item.incoming.data)
            if not root and item.in_reply_to:
                root = roots.get(item.in_reply_to) or stored.get(item.in_reply_to, "")
            roots[item.external_id] = root or item.external_id
        return roots

    def _our_posts(self, ids: set[str]) -> dict[str, str]:
        """Which of `ids` are posts of ours whose comments the inbox reads, with their URLs."""
        ids.discard("")
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            for ref, data in InboxSource.objects.filter(
                channel=self.channel, kind=SourceKind.COMMENTS, ref_external_id__in=chunk
            ).values_list("ref_external_id", "ref_data"):
                found[ref] = safe_url(data.get("url")) if isinstance(data, dict) else ""
        return found

    def _place_own(self, items: list[_Item]) -> list[_Item]:
        """Our own items: a reply sent from Hubbub gets its network id on its outbound message;
        one sent from elsewhere joins the conversation of what it answers (or, for a direct
        message, its conversation); anything else is not a conversation of ours."""
        if not items:
            return []
        waiting = self._replies_awaiting_ids()
        parents: dict[str, tuple[str, str]] = {}
        asked = {item.in_reply_to for item in items if item.in_reply_to}
        for chunk in _chunks(asked):
            for external_id, conversation_kind, thread_key in _by_network_id(
                self.channel, chunk
            ).values_list("external_id", "conversation__kind", "conversation__thread_key"):
                parents[external_id] = (conversation_kind, thread_key)
        placed: list[_Item] = []
        for item in items:
            message = waiting.get(item.external_id)
            if message is not None:
                Message.objects.filter(pk=message.pk, external_id="").update(
                    external_id=item.external_id, url=item.url or message.url
                )
                self.result.skipped += 1
                continue
            if self.kind == SourceKind.MESSAGES and item.incoming.data.get("conversation_id"):
                item.kind = Kind.MESSAGE.value
                item.thread_key = fit_id(item.incoming.data["conversation_id"])
            elif item.in_reply_to in parents:
                item.kind, item.thread_key = parents[item.in_reply_to]
            else:
                self.result.skipped += 1
                continue
            parents[item.external_id] = (item.kind, item.thread_key)
            placed.append(item)
        return placed

    def _replies_awaiting_ids(self) -> dict[str, Message]:
        """Outbound replies whose delivery is out but whose message does not know its network
        id yet (the published signal runs after the delivery's commit), by that id."""
        found: dict[str, Message] = {}
        for message in Message.objects.filter(
            channel=self.channel,
            direction=Direction.OUTBOUND,
            external_id="",
            # Published ones only: a reply that failed never gets an id, and would be read
            # again on every batch.
            delivery__status=DeliveryStatus.PUBLISHED,
        ).select_related("delivery"):
            delivery = message.delivery
            for ref in (delivery.published_refs if delivery is not None else None) or ():
                if isinstance(ref, dict) and ref.get("external_id"):
                    found[str(ref["external_id"])] = message
        return found

    # -- storing --

    def _store(
        self, inbound: list[_Item], own: list[_Item], identities: dict[str, Identity]
    ) -> None:
        """The new messages and their conversations. First the quick way: counters (and, for
        a new conversation, its due times) worked out in memory, so that each new
        conversation is written once, by its INSERT, and each known one by one UPDATE; a
        row rewritten three times costs three sets of index entries (PostgreSQL writes a
        new version of the row each time). Should another worker have stored some of these
        conversations or messages meanwhile (a webhook and a poll at once), that is rolled
        back and the batch stored the careful way, which leaves theirs to them."""
        items = sorted(inbound + own, key=lambda i: i.created_at)
        if not items:
            return
        feelings = _Feelings()
        try:
            with transaction.atomic():
                found, fresh = self._conversations(items, identities)
                messages = self._messages(items, found, identities, feelings)
                touched, before = self._tally(messages)
                self.plan.targets = _due_times_of_new(
                    [c for c in fresh if c.last_inbound_at is not None]
                )
                self._create(fresh)
                for message in messages:
                    # Assigned again now that it has an id (setting conversation_id alone
                    # would drop the cached object, and every later use would read it).
                    message.conversation = message.conversation
                Message.objects.bulk_create(messages, batch_size=500)
                new = {id(c) for c in fresh}  # inserted with their counters already
                self._save_counters([c for c in touched if id(c) not in new], before)
            self._counted(messages)
            return
        except IntegrityError:
            # Another worker stored some of these meanwhile: fall through to the careful
            # path below, which reads what is there and adds only what is missing.
            self.plan = _Plan()
        found, fresh = self._conversations(items, identities)
        if fresh:
            self._create_conversations(fresh, found)
        stored = self._insert(self._messages(items, found, identities, feelings))
        touched, before = self._tally(stored)
        self._save_counters(touched, before)
        self._counted(stored)

    def _conversations(
        self, items: list[_Item], identities: dict[str, Identity]
    ) -> tuple[dict[tuple[str, str], Conversation], list[Conversation]]:
        """The conversations of the items by (kind, thread_key), the known ones locked, and
        the new ones (not saved yet)."""
        keys = {(item.kind, item.thread_key) for item in items}
        found: dict[tuple[str, str], Conversation] = {}
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, thread_key in keys:
            by_kind[kind].append(thread_key)
        for kind, thread_keys in by_kind.items():
            for chunk in _chunks(thread_keys):
                for conversation in Conversation.objects.select_for_update().filter(
                    channel=self.channel, kind=kind, thread_key__in=chunk
                ):
                    found[(conversation.kind, conversation.thread_key)] = conversation
        fresh: list[Conversation] = []
        for item in items:  # oldest first: the first message opens the conversation
            key = (item.kind, item.thread_key)
            if key in found:
                continue
            identity = None if item.own else identities.get(item.author_id)
            conversation = Conversation(
                workspace_id=self.channel.workspace_id,
                channel=self.channel,
                kind=item.kind,
                thread_key=item.thread_key,
                identity=identity,
                customer_id=identity.customer_id if identity is not None else None,
                subject=texts.excerpt(item.text, 140) if not item.own else "",
                root_url=self._root_url(item),
                opened_at=item.created_at,
                last_message_at=item.created_at,
                created_at=self.now,
                updated_at=self.now,
            )
            found[key] = conversation
            fresh.append(conversation)
        return found, fresh

    def _messages(
        self,
        items: list[_Item],
        conversations: dict[tuple[str, str], Conversation],
        identities: dict[str, Identity],
        feelings: _Feelings,
    ) -> list[Message]:
        messages: list[Message] = []
        for item in items:
            identity = None if item.own else identities.get(item.author_id)
            message = Message(
                workspace_id=self.channel.workspace_id,
                conversation=conversations[(item.kind, item.thread_key)],
                channel=self.channel,
                direction=Direction.OUTBOUND if item.own else Direction.INBOUND,
                kind=item.kind,
                external_id=item.external_id,
                in_reply_to=item.in_reply_to,
                identity=identity,
                text=item.text,
                url=item.url,
                data=item.data,
                created_at=item.created_at,
                received_at=self.now,
            )
            if not item.own:
                feelings.read(message)
            messages.append(message)
        return messages

    def _root_url(self, item: _Item) -> str:
        if item.kind == Kind.COMMENT and self.post_ref is not None:
            return safe_url(self.post_ref.url) or item.url
        if item.root in self.post_urls:
            return self.post_urls[item.root] or item.url
        return item.url if item.root in ("", item.external_id) else ""

    def _create(self, fresh: list[Conversation]) -> None:
        if fresh:
            Conversation.objects.bulk_create(fresh)
            self.plan.created += fresh

    def _create_conversations(
        self, fresh: list[Conversation], found: dict[tuple[str, str], Conversation]
    ) -> None:
        """The careful way: one by one, another worker's conversation used where it has
        opened the same thread at the same moment."""
        for conversation in fresh:
            try:
                with transaction.atomic():
                    conversation.save(force_insert=True)
                self.plan.created.append(conversation)
            except IntegrityError:
                theirs = Conversation.objects.select_for_update().get(
                    channel=self.channel, kind=conversation.kind, thread_key=conversation.thread_key
                )
                found[(theirs.kind, theirs.thread_key)] = theirs

    def _insert(self, messages: list[Message]) -> list[Message]:
        """The careful way: one by one, those another worker stored meanwhile left to it."""
        stored: list[Message] = []
        for message in messages:
            try:
                with transaction.atomic():
                    message.save(force_insert=True)
                stored.append(message)
            except IntegrityError:
                self.result.skipped += 1
        return stored

    def _tally(self, messages: list[Message]) -> tuple[list[Conversation], dict[int, list[Any]]]:
        """Each conversation's counters and status after its new messages, in time order, in
        memory; returns the conversations touched and their counters before."""
        touched: dict[int, Conversation] = {}
        before: dict[int, list[Any]] = {}
        for message in messages:  # oldest first
            conversation = message.conversation
            if id(conversation) not in touched:
                touched[id(conversation)] = conversation
                before[id(conversation)] = [getattr(conversation, f) for f in COUNTER_ATTNAMES]
            conversation.message_count += 1
            conversation.last_message_at = max(conversation.last_message_at, message.created_at)
            if message.direction == Direction.INBOUND:
                self._inbound(conversation, message)
            else:
                self._outbound(conversation, message)
        return list(touched.values()), before

    def _save_counters(
        self, conversations: list[Conversation], before: dict[int, list[Any]]
    ) -> None:
        """The counters that changed, one statement per set of them. Preparing a value for
        the database is most of an UPDATE's cost: the 20 counters every time cost more than
        comparing them."""
        changes: list[tuple[Conversation, dict[str, Any]]] = []
        for conversation in conversations:
            values = {
                attname: after
                for attname, old in zip(COUNTER_ATTNAMES, before[id(conversation)], strict=True)
                if (after := getattr(conversation, attname)) != old
            }
            values["updated_at"] = self.now
            changes.append((conversation, values))
        save_changes(Conversation, changes)

    def _counted(self, messages: list[Message]) -> None:
        self.result.created += len(messages)
        self.result.conversations_created += len(self.plan.created)
        self.result.message_ids += [m.pk for m in messages]

    def _inbound(self, conversation: Conversation, message: Message) -> None:
        if conversation.status == Status.CLOSED:
            # The customer writes again: a new cycle, whose targets start from this message.
            conversation.status = Status.OPEN
            conversation.opened_at = message.created_at
            for name in CYCLE_FIELDS:
                setattr(conversation, name, None)
            conversation.waiting_since = None
            self.plan.reopened.add(conversation.pk)
        elif conversation.status == Status.PENDING:
            conversation.status = Status.OPEN  # the customer answered: our turn again
        if conversation.waiting_since is None:
            conversation.waiting_since = message.created_at
        if (
            conversation.last_inbound_at is None
            or message.created_at >= conversation.last_inbound_at
        ):
            conversation.last_inbound_at = message.created_at
            conversation.language = message.language
            conversation.sentiment = message.sentiment
        if conversation.identity_id is None and message.identity_id is not None:
            conversation.identity_id = message.identity_id
            conversation.customer_id = message.identity.customer_id if message.identity else None
        if not conversation.subject:
            conversation.subject = texts.excerpt(message.text, 140)
        self.plan.inbound.append(message)

    def _outbound(self, conversation: Conversation, message: Message) -> None:
        """Our answer written on the network itself: the customer is answered."""
        conversation.waiting_since = None
        answered = {id(c) for c, _at in self.plan.first_responses}
        if (
            conversation.first_response_at is None
            and conversation.last_inbound_at is not None
            and id(conversation) not in answered
        ):
            # Recorded by the targets after the commit (sla.on_first_response sets it once,
            # and checks whether it came after the due time).
            self.plan.first_responses.append((conversation, message.created_at))
        if conversation.status == Status.OPEN and conversation.last_inbound_at is not None:
            conversation.status = Status.PENDING


def _by_network_id(channel: Channel, ids: Iterable[str]) -> QuerySet[Message]:
    """The channel's messages with these network ids, read through the unique index on
    (channel, external_id). That index is partial (outbound messages not published yet have
    no id), and a database uses a partial index only when the query repeats its condition:
    without `external_id <> ''` SQLite scans every message of the channel (60 ms a batch at
    a million messages) and PostgreSQL does as soon as the list passes 100 ids."""
    return (
        Message.objects.filter(channel=channel, external_id__in=list(ids))
        .exclude(external_id="")
        .order_by()
    )


def _identity_values(author: Author) -> dict[str, Any]:
    followers = author.followers_count
    return {
        "handle": texts.clean_line(author.handle, LINE_LENGTH),
        "name": texts.clean_line(author.name, LINE_LENGTH),
        "avatar_url": safe_url(author.avatar_url),
        "profile_url": safe_url(author.profile_url),
        "followers_count": followers if isinstance(followers, int) and followers >= 0 else None,
    }


# --- language and sentiment ------------------------------------------------------------------

Detect = Callable[[str], str]
Analyze = Callable[[str, str], tuple[str, float]]
_SENTIMENTS = set(Sentiment.values)


def _nlp() -> tuple[Detect | None, Analyze | None]:
    language = optional("hubbub.nlp.language")
    sentiment = optional("hubbub.nlp.sentiment")
    return (
        getattr(language, "detect", None) if language else None,
        getattr(sentiment, "analyze", None) if sentiment else None,
    )


class _Feelings:
    """Language and sentiment of a batch's messages, worked out once even when the batch is
    stored twice (the quick way, then the careful way)."""

    def __init__(self) -> None:
        self.detect, self.analyze = _nlp()
        self.known: dict[str, tuple[str, str, float | None]] = {}

    def read(self, message: Message) -> None:
        known = self.known.get(message.external_id)
        if known is None:
            _read_feelings(message, self.detect, self.analyze)
            known = (message.language, message.sentiment, message.sentiment_score)
            self.known[message.external_id] = known
        message.language, message.sentiment, message.sentiment_score = known


def _due_times_of_new(conversations: list[Conversation]) -> dict[int, Any]:
    """Due times of the new conversations a customer opened, set before their INSERT: what
    sla.on_inbound_many would write just after the commit (it then finds them set), when
    the targets module offers it. Returns the policies it read, by workspace (handed to the
    targets and the rules after the commit, which need not read them again)."""
    if not conversations:
        return {}
    due_times = getattr(optional("hubbub.inbox.sla"), "due_times_of_new", None)
    if due_times is None:
        return {}
    try:
        with transaction.atomic():  # a failing read must not poison the batch's transaction
            return dict(due_times(conversations))
    except Exception:  # left to sla.on_inbound_many after the commit
        log.exception("due times of new conversations")
        return {}


def _read_feelings(message: Message, detect: Detect | None, analyze: Analyze | None) -> None:
    sample = message.text[:NLP_CHARS]
    if not sample.strip():
        return
    try:
        language = detect(sample) if detect else ""
        message.language = str(language or "")[:8]
        if analyze:
            label, score = analyze(sample, message.language)
            if label in _SENTIMENTS:
                message.sentiment = label
                message.sentiment_score = max(-1.0, min(1.0, float(score)))
    except Exception:  # a model failing on odd text must not lose the message
        log.exception("language or sentiment failed on an incoming message")


def optional(module: str) -> ModuleType | None:
    """A module written alongside this one (sla, rules, events, nlp): None only while it does
    not exist yet; any other import error is a bug and raises."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


# --- entry point -----------------------------------------------------------------------------


def _prepare(channel: Channel, items: Sequence[Incoming], now: datetime) -> list[_Item]:
    """Cleaned items, oldest first, each id once (the last version of it wins)."""
    by_id: dict[str, _Item] = {}
    for incoming in items:
        external_id = fit_id(incoming.external_id)
        if not external_id:
            continue
        cleaned = texts.clean_text(incoming.text)
        data = _json_safe(dict(incoming.data or {}))
        if cleaned.truncated_from is not None:
            data["truncated_from"] = cleaned.truncated_from
        author_id = _author_key(incoming.author)
        by_id[external_id] = _Item(
            incoming=incoming,
            external_id=external_id,
            text=cleaned.text,
            created_at=_aware(incoming.created_at, now),
            in_reply_to=fit_id(incoming.in_reply_to),
            url=safe_url(incoming.url),
            data=data,
            own=bool(channel.external_id) and author_id == channel.external_id,
            author_id=author_id,
        )
    return sorted(by_id.values(), key=lambda item: item.created_at)


def ingest(
    channel: Channel,
    kind: str,
    items: Sequence[Incoming],
    *,
    post_ref: PublishedRef | None = None,
) -> IngestResult:
    """Store a batch of items of one kind read from `channel` (see the module docstring).
    Runs in its own transaction (or the caller's); sla, rules and webhooks run after commit."""
    source_kind = SourceKind(kind)
    now = timezone.now()
    prepared = _prepare(channel, items, now)
    batch = _Batch(channel, source_kind, post_ref, now)
    batch.result.skipped += len(items) - len(prepared)
    if not prepared:
        return batch.result
    with transaction.atomic():
        batch.run(prepared)
        plan = batch.plan
        if plan.inbound or plan.created or plan.first_responses:
            transaction.on_commit(lambda: after_commit(plan, batch.result.errors))
    return batch.result


def after_commit(plan: _Plan, errors: list[str]) -> None:
    """Targets, rules and webhooks for what the batch stored; each call guarded, so that one
    failing rule neither loses the messages (already stored) nor stops the others.

    With sla.on_inbound_many and rules.apply_rules_many the whole batch goes through the
    targets, then through the rules, each reading what it needs once per batch (one by one,
    sla.on_inbound cost four queries a message and apply_rules as many again). The result is
    the same: a due time is only computed when a cycle starts, from opened_at, and a rule
    changing tags or priority recomputes it after."""
    sla = optional("hubbub.inbox.sla")
    rules = optional("hubbub.inbox.rules")
    events = optional("hubbub.inbox.events")
    first_inbound: set[int] = set()
    calls: list[tuple[Conversation, Message, bool]] = []
    for message in sorted(plan.inbound, key=lambda m: (m.created_at, m.pk)):
        conversation = message.conversation
        reopened = conversation.pk in plan.reopened and conversation.pk not in first_inbound
        first_inbound.add(conversation.pk)
        calls.append((conversation, message, reopened))
    sla_many = getattr(sla, "on_inbound_many", None)
    rules_many = getattr(rules, "apply_rules_many", None)
    if (sla is None or sla_many is not None) and (rules is None or rules_many is not None):
        if plan.targets:  # the policies ingestion read a moment ago
            sla_many = sla_many and partial(sla_many, known=plan.targets)
            rules_many = rules_many and partial(rules_many, targets=plan.targets)
        _in_batches(calls, sla_many, rules_many, errors)
    else:
        for conversation, message, reopened in calls:
            if sla is not None:
                _guard(errors, "sla.on_inbound", sla.on_inbound, conversation, message, reopened)
            if rules is not None:
                _guard(errors, "rules.apply_rules", rules.apply_rules, message)
    if sla is not None:
        for conversation, at in plan.first_responses:
            _guard(errors, "sla.on_first_response", sla.on_first_response, conversation, at)
    if events is not None and plan.created:
        # One check of the workspace's webhooks and alert destinations per batch, when the
        # events module offers it (one by one: a query per new conversation).
        created_many = getattr(events, "conversations_created", None)
        if created_many is not None:
            _guard(errors, "events.conversation_created", created_many, list(plan.created))
        else:
            for conversation in plan.created:
                _guard(
                    errors, "events.conversation_created", events.conversation_created, conversation
                )


def _in_batches(
    calls: list[tuple[Conversation, Message, bool]],
    sla_many: Callable[..., Any] | None,
    rules_many: Callable[..., Any] | None,
    errors: list[str],
) -> None:
    if sla_many is not None and calls:
        try:
            for _call, error in sla_many(calls):
                errors.append(f"sla.on_inbound: {error}")
        except Exception as exc:
            log.exception("sla.on_inbound_many failed after ingestion")
            errors.append(f"sla.on_inbound: {exc}")
    if rules_many is not None and calls:
        try:
            for _message, error in rules_many([message for _c, message, _r in calls]).failed:
                errors.append(f"rules.apply_rules: {error}")
        except Exception as exc:
            log.exception("rules.apply_rules_many failed after ingestion")
            errors.append(f"rules.apply_rules: {exc}")


def _guard(errors: list[str], name: str, function: Callable[..., Any], *args: Any) -> None:
    try:
        function(*args)
    except Exception as exc:
        log.exception("%s failed after ingestion", name)
        errors.append(f"{name}: {exc}")
