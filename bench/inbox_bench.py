"""The inbox at scale: 1,000,000 messages on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.inbox_bench                      # 1,000,000 messages, both
    .venv/bin/python -m bench.inbox_bench --messages 100000    # a quicker run
    .venv/bin/python -m bench.inbox_bench --database sqlite    # one database only
    .venv/bin/python -m bench.inbox_bench --database-url postgresql://postgres@127.0.0.1:5432/hubbub_inbox_bench

Each database runs in its own process (Django binds one database per process), on a
throw-away SQLite file or on a PostgreSQL database the benchmark creates and drops.

1. Build: an inbox of N messages in N/5 conversations (channels, statuses, assignees, teams,
   tags, priorities, sentiments, due times, English and French texts), inserted with raw
   executemany in batches, the search index built once at the end. Not measured against a
   baseline: it is the set-up, shown for scale.
2. Ingestion (measured): new mentions through hubbub.inbox.ingest.ingest in pages of 100
   (what one poll of a channel hands over; identities, conversations, counters, language and
   sentiment, after-commit hooks included), beside a naive row-by-row baseline: per message
   Identity/Customer and Conversation get_or_create, Message.save(), conversation.save(),
   each in its own autocommit transaction — the first thing one writes with the ORM. Then
   the same in two processes at once, a channel each (as webhooks received by the web
   processes and a poll in the worker are stored at once; on SQLite their writes take turns).
3. List, filter and search (measured): the first page of 50 exactly as the API and the list
   page get it (hubbub.inbox.queries.conversations + page, tags prefetched), p50/p95 over
   --runs runs, beside a naive baseline: the same SQL with every index disabled
   (SQLite: NOT INDEXED; PostgreSQL: enable_indexscan/bitmapscan/indexonlyscan off) for the
   filters, and `icontains` over the messages (no full-text index) for the searches.

Targets (issue 5): p95 ≤ 100 ms for every view, ingestion ≥ 1,000 messages/s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.bulk import insert

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/hubbub_inbox_bench"
PER_CONVERSATION = 5
P95_TARGET_MS = 100.0
INGEST_TARGET = 1000.0
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# (name, conditions, actions, stop): the rules of the bench's workspace.
RULES: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]], bool]] = [
    (
        "Spam",
        [{"field": "keywords", "op": "contains_any", "value": ["casino", "crypto giveaway"]}],
        [{"type": "close_spam"}],
        True,
    ),
    (
        "Refunds",
        [{"field": "keywords", "op": "contains_any", "value": ["refund", "remboursement"]}],
        [{"type": "tag", "value": "refund"}],
        False,
    ),
    (
        "Angry customers first",
        [{"field": "sentiment", "op": "in", "value": ["negative"]}],
        [{"type": "priority", "value": 2}],
        False,
    ),
]

# --- realistic texts -------------------------------------------------------------------------

EN = [
    "Where is my order {n}? It has been {d} days and the tracking says nothing.",
    "The {item} arrived damaged, the box was open. I want a refund.",
    "Love the new {item}! Best purchase this year, thank you {brand}.",
    "Hi, can I change the delivery address for order {n}?",
    "Your support never answers. Third message about the {item}, still nothing.",
    "Is the {item} available in {colour}? Asking for a friend.",
    "Great customer service today, {agent} sorted it out in minutes.",
    "The app crashes when I try to pay. Please fix it, I have tried {d} times.",
    "Do you ship to {city}? The website is not clear about it.",
    "Cancelled my subscription, the price went up again. Disappointed.",
]
FR = [
    "Où est ma commande {n} ? Ça fait {d} jours et le suivi n'indique rien.",
    "Le {item_fr} est arrivé abîmé, le carton était ouvert. Je veux un remboursement.",
    "J'adore le nouveau {item_fr} ! Meilleur achat de l'année, merci {brand}.",
    "Bonjour, puis-je changer l'adresse de livraison de la commande {n} ?",
    "Votre service client ne répond jamais. Troisième message pour le {item_fr}.",
    "Le {item_fr} existe-t-il en {colour_fr} ? C'est pour un cadeau de Noël.",
    "Service génial aujourd'hui, {agent} a tout réglé en quelques minutes. Très efficace.",
    "L'application plante au moment de payer. Déjà essayé {d} fois, c'est pénible.",
    "Livrez-vous à {city} ? Le site n'est pas clair à ce sujet, même en été.",
    "J'ai résilié mon abonnement, le prix a encore augmenté. Déçu.",
]
WORDS = {
    "item": ["jacket", "kettle", "headphones", "backpack", "lamp", "sneakers", "mug", "tent"],
    "item_fr": ["manteau", "grille-pain", "casque", "sac", "vélo", "fauteuil", "réveil", "pull"],
    "colour": ["red", "navy blue", "green", "black", "white"],
    "colour_fr": ["rouge", "bleu marine", "vert", "noir", "écru"],
    "city": ["Montréal", "Genève", "Liège", "Lyon", "Boston", "Québec", "Dakar"],
    "agent": ["Chloé", "Zoë", "Amélie", "Sam", "Noah", "Inès"],
    "brand": ["Acme", "@acme", "team"],
}


def message_text(rng: random.Random, french: bool) -> str:
    template = rng.choice(FR if french else EN)
    values = {key: rng.choice(options) for key, options in WORDS.items()}
    return template.format(n=rng.randint(10000, 99999), d=rng.randint(2, 30), **values)


# --- the child process: one database -----------------------------------------------------------


def _setup_django(vendor: str, data_dir: str, database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubbub.settings"
    os.environ["HUBBUB_DATA_DIR"] = data_dir
    os.environ["HUBBUB_JOBS_IMMEDIATE"] = "true"
    os.environ.pop("HUBBUB_REDIS_URL", None)
    if vendor == "postgresql":
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Built:
    def __init__(self) -> None:
        self.workspace_id = 0
        self.user_ids: list[int] = []
        self.channel_ids: list[int] = []
        self.tag_ids: list[int] = []
        self.seconds = 0.0
        self.messages = 0
        self.conversations = 0


def _search_index(create: bool) -> None:
    """Drop the search index for the bulk load, build it once after (as any bulk load does)."""
    import importlib

    from django.db import connection

    migration: Any = importlib.import_module("hubbub.inbox.migrations.0002_search")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if create:
                for sql in migration.SQLITE_TRIGGERS:
                    cursor.execute(sql)
                cursor.execute(
                    "INSERT INTO inbox_message_fts(inbox_message_fts) VALUES ('rebuild')"
                )
            else:
                for sql in migration.SQLITE_DROP[:3]:
                    cursor.execute(sql)
        elif create:  # the GIN index of 0003 on the stored vector (computed on insert)
            vector: Any = importlib.import_module(
                "hubbub.inbox.migrations.0003_search_vector_and_report_index"
            )
            cursor.execute(
                f"CREATE INDEX {vector.VECTOR_INDEX} ON inbox_message "
                f"USING GIN ({vector.VECTOR_COLUMN})"
            )
            cursor.execute("ANALYZE")
        else:
            vector = importlib.import_module(
                "hubbub.inbox.migrations.0003_search_vector_and_report_index"
            )
            cursor.execute(f"DROP INDEX IF EXISTS {vector.VECTOR_INDEX}")


def _message_counts(rng: random.Random, conversations: int, messages: int) -> list[int]:
    """Messages per conversation: 1 to 12, most around PER_CONVERSATION, exactly `messages`
    in all."""
    counts = [
        max(1, min(12, int(rng.expovariate(1 / PER_CONVERSATION)) or 1))
        for _ in range(conversations)
    ]
    total, index = sum(counts), 0
    while total != messages:  # spread the difference, one message at a time
        step = 1 if total < messages else -1
        if 1 <= counts[index] + step <= 12:
            counts[index] += step
            total += step
        index = (index + 7919) % conversations  # a stride, not always the first ones
    return counts


def build(messages: int, seed: int = 5) -> Built:
    """The inbox: raw executemany, in one transaction per table."""
    from django.db import connection, transaction

    from hubbub.accounts.models import User
    from hubbub.core.models import Membership, Workspace
    from hubbub.core.roles import Role
    from hubbub.inbox.models import Rule, Tag, Team
    from hubbub.networks.models import Channel

    rng = random.Random(seed)
    started = time.perf_counter()
    built = Built()
    workspace = Workspace.objects.create(name="Bench", slug="bench", time_zone="Europe/Paris")
    built.workspace_id = workspace.pk
    users = []
    for index in range(12):
        # No password: hashing twelve of them with the production hasher costs seconds.
        user = User.objects.create_user(f"agent{index}@example.com", None)
        Membership.objects.create(workspace=workspace, user=user, role=Role.MODERATOR)
        users.append(user)
    Membership.objects.filter(user=users[0]).update(role=Role.OWNER)
    built.user_ids = [u.pk for u in users]
    teams = [Team.objects.create(workspace=workspace, name=n) for n in ("Support", "Sales")]
    built.tag_ids = [
        Tag.objects.create(workspace=workspace, name=n).pk
        for n in ("billing", "delivery", "bug", "vip", "refund", "spam", "praise", "urgent")
    ]
    # Rules as a workspace has them: ingestion applies them to every new message.
    for position, (name, conditions, actions, stop) in enumerate(RULES, start=1):
        Rule.objects.create(
            workspace=workspace,
            name=name,
            position=position,
            conditions=conditions,
            actions=actions,
            stop=stop,
        )
    networks = ["bluesky", "mastodon", "facebook", "instagram", "telegram", "x"]
    built.channel_ids = [
        Channel.objects.create(
            workspace=workspace, network=n, external_id=f"brand-{n}", handle=f"@acme-{n}"
        ).pk
        for n in networks
    ]
    conversations = max(1, messages // PER_CONVERSATION)
    people = max(1, conversations // 3)  # a third of the people write more than once
    fmt = "%Y-%m-%d %H:%M:%S.%f+00:00" if connection.vendor == "sqlite" else None

    def ts(moment: datetime) -> Any:
        return moment.strftime(fmt) if fmt else moment

    _search_index(create=False)
    with transaction.atomic():
        insert(
            "inbox_customer",
            ["id", "workspace_id", "name", "email", "notes", "created_at"],
            ((i + 1, workspace.pk, f"Person {i}", "", "", ts(NOW)) for i in range(people)),
        )
        insert(
            "inbox_identity",
            [
                "id",
                "workspace_id",
                "customer_id",
                "network",
                "external_id",
                "handle",
                "name",
                "avatar_url",
                "profile_url",
                "followers_count",
                "first_seen_at",
                "last_seen_at",
            ],
            (
                (
                    i + 1,
                    workspace.pk,
                    i + 1,
                    networks[i % len(networks)],
                    f"person-{i}",
                    f"@person{i}",
                    f"Person {i}",
                    "",
                    "",
                    rng.choice([12, 150, 900, 20000]),
                    ts(NOW),
                    ts(NOW),
                )
                for i in range(people)
            ),
        )
        conv_rows = []
        tag_rows = []
        message_rows = []
        message_id = 0
        span = 365 * 24 * 3600
        # Ids grow with time, as they do when messages are stored as they arrive.
        starts = sorted(NOW - timedelta(seconds=rng.randrange(span)) for _ in range(conversations))
        counts = _message_counts(rng, conversations, messages)
        for c in range(conversations):
            cid = c + 1
            person = rng.randrange(people)
            channel = built.channel_ids[person % len(networks)]
            french = rng.random() < 0.4
            start = starts[c]
            count = counts[c]
            moments = sorted(start + timedelta(minutes=rng.randrange(2880)) for _ in range(count))
            moments = [min(m, NOW) for m in moments]
            roll = rng.random()
            status = "open" if roll < 0.15 else "pending" if roll < 0.25 else "closed"
            assignee = rng.choice(built.user_ids) if rng.random() < 0.7 else None
            team = rng.choice(teams).pk if rng.random() < 0.3 else None
            first_text = ""
            for index, moment in enumerate(moments):
                message_id += 1
                inbound = index % 2 == 0 or rng.random() < 0.3
                text = (
                    message_text(rng, french)
                    if inbound
                    else rng.choice(
                        [
                            "Thanks, we are on it.",
                            "Merci, nous regardons cela.",
                            "Sorry about that!",
                        ]
                    )
                )
                first_text = first_text or text
                message_rows.append(
                    (
                        message_id,
                        workspace.pk,
                        cid,
                        channel,
                        "in" if inbound else "out",
                        "mention",
                        f"m-{message_id}",
                        "",
                        person + 1 if inbound else None,
                        False,
                        text,
                        "",
                        "{}",
                        ts(moment),
                        ts(moment),
                        "",
                        "fr" if french else "en",
                        "",
                    )
                )
            open_now = status != "closed"
            opened = moments[0]
            due = opened + timedelta(hours=rng.choice([1, 2, 8, 24, 400 * 24]))
            conv_rows.append(
                (
                    cid,
                    workspace.pk,
                    channel,
                    "mention",
                    f"root-{cid} person-{person}",
                    person + 1,
                    person + 1,
                    first_text[:200],
                    "",
                    status,
                    rng.choices([0, 1, 2, 3], [10, 70, 15, 5])[0],
                    assignee,
                    team,
                    "fr" if french else "en",
                    rng.choices(["negative", "neutral", "positive", ""], [30, 40, 25, 5])[0],
                    len(moments),
                    ts(opened),
                    ts(moments[-1]),
                    ts(moments[-1]),
                    ts(moments[-1]) if open_now and rng.random() < 0.8 else None,
                    None if status == "open" else ts(moments[0] + timedelta(hours=1)),
                    ts(moments[-1]) if status == "closed" else None,
                    ts(due) if open_now else None,
                    ts(due + timedelta(hours=8)) if open_now else None,
                    ts(opened),
                    ts(moments[-1]),
                )
            )
            if rng.random() < 0.4:
                for tag in rng.sample(built.tag_ids, rng.choice([1, 1, 2])):
                    tag_rows.append((cid, tag))
        insert(
            "inbox_conversation",
            [
                "id",
                "workspace_id",
                "channel_id",
                "kind",
                "thread_key",
                "identity_id",
                "customer_id",
                "subject",
                "root_url",
                "status",
                "priority",
                "assignee_id",
                "team_id",
                "language",
                "sentiment",
                "message_count",
                "opened_at",
                "last_message_at",
                "last_inbound_at",
                "waiting_since",
                "first_response_at",
                "closed_at",
                "first_response_due_at",
                "resolution_due_at",
                "created_at",
                "updated_at",
            ],
            iter(conv_rows),
        )
        insert("inbox_conversation_tags", ["conversation_id", "tag_id"], iter(tag_rows))
        insert(
            "inbox_message",
            [
                "id",
                "workspace_id",
                "conversation_id",
                "channel_id",
                "direction",
                "kind",
                "external_id",
                "in_reply_to",
                "identity_id",
                "is_auto_reply",
                "text",
                "url",
                "data",
                "created_at",
                "received_at",
                "original_text",
                "language",
                "sentiment",
            ],
            iter(message_rows),
        )
    del conv_rows, message_rows, tag_rows
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "inbox_customer",
                "inbox_identity",
                "inbox_conversation",
                "inbox_message",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
    _search_index(create=True)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            # The steady state of a database in use: vacuumed and analysed, its dirty pages
            # written. Left to itself after a bulk load, autovacuum and the checkpointer
            # would spend the next minutes on the million rows, on the CPU the measurement
            # shares with them.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
    built.messages = message_id
    built.conversations = conversations
    built.seconds = time.perf_counter() - started
    return built


# --- ingestion ---------------------------------------------------------------------------------


def _incoming(count: int, offset: int, seed: int) -> list[Any]:
    from hubbub.networks.incoming import Author, Incoming

    rng = random.Random(seed)
    items = []
    for index in range(count):
        n = offset + index
        person = rng.randrange(count // 3 + 1)
        root = f"new-root-{person}-{n % 7}"
        items.append(
            Incoming(
                external_id=f"new-{seed}-{n}",
                text=message_text(rng, rng.random() < 0.4),
                author=Author(
                    external_id=f"new-person-{seed}-{person}",
                    handle=f"@newperson{person}",
                    name=f"New Person {person}",
                    followers_count=rng.choice([10, 500, 30000]),
                ),
                created_at=NOW - timedelta(seconds=count - index),
                url=f"https://example.social/p/{n}",
                data={"root": {"uri": root}},
            )
        )
    return items


def ingest_ours(items: list[Any], channel_id: int, pages: list[float] | None = None) -> None:
    """hubbub.inbox.ingest in pages of 100, as a poll hands them over (targets, rules and
    webhooks after each commit, per batch)."""
    from hubbub.inbox.ingest import ingest
    from hubbub.networks.models import Channel

    channel = Channel.objects.get(pk=channel_id)
    for start in range(0, len(items), 100):
        began = time.perf_counter()
        ingest(channel, "mentions", items[start : start + 100])
        if pages is not None:
            pages.append(time.perf_counter() - began)


def ingest_one_by_one(items: list[Any], channel_id: int, pages: list[float] | None = None) -> None:
    """The same, with the after-commit hooks called per message as before batching
    (sla.on_inbound, rules.apply_rules): what the batching is worth."""
    from types import SimpleNamespace

    from hubbub.inbox import ingest as module
    from hubbub.inbox import rules, sla

    optional = module.optional
    hooks = {
        "hubbub.inbox.sla": SimpleNamespace(
            on_inbound=sla.on_inbound, on_first_response=sla.on_first_response
        ),
        "hubbub.inbox.rules": SimpleNamespace(apply_rules=rules.apply_rules),
    }
    module.optional = lambda name: hooks.get(name) or optional(name)  # type: ignore[assignment,return-value]
    try:
        ingest_ours(items, channel_id, pages)
    finally:
        module.optional = optional  # type: ignore[method-assign]


def ingest_naive(items: list[Any], channel_id: int, pages: list[float] | None = None) -> None:
    """Row by row with the ORM, each save in its own (autocommit) transaction; no language,
    sentiment, targets or rules (the first thing one writes, doing less)."""
    from hubbub.inbox.models import Conversation, Customer, Identity, Message
    from hubbub.networks.models import Channel

    channel = Channel.objects.get(pk=channel_id)
    began = time.perf_counter()
    for index, item in enumerate(items):
        if pages is not None and index and index % 100 == 0:
            pages.append(time.perf_counter() - began)
            began = time.perf_counter()
        identity = Identity.objects.filter(
            workspace_id=channel.workspace_id,
            network=channel.network,
            external_id=item.author.external_id,
        ).first()
        if identity is None:
            customer = Customer.objects.create(
                workspace_id=channel.workspace_id, name=item.author.name
            )
            identity = Identity.objects.create(
                workspace_id=channel.workspace_id,
                customer=customer,
                network=channel.network,
                external_id=item.author.external_id,
                handle=item.author.handle,
                name=item.author.name,
                followers_count=item.author.followers_count,
            )
        conversation, _created = Conversation.objects.get_or_create(
            channel=channel,
            kind="mention",
            thread_key=f"naive {item.data['root']['uri']} {item.author.external_id}",
            defaults={
                "workspace_id": channel.workspace_id,
                "identity": identity,
                "customer_id": identity.customer_id,
                "opened_at": item.created_at,
                "last_message_at": item.created_at,
                "subject": item.text[:200],
            },
        )
        Message(
            workspace_id=channel.workspace_id,
            conversation=conversation,
            channel=channel,
            direction="in",
            kind="mention",
            external_id="naive-" + item.external_id,
            identity=identity,
            text=item.text,
            url=item.url,
            data=item.data,
            created_at=item.created_at,
        ).save()
        conversation.message_count += 1
        conversation.last_message_at = item.created_at
        conversation.last_inbound_at = item.created_at
        conversation.waiting_since = conversation.waiting_since or item.created_at
        conversation.status = "open"
        conversation.save()
    if pages is not None:
        pages.append(time.perf_counter() - began)


def _worker(items: list[Any], channel_id: int, results: Any) -> None:
    """One of ingest_two_workers' processes: ingest_ours on its own channel; reports its
    pages' times, its CPU time and (when traced) its peak traced memory."""
    pages: list[float] = []
    tracing = tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0] if tracing else 0
    cpu = time.process_time()
    ingest_ours(items, channel_id, pages)
    peak = tracemalloc.get_traced_memory()[1] - base if tracing else 0
    results.put((pages, time.process_time() - cpu, peak))


def ingest_two_workers(
    items: list[Any], channel_ids: list[int], pages: list[float] | None = None
) -> dict[str, float]:
    """ingest_ours in two processes at once, each on a channel of its own, half the messages
    each: as webhooks received by the web processes and a poll in the worker are stored at
    the same time. The time is until both are done; CPU is theirs, added."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")  # the models loaded, and Django set up
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(items[k::2], channel_ids[k], results))
        for k in range(2)
    ]
    for worker in workers:
        worker.start()
    reported = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"an ingestion worker failed (exit code {worker.exitcode})")
    if pages is not None:
        pages += [page for done, _cpu, _peak in reported for page in done]
    return {
        "cpu": sum(cpu for _done, cpu, _peak in reported),
        "peak": max(peak for _done, _cpu, peak in reported),
    }


def _one_channel(run: Callable[..., None]) -> Callable[..., None]:
    def on_first(
        items: list[Any], channel_ids: list[int], pages: list[float] | None = None
    ) -> None:
        run(items, channel_ids[0], pages)

    return on_first


INGESTERS: list[tuple[str, Callable[..., dict[str, float] | None]]] = [
    ("naive", _one_channel(ingest_naive)),
    ("one_by_one", _one_channel(ingest_one_by_one)),
    ("ours", _one_channel(ingest_ours)),
    ("ours_two", ingest_two_workers),
]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def measure_ingestion(count: int, channel_ids: list[int]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    traced = max(100, count // 10)
    for seed, (name, run) in enumerate(INGESTERS, start=1):
        # Warm up (language and sentiment models loaded, caches filled), then memory in its
        # own, smaller round (tracemalloc slows Python several times), then the timed round.
        run(_incoming(100, 0, seed * 100), channel_ids)
        gc.collect()
        tracemalloc.start()
        extra = run(_incoming(traced, 100, seed * 100 + 1), channel_ids) or {}
        peak = extra.get("peak") or tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        items = _incoming(count, 100 + traced, seed * 100 + 2)
        gc.collect()
        pages: list[float] = []
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        extra = run(items, channel_ids, pages) or {}
        results[name] = {
            "messages": count,
            "seconds": time.perf_counter() - started,
            # The Python processes' own (the database server's is not counted).
            "cpu": extra.get("cpu", time.process_time() - cpu),
            "p95_page": _p95(pages),
            "peak": peak,
            "load": (load, os.getloadavg()[0]),
        }
    return results


# --- list, filter and search -------------------------------------------------------------------


def scenarios(built: Built) -> list[tuple[str, str, str]]:
    """(label, query string, order): what people click in the list and type in the search."""
    me = built.user_ids[3]
    return [
        ("inbox: open + pending, latest first", "status=open,pending", "recent"),
        ("everything, latest first", "", "recent"),
        ("assigned to me, open", f"assignee={me}&status=open", "recent"),
        ("unassigned, open", "assignee=none&status=open", "recent"),
        ("tag billing", "tag=billing", "recent"),
        ("one channel, open", f"channel={built.channel_ids[2]}&status=open", "recent"),
        ("urgent + negative", "priority=3&sentiment=negative", "recent"),
        ("waiting for us", "waiting=true", "recent"),
        ("target breached", "due=breached", "recent"),
        ("open, soonest due first", "status=open", "due"),
        ("oldest first", "status=pending", "oldest"),
        ("search: a common word (commande)", "q=commande", "recent"),
        ("search: a rare word (Dakar)", "q=dakar", "recent"),
        ("search: accents folded (abime, ete)", "q=abime", "recent"),
        ('search: a phrase ("box was open")', 'q="box was open"', "recent"),
        ("search + filters (refund, open)", "q=refund&status=open", "recent"),
    ]


def _no_index(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """SQLite: every inbox table read NOT INDEXED (rowid lookups stay allowed)."""
    tables = "inbox_conversation|inbox_message|inbox_conversation_tags"
    # After the table and its alias, if any: FROM "inbox_message" U0 NOT INDEXED
    sql = re.sub(rf'((?:FROM|JOIN) "(?:{tables})"(?: [A-Z]\d+)?)', r"\1 NOT INDEXED", sql)
    return execute(sql, params, many, context)


def _naive_queryset(access: Any, query: str, order: str) -> Any:
    """The same filters; the search as `icontains` over messages instead of the index."""
    from django.http import QueryDict

    from hubbub.inbox import queries, search
    from hubbub.inbox.models import Message

    filters = queries.Filters.from_query(QueryDict(query), strict=True)
    q, filters.q = filters.q, ""
    qs = queries.conversations(access, filters, order=order, now=NOW)
    if q:
        parsed = search.parse(q)
        messages = Message.objects.filter(workspace=access.workspace)
        for word in parsed.words:
            messages = messages.filter(text__icontains=word)
        for phrase in parsed.phrases:
            messages = messages.filter(text__icontains=" ".join(phrase))
        qs = qs.filter(id__in=messages.values("conversation_id"))
    return qs


def run_naive(access: Any, query: str, order: str) -> int:
    """The same ORM work as ours (models, select_related, tags), without any index, and
    without ours' two-step page (ids first, then rows) or chunked search."""
    from django.db import connection, transaction

    qs = _naive_queryset(access, query, order)
    if connection.vendor == "sqlite":
        with connection.execute_wrapper(_no_index):
            return len(list(qs[:51])[:50])  # the plain slice: rows joined, then sorted
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        return len(list(qs[:51])[:50])


def run_ours(access: Any, query: str, order: str) -> int:
    from django.http import QueryDict

    from hubbub.inbox import queries

    filters = queries.Filters.from_query(QueryDict(query), strict=True)
    qs = queries.conversations(access, filters, order=order, now=NOW)
    return len(queries.page(qs, order=order, limit=50).items)


def measure_queries(built: Built, runs: int, budget: float) -> list[dict[str, Any]]:
    from hubbub.accounts.models import User
    from hubbub.core.access import access_workspace

    user = User.objects.get(pk=built.user_ids[3])
    access = access_workspace(user, "bench")
    rows = []
    for label, query, order in scenarios(built):
        row: dict[str, Any] = {"label": label}
        for name, run in (("naive", run_naive), ("ours", run_ours)):
            found = run(access, query, order)  # warm the caches up
            gc.collect()
            tracemalloc.start()
            run(access, query, order)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            times = []
            cpu = []
            started = time.perf_counter()
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                run(access, query, order)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                if time.perf_counter() - started > budget:
                    break  # a slow baseline gets fewer runs, never an endless one
            times.sort()
            cpu.sort()
            rank = min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))
            p95 = times[rank]
            row[name] = {
                "p50": statistics.median(times),
                "p95": p95,
                "cpu_p95": cpu[rank],
                "runs": len(times),
                "found": min(found, 50),
                "peak": peak,
            }
        rows.append(row)
    return rows


def _version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        return str(cursor.fetchone()[0])


def _progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def child(
    vendor: str, messages: int, ingest_count: int, runs: int, budget: float, url: str
) -> None:
    data_dir = tempfile.mkdtemp(prefix="hubbub-inbox-bench-")
    try:
        _setup_django(vendor, data_dir, url)
        from django.db import connection

        _progress(f"{vendor}: building {messages:,} messages")
        built = build(messages)
        _progress(f"{vendor}: built in {built.seconds:.0f} s; ingesting")
        ingestion = measure_ingestion(ingest_count, built.channel_ids)
        _progress(f"{vendor}: ingested; list views")
        load_before = os.getloadavg()[0]
        lists = measure_queries(built, runs, budget)
        lists_load = (load_before, os.getloadavg()[0])
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM inbox_message")
            total = cursor.fetchone()[0]
        result = {
            "vendor": vendor,
            "version": _version(),
            "messages": built.messages,
            "conversations": built.conversations,
            "total_after": total,
            "build_seconds": built.seconds,
            "ingestion": ingestion,
            "lists": lists,
            "lists_load": lists_load,
            "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
        print("RESULT " + json.dumps(result), flush=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- the parent: run each database, print the tables -------------------------------------------


def report(result: dict[str, Any]) -> str:
    from bench.measure import kib, table

    lines = [
        f"## Inbox on {result['vendor']} {result['version']}: {result['messages']:,} messages "
        f"in {result['conversations']:,} conversations (built in {result['build_seconds']:.0f} s, "
        f"{result['messages'] / result['build_seconds']:,.0f} rows/s; process peak RSS "
        f"{result['max_rss_kib'] / 1024:,.0f} MiB)",
        "",
    ]
    ing = result["ingestion"]
    rows = []
    for name, label in (
        ("naive", "naive: row by row with the ORM (no NLP, targets or rules)"),
        ("one_by_one", "ingest(), targets and rules per message (before)"),
        ("ours", "ours: ingest() in pages of 100, targets and rules per batch"),
        ("ours_two", "ours, two processes at once (a channel each)"),
    ):
        if name not in ing:
            continue
        m = ing[name]
        rate = m["messages"] / m["seconds"]
        rows.append(
            [
                label,
                f"{m['messages']:,}",
                f"{m['seconds']:.2f}",
                f"{m['cpu']:.2f}",
                f"{rate:,.0f}",
                f"{m['messages'] / m['cpu']:,.0f}",
                f"{m['p95_page'] * 1000:,.0f}",
                kib(m["peak"]),
                f"{m['load'][0]:.1f} → {m['load'][1]:.1f}",
                ("yes" if rate >= INGEST_TARGET else "NO") if name.startswith("ours") else "",
            ]
        )
    lines.append(
        table(
            [
                "ingestion (new mentions; 3 rules)",
                "messages",
                "time (s)",
                "CPU (s)",
                "messages/s",
                "messages/CPU s",
                "p95 per 100 (ms)",
                "peak KiB (traced 1/10)",
                "load avg",
                "≥ 1,000/s",
            ],
            rows,
        )
    )
    lines.append("")
    first, last = result["lists_load"]
    lines.append(f"List views: load average {first:.1f} at the start, {last:.1f} at the end.")
    lines.append("")
    rows = []
    for row in result["lists"]:
        naive, ours = row["naive"], row["ours"]
        rows.append(
            [
                row["label"],
                f"{naive['p50']:.1f}",
                f"{naive['p95']:.1f}",
                f"{naive['cpu_p95']:.1f}",
                f"{ours['p50']:.1f}",
                f"{ours['p95']:.1f}",
                f"{ours['cpu_p95']:.1f}",
                f"{naive['p95'] / ours['p95']:,.1f}x" if ours["p95"] else "",
                f"{kib(naive['peak'])} / {kib(ours['peak'])}",
                f"{naive['found']}/{ours['found']}",
                "yes" if ours["p95"] <= P95_TARGET_MS else "NO",
            ]
        )
    lines.append(
        table(
            [
                "first page of 50",
                "naive p50 ms",
                "naive p95 ms",
                "naive CPU p95 ms",
                "ours p50 ms",
                "ours p95 ms",
                "ours CPU p95 ms",
                "speed-up (p95)",
                "peak KiB naive / ours",
                "rows naive/ours",
                "p95 ≤ 100 ms",
            ],
            rows,
        )
    )
    return "\n".join(lines)


def _fresh_postgres(url: str) -> str:
    from bench.dispatch import _fresh_postgres as fresh

    try:
        fresh(url)
    except Exception as exc:  # no server: said, and skipped
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_bench", description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--ingest", type=int, default=5000, help="messages ingested per variant (default 5000)"
    )
    parser.add_argument("--runs", type=int, default=30, help="runs per list view (default 30)")
    parser.add_argument(
        "--budget", type=float, default=20, help="seconds at most per list view and variant"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="created, used and dropped")
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.messages, args.ingest, args.runs) <= 0:
        parser.error("--messages, --ingest and --runs must be above 0")
    if args.child:
        child(args.child, args.messages, args.ingest, args.runs, args.budget, args.database_url)
        return 0
    vendors = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}\n",
        flush=True,
    )
    status = 0
    for vendor in vendors:
        if vendor == "postgresql":
            why = _fresh_postgres(args.database_url)
            if why:
                print(f"PostgreSQL skipped: {why}\n", flush=True)
                continue
        command = [
            sys.executable,
            "-m",
            "bench.inbox_bench",
            "--child",
            vendor,
            "--messages",
            str(args.messages),
            "--ingest",
            str(args.ingest),
            "--runs",
            str(args.runs),
            "--budget",
            str(args.budget),
            "--database-url",
            args.database_url,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if vendor == "postgresql":
            from bench.dispatch import _drop_postgres

            _drop_postgres(args.database_url)
        if done.returncode != 0 or not lines:
            print(f"{vendor} failed (its error is above).", flush=True)
            status = 1
            continue
        print(report(json.loads(lines[-1][len("RESULT ") :])), flush=True)
        print(f"\n({vendor}: {time.perf_counter() - started:.0f} s in all)\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
