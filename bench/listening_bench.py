"""Listening at speed: the enrichment pipeline with 1,000 queries, and how fast a burst alerts.

    .venv/bin/python -m bench.listening_bench                     # 100,000 mentions
    .venv/bin/python -m bench.listening_bench --mentions 20000    # a quicker run

On the embedded default (a throw-away SQLite file in WAL mode, as `hubbub serve` uses).

1. Pipeline (measured): mentions as sources hand them over, in batches of 500, through
   hubbub.listening.pipeline.process — normalise, already-stored check, language,
   de-duplication, sentiment, matching against 1,000 queries, and storing mentions and
   matches — in one process, then in two processes at once (a worker per CPU, as
   `hubbub worker` scales, each with its share of the sources), beside a naive baseline run
   in the same benchmark: each query as a regular expression tried on each mention, and
   rows inserted one by one (Mention.objects.create, then MentionMatch.objects.create per
   query that matched), language and sentiment as ours. The baseline runs on fewer mentions
   (--baseline-mentions): it is some fifty times slower. Peak memory: tracemalloc over one
   batch of each variant.
2. Alert latency (measured on a simulated clock, the work itself timed for real): a query
   used to about 60 mentions an hour, learned from two days of history; a source read every
   30 seconds; then a tenfold burst, three in four of it negative. The figure is the time
   from the first mention of the burst arriving (the read that fetched it) to the alert
   delivered (in-app notice written and e-mail handed to the mail backend).

Targets (issue 6): ≥ 5,000 mentions/s end to end on this 2-CPU machine; alert ≤ 60 s.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

PIPELINE_TARGET = 5000.0
LATENCY_TARGET = 60.0
BATCH = 500
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

BRANDS = [
    f"{a}{b}"
    for a in ("zen", "nova", "orbi", "kali", "vexa", "lumo", "tari", "poly", "quan", "mira")
    for b in ("tek", "bank", "air", "shop", "food", "home", "play", "care", "mobil", "wave")
]
PRODUCTS = [
    "phone",
    "app",
    "card",
    "flight",
    "order",
    "subscription",
    "router",
    "coffee",
    "jacket",
    "car",
    "game",
    "update",
    "delivery",
    "account",
    "loan",
    "hotel room",
]
FR_PRODUCTS = [
    "téléphone",
    "appli",
    "carte",
    "vol",
    "commande",
    "abonnement",
    "box",
    "café",
    "veste",
    "voiture",
    "jeu",
    "mise à jour",
    "livraison",
    "compte",
    "prêt",
]
EN = [
    "Honestly the new {b} {p} is great, {x} and the battery {y}",
    "{b} support kept me on hold for {n} minutes about my {p}, {z}",
    "Has anyone else had their {b} {p} {w}? asking before I {v}",
    "@{b} my {p} arrived {n} days late and the box was {q} #fail",
    "Loving the {b} {p} so far, {x}, would {v} again 👍",
    "{b} just announced a new {p} for {m}, price not given yet",
    "why does {b} keep {w} my {p}?? third time this {t}",
    "shoutout to the {b} team who fixed my {p} in {n} minutes, {x}",
    "Not sure about {b} anymore, the {p} {y} and nobody answers",
    "{b} {p} review after {n} weeks: {x}, but {z}",
]
FR = [
    "Franchement le nouveau {p} {b} est top, {xf}",
    "Le service client {b} m'a fait attendre {n} minutes pour mon {p}, {zf}",
    "Quelqu'un a eu un souci avec {p} {b} ? je pense {vf}",
    "@{b} ma {p} est arrivée avec {n} jours de retard, {zf} #colère",
    "J'adore {b}, le {p} marche nickel depuis {n} semaines 😍",
    "{b} annonce un nouveau {p} pour {mf}, prix encore inconnu",
    "Pourquoi {b} bloque encore mon {p} ?? c'est la {n}e fois",
    "Merci à l'équipe {b} qui a réparé mon {p} en {n} minutes",
]
FILL = {
    "x": [
        "setup took two minutes",
        "the screen is gorgeous",
        "shipping was quick",
        "the staff were lovely",
        "it just works",
        "the design is clean",
    ],
    "y": ["lasts forever", "dies by noon", "overheats", "charges in no time", "keeps crashing"],
    "z": [
        "never again",
        "still waiting for a refund",
        "what a joke",
        "not impressed",
        "pretty annoying",
        "they did apologise at least",
    ],
    "w": ["freezing", "cancelling", "double charging", "losing", "resetting", "blocking"],
    "v": ["buy one", "switch", "recommend it", "renew", "complain", "try it"],
    "q": ["crushed", "open", "wet", "empty", "fine"],
    "m": ["spring", "the holidays", "students", "small businesses", "next month"],
    "t": ["week", "month", "year"],
    "xf": ["livraison rapide", "rien à redire", "super design", "équipe adorable"],
    "zf": ["inadmissible", "toujours pas remboursé", "plus jamais", "quelle honte", "bof"],
    "vf": ["le rendre", "changer", "le recommander", "résilier"],
    "mf": ["le printemps", "les fêtes", "les étudiants", "le mois prochain"],
}
ADJ = "(late OR retard* OR broken OR cassé* OR refund OR rembours*)"


def queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` queries of the shapes people write: a brand, its tag and account, a phrase,
    complaints near the brand, exclusions, a language filter."""
    found: list[tuple[str, str]] = []
    for index in range(count):
        brand = BRANDS[index % len(BRANDS)]
        product = rng.choice(PRODUCTS)
        shape = index // len(BRANDS) % 5
        text = [
            f"{brand} OR #{brand} OR @{brand}",
            f'"{brand} {product}" OR ({brand} {product.split()[0]}*)',
            f"{brand} NEAR/5 {ADJ}",
            f"{brand} NOT (job OR jobs OR hiring) NOT #ad",
            f"({brand} OR #{brand}) lang:fr",
        ][shape]
        found.append((f"{brand} {index}", text))
    return found


def mention_texts(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    for index in range(count):
        if items and rng.random() < 0.05:  # a repost of something recent
            earlier = items[rng.randrange(max(0, len(items) - 2000), len(items))]
            text = f"RT @{rng.choice(BRANDS)}fan: {earlier['text']}"
        else:
            french = rng.random() < 0.35
            template = rng.choice(FR if french else EN)
            values = {key: rng.choice(options) for key, options in FILL.items()}
            text = template.format(
                b=rng.choice(BRANDS) if rng.random() < 0.8 else rng.choice(["bob", "paris", "ok"]),
                p=rng.choice(FR_PRODUCTS if french else PRODUCTS),
                n=rng.randint(2, 90),
                **values,
            )
        items.append(
            {
                "external_id": f"at://did:plc:{seed}/{index}",
                "text": text,
                "published_at": NOW - timedelta(seconds=count - index),
                "url": f"https://bsky.app/profile/u{index % 3000}/post/{seed}x{index}",
                "author_handle": f"@u{index % 3000}.bsky.social",
                "author_reach": rng.randint(0, 50_000),
            }
        )
    return items


# --- one process ---------------------------------------------------------------------------


def setup(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubbub.settings"
    os.environ["HUBBUB_DATA_DIR"] = data_dir
    os.environ["HUBBUB_JOBS_IMMEDIATE"] = "true"
    os.environ["HUBBUB_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("HUBBUB_REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)


def workspace(slug: str, query_count: int) -> int:
    from hubbub.core.models import Workspace
    from hubbub.listening.models import Query

    created = Workspace.objects.create(name=slug, slug=slug, time_zone="Europe/Paris")
    rng = random.Random(7)
    Query.objects.bulk_create(
        [
            Query(workspace=created, name=name, text=text, created_at=NOW, updated_at=NOW)
            for name, text in queries(query_count, rng)
        ]
    )
    return created.pk


def found_of(rows: Sequence[dict[str, Any]]) -> list[Any]:
    from hubbub.listening.pipeline import Found

    return [Found(network="bluesky", **row) for row in rows]


def run_ours(workspace_id: int, rows: Sequence[dict[str, Any]]) -> None:
    from hubbub.core.models import Workspace
    from hubbub.listening.pipeline import process

    found = found_of(rows)
    space = Workspace.objects.get(pk=workspace_id)
    for start in range(0, len(found), BATCH):
        process(space, found[start : start + BATCH], now=NOW)


def _regex(text: str) -> re.Pattern[str]:
    """The naive reading of a query: any of its words, as one regular expression (NOT,
    NEAR and filters ignored — the baseline is faster for it, not slower)."""
    words = re.findall(r"[#@]?\w+\*?", text.replace(" OR ", " ").replace(" NOT ", " "))
    words = [w for w in words if w not in {"AND", "NEAR", "lang"} and not w.isdigit()]
    parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else r"\b") for w in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def run_naive(workspace_id: int, rows: Sequence[dict[str, Any]]) -> None:
    from hubbub.listening.models import Mention, MentionMatch, Query
    from hubbub.nlp import detect
    from hubbub.nlp.sentiment import analyze

    patterns = [
        (pk, _regex(text))
        for pk, text in Query.objects.filter(workspace_id=workspace_id).values_list("pk", "text")
    ]
    for row in rows:
        language = detect(row["text"])
        label, score = analyze(row["text"], language)
        mention = Mention.objects.create(
            workspace_id=workspace_id,
            network="bluesky",
            language=language,
            sentiment=label,
            sentiment_score=score,
            **row,
        )
        for pk, pattern in patterns:
            if pattern.search(mention.text):
                MentionMatch.objects.create(
                    workspace_id=workspace_id,
                    query_id=pk,
                    mention=mention,
                    published_at=mention.published_at,
                    sentiment=label,
                )


def peak(run: Any, workspace_id: int, rows: Sequence[dict[str, Any]]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run(workspace_id, rows)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _share(args: tuple[str, int, list[dict[str, Any]]]) -> float:
    data_dir, workspace_id, rows = args
    setup(data_dir)
    started = time.perf_counter()
    run_ours(workspace_id, rows)
    return time.perf_counter() - started


def two_processes(data_dir: str, workspace_id: int, rows: list[dict[str, Any]]) -> float:
    """Both halves at once, each in its own process (spawned: a fresh interpreter, as a
    second `hubbub worker` is); the wall time from start to the last one done."""
    from django.db import connections

    connections.close_all()
    halves = [rows[0::2], rows[1::2]]
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        # Warm both up (imports, Django, models, the first batch) before the clock starts.
        pool.map(_share, [(data_dir, workspace_id, found[:BATCH]) for found in halves])
        started = time.perf_counter()
        pool.map(_share, [(data_dir, workspace_id, found[BATCH:]) for found in halves])
        return time.perf_counter() - started


# --- alert latency -------------------------------------------------------------------------


def alert_latency(workspace_id: int) -> dict[str, float]:
    """See the module docstring. Returns the simulated latency and the real work time."""
    import time_machine

    from hubbub.accounts.models import User
    from hubbub.core.models import Membership, Notification, Workspace
    from hubbub.listening import alerts, pipeline, spikes
    from hubbub.listening.models import ListeningAlert, Query

    space = Workspace.objects.get(pk=workspace_id)
    owner = User.objects.create_user(email="owner@example.com", password="x" * 16)
    Membership.objects.create(workspace=space, user=owner, role="owner")
    query = Query.objects.create(
        workspace=space,
        name="Latency",
        text="quorbex",
        created_at=NOW - timedelta(days=2),
        updated_at=NOW - timedelta(days=2),
    )
    rng = random.Random(11)
    calm = [
        "quorbex coffee this morning, nice",
        "trying the quorbex app today",
        "quorbex shop is open late on fridays",
    ]
    angry = [
        "quorbex charged me twice, this is a scam 😡",
        "quorbex lost my order and refuses a refund, terrible",
        "worst service ever quorbex, never again",
        "quorbex app deleted my data, awful",
    ]
    # Two days of history at about 60 an hour, read in the past (not a burst).
    history: list[dict[str, Any]] = []
    start = NOW - timedelta(days=2)
    moment = start
    while moment < NOW:
        moment += timedelta(seconds=rng.expovariate(1 / 60))
        history.append({"text": rng.choice(calm), "published_at": moment})
    burst_start = NOW + timedelta(minutes=5)
    stream: list[dict[str, Any]] = []
    moment = NOW
    while moment < burst_start + timedelta(minutes=5):
        rate = 600 if moment >= burst_start else 60  # an hour
        moment += timedelta(seconds=rng.expovariate(rate / 3600))
        pool = angry if moment >= burst_start and rng.random() < 0.75 else calm
        stream.append({"text": rng.choice(pool), "published_at": moment})

    def found(rows: list[dict[str, Any]], offset: int) -> list[Any]:
        return [
            pipeline.Found(
                network="bluesky",
                external_id=f"lat{offset + i}",
                text=f"{row['text']} ({offset + i})",
                published_at=row["published_at"],
            )
            for i, row in enumerate(rows)
        ]

    with time_machine.travel(NOW, tick=False):
        pipeline.process(space, found(history, 0), now=NOW)
        alerts.check_queries(space.pk, [query.pk], NOW)  # learns the two days
    work = 0.0
    clock = NOW
    read_every = timedelta(seconds=30)
    follow_ups: list[datetime] = []
    first_arrival: datetime | None = None
    delivered: datetime | None = None
    index = 0
    offset = len(history)
    while clock < burst_start + timedelta(minutes=5) and delivered is None:
        clock += timedelta(seconds=1)
        due = [t for t in follow_ups if t <= clock]
        fetch = (clock - NOW) % read_every == timedelta(0)
        if not fetch and not due:
            continue
        with time_machine.travel(clock, tick=False):
            started = time.perf_counter()
            if fetch:
                batch = []
                while index < len(stream) and stream[index]["published_at"] <= clock:
                    batch.append(stream[index])
                    index += 1
                if first_arrival is None and any(r["published_at"] >= burst_start for r in batch):
                    first_arrival = clock
                pipeline.process(space, found(batch, offset), now=clock)
                offset += len(batch)
            for moment in due:
                follow_ups.remove(moment)
            raised = alerts.check_queries(space.pk, [query.pk], clock)
            for alert in raised:
                alerts.send(alert)
            state = Query.objects.get(pk=query.pk).spike_state
            if state.get("burst_since") and not follow_ups and not raised:
                follow_ups.append(clock + spikes.PERSIST + timedelta(seconds=1))
            work += time.perf_counter() - started
        if raised and Notification.objects.filter(user=owner).exists():
            delivered = clock
    raised_alert = ListeningAlert.objects.filter(query=query).first()
    if first_arrival is None or delivered is None or raised_alert is None:
        return {"latency": float("inf"), "work": work, "crisis": 0.0}
    return {
        "latency": (delivered - first_arrival).total_seconds(),
        "work": work,
        "crisis": 1.0 if raised_alert.severity == "crisis" else 0.0,
    }


# --- report --------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    from bench.measure import table as markdown

    return markdown(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.listening_bench", description=__doc__)
    parser.add_argument("--mentions", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--queries", type=int, default=1000, help="default 1,000")
    parser.add_argument(
        "--baseline-mentions", type=int, default=2000, help="for the naive baseline (2,000)"
    )
    args = parser.parse_args(argv)
    if min(args.mentions, args.queries, args.baseline_mentions) <= 0:
        parser.error("--mentions, --queries and --baseline-mentions must be above 0")
    data_dir = tempfile.mkdtemp(prefix="hubbub-listening-bench-")
    try:
        return _run(args, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(args: argparse.Namespace, data_dir: str) -> int:
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}; SQLite (WAL), "
        f"{args.queries:,} queries\n",
        flush=True,
    )
    setup(data_dir)
    from hubbub.nlp import detect
    from hubbub.nlp.sentiment import analyze

    detect("warming the language model up")
    analyze("warm up", "en"), analyze("chauffe", "fr")
    ours_ws = workspace("ours", args.queries)
    naive_ws = workspace("naive", args.queries)
    two_ws = workspace("two", args.queries)
    rows = mention_texts(args.mentions, seed=1)
    naive_rows = mention_texts(args.baseline_mentions + BATCH, seed=2)
    two_rows = mention_texts(args.mentions + 2 * BATCH, seed=3)

    memory = {
        "ours": peak(run_ours, ours_ws, rows[:BATCH]),
        "naive": peak(run_naive, naive_ws, naive_rows[:BATCH]),
    }
    results: list[tuple[str, int, float, int | None]] = []
    started = time.perf_counter()
    run_ours(ours_ws, rows[BATCH:])
    results.append(
        ("ours, one process", len(rows) - BATCH, time.perf_counter() - started, memory["ours"])
    )
    print(f"  ours, one process: {results[-1][1] / results[-1][2]:,.0f}/s", flush=True)
    seconds = two_processes(data_dir, two_ws, two_rows)
    results.append(("ours, two processes", len(two_rows) - 2 * BATCH, seconds, None))
    print(f"  ours, two processes: {results[-1][1] / results[-1][2]:,.0f}/s", flush=True)
    started = time.perf_counter()
    run_naive(naive_ws, naive_rows[BATCH:])
    results.append(
        (
            "naive: regex per query, row by row",
            args.baseline_mentions,
            time.perf_counter() - started,
            memory["naive"],
        )
    )
    print(f"  naive: {results[-1][1] / results[-1][2]:,.0f}/s\n", flush=True)

    print("Pipeline (normalise, language, dedupe, sentiment, match, store):\n")
    baseline_rate = results[-1][1] / results[-1][2]
    print(
        table(
            ["variant", "mentions", "seconds", "mentions/s", "vs naive", "peak KiB / batch"],
            [
                [
                    name,
                    f"{count:,}",
                    f"{seconds:,.1f}",
                    f"{count / seconds:,.0f}",
                    f"{count / seconds / baseline_rate:,.1f}x",
                    f"{peak_bytes / 1024:,.0f}" if peak_bytes is not None else "(per process)",
                ]
                for name, count, seconds, peak_bytes in results
            ],
        )
    )
    best = max(count / seconds for name, count, seconds, _p in results if name.startswith("ours"))
    verdict = "met" if best >= PIPELINE_TARGET else "NOT met"
    print(
        f"\nTarget ≥ {PIPELINE_TARGET:,.0f} mentions/s: {verdict} ({best:,.0f}/s at best).\n",
        flush=True,
    )

    latency = alert_latency(workspace("latency", 1))
    print("Alert latency (a tenfold burst; source read every 30 s):\n")
    print(
        table(
            ["first burst mention arrived → alert delivered", "work done meanwhile", "severity"],
            [
                [
                    f"{latency['latency']:.0f} s",
                    f"{latency['work']:.2f} s",
                    "crisis" if latency.get("crisis") else "spike",
                ]
            ],
        )
    )
    met = latency["latency"] <= LATENCY_TARGET
    print(f"\nTarget ≤ {LATENCY_TARGET:.0f} s: {'met' if met else 'NOT met'}.", flush=True)
    return 0 if best >= PIPELINE_TARGET and met else 1


if __name__ == "__main__":
    raise SystemExit(main())
