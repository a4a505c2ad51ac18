"""Measure at a year's size: the Results page for 50 channels x 20 posts a day, and a naive
per-post computation over the same data, in the same run.

    .venv/bin/python -m bench.measure_bench                           # SQLite, then PostgreSQL
    .venv/bin/python -m bench.measure_bench --database sqlite --days 30   # a quicker run

Each database is measured in its own process (SQLite: a throw-away file in WAL mode, as
`hubbub serve` uses; PostgreSQL: `hubbub_measure_bench` at 127.0.0.1:5432, created and
dropped by the benchmark, skipped with the reason when there is no server).

The data, written with bulk inserts (COPY on PostgreSQL) and timed apart from the report:

- one workspace (Europe/Paris), its owner, `--channels` channels;
- `--posts-per-day` published posts a channel a day over the `--days` local days ending
  today (today's up to now): 365,000 posts by default, each a Post, PostVariant and
  Delivery as the dispatcher leaves them;
- daily post readings (PostSnapshot): one a day, 1 to 7 days after the post went out (those
  due by now), counts growing day by day — about 2.55 million rows. Collection
  (hubbub.measure.collection) reads a post hourly for three days and then daily until it is
  ninety days old, which would be some 158 readings a post and 58 million rows: more than
  this machine builds in a benchmark's time. A week of daily readings keeps each post's
  history long enough for what the page reads (the latest reading before the period's end,
  and the best-time score's reading a week after publishing), and the baseline, which reads
  every reading, is only flattered by the shorter history;
- each post's latest counts (LatestCounts, what hubbub.measure.latest.refresh copies as
  collection and the demo write readings), written with the readings: refresh() looks each
  post up, minutes at this size; the check against the baseline below covers them;
- a daily ChannelSnapshot per channel from two days before the first day up to today.

What is timed:

- ours: the one-year report, i.e. the Results page (`measure:overview`, `period=365`,
  compared with the previous period) rendered by Django's test client for the signed-in
  owner: totals and their change, the channel table with followers, the daily series and
  its chart, the best and weakest posts and the best time to post with its backtest. The
  median of `--rounds` renders after a warm-up render; peak memory is tracemalloc's over
  one more render.
- naive: the same figures the way a first version would get them: the period's posts, then
  for each post a query for its readings, the latest before the period's end picked in
  Python and added up in Python (totals, per channel, per day, best and weakest), the
  reading a week after publishing for the best-time scores (the same heatmap,
  recommendation and backtest code), a query per channel for followers. Measured once,
  whole; its peak memory over its first `--naive-traced` posts (what it holds does not grow
  with the posts: one post's readings at a time and the running sums).

The two are checked to find the same totals before anything is printed.

Target (the issue): the one-year report renders in ≤ 2 s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from bench.bulk import insert
from bench.measure import kib, table

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/hubbub_measure_bench"
TARGET = 2.0
ZONE = ZoneInfo("Europe/Paris")
READINGS = 7  # daily readings a post, 1 to 7 days after it went out
NETWORKS = ("bluesky", "mastodon", "facebook", "instagram", "linkedin", "threads")


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


def build(channels: int, per_day: int, days: int, seed: int = 3) -> dict[str, Any]:
    """The data described in the module docstring; returns ids and counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hubbub.accounts.models import User
    from hubbub.core.models import Membership, Workspace
    from hubbub.core.roles import Role
    from hubbub.measure import latest
    from hubbub.networks.models import Channel

    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()
    today = now.astimezone(ZONE).date()
    first_day = today - timedelta(days=days - 1)
    workspace = Workspace.objects.create(name="Bench", slug="bench", time_zone=ZONE.key)
    owner = User.objects.create_user("owner@example.com", None)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    made = [
        Channel.objects.create(
            workspace=workspace,
            network=NETWORKS[index % len(NETWORKS)],
            external_id=f"brand-{index}",
            handle=f"@brand{index}",
        )
        for index in range(channels)
    ]
    channel_ids = [c.pk for c in made]
    sqlite = connection.vendor == "sqlite"

    def ts(moment: datetime) -> Any:
        # Stored as Django stores it: naive UTC text on SQLite, a timestamptz on PostgreSQL.
        return connection.ops.adapt_datetimefield_value(moment) if sqlite else moment

    # Each channel's audience decides how its posts do (a big account, a small one).
    audience = {pk: rng.uniform(500, 50_000) for pk in channel_ids}
    posts: list[tuple[int, int, datetime]] = []  # (id, channel, published_at)
    for day_index in range(days):
        day = first_day + timedelta(days=day_index)
        midnight = datetime.combine(day, clock(), ZONE)
        span = (
            (now - midnight).total_seconds() if day == today else 86400.0
        )  # today: up to now only
        for channel_id in channel_ids:
            for _n in range(per_day):
                # Mostly office hours, some evening: a realistic spread over the heatmap.
                offset = min(
                    span - 1, rng.triangular(6 * 3600, 23 * 3600, 13 * 3600) * span / 86400
                )
                moment = (midnight + timedelta(seconds=max(0.0, offset))).astimezone(ZONE)
                posts.append((len(posts) + 1, channel_id, moment))
    parts = json.dumps(["A post of ours, with a link https://example.com/p"])
    with transaction.atomic():
        insert(
            "publishing_post",
            [
                "id",
                "workspace_id",
                "purpose",
                "status",
                "scheduled_at",
                "approval_round",
                "rrule",
                "kind",
                "created_at",
                "updated_at",
            ],
            (
                (pk, workspace.pk, "bench", "published", ts(at), 0, "", "post", ts(at), ts(at))
                for pk, _c, at in posts
            ),
        )
        insert(
            "publishing_postvariant",
            ["id", "post_id", "channel_id", "parts", "first_comment", "link", "language"],
            ((pk, pk, channel, parts, "", "", "en") for pk, channel, _at in posts),
        )
        insert(
            "publishing_delivery",
            [
                "id",
                "workspace_id",
                "post_id",
                "variant_id",
                "channel_id",
                "status",
                "due_at",
                "next_attempt_at",
                "claimed_by",
                "attempt_count",
                "retry_count",
                "published_refs",
                "published_url",
                "published_at",
                "last_error",
                "network_message",
                "updated_at",
            ],
            (
                (
                    pk,
                    workspace.pk,
                    pk,
                    pk,
                    channel,
                    "published",
                    ts(at),
                    ts(at),
                    "",
                    1,
                    0,
                    json.dumps([{"external_id": f"x{pk}", "url": f"https://n.example/{pk}"}]),
                    f"https://n.example/{pk}",
                    ts(at),
                    "",
                    "",
                    ts(at),
                )
                for pk, channel, at in posts
            ),
        )

        copies: list[tuple[Any, ...]] = []  # LatestCounts, made with the readings

        def snapshots() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for delivery, channel, at in posts:
                last: tuple[Any, ...] | None = None
                week: tuple[Any, int] | None = None
                appeal = audience[channel] * rng.lognormvariate(0, 0.6) / 100
                shown = rng.random() < 0.7  # some networks give no impressions: NULL, not 0
                for day in range(1, READINGS + 1):
                    taken = at + timedelta(days=day, minutes=rng.randint(0, 4))
                    if taken > now:
                        break
                    grown = 1 - 0.5**day  # most of a post's engagement comes in its first days
                    likes = int(appeal * grown)
                    impressions = int(appeal * 40 * grown) if shown else None
                    pk += 1
                    counts = (
                        likes,
                        likes // 8,
                        likes // 15,
                        impressions,
                        int(impressions * 0.7) if impressions is not None else None,
                        None,
                        likes // 5,
                        likes // 30,
                    )
                    yield (pk, workspace.pk, channel, delivery, ts(taken), *counts)
                    # likes + comments + shares + saves + clicks: all known here
                    engaged = counts[0] + counts[1] + counts[2] + counts[6] + counts[7]
                    last = (taken, pk, counts, engaged)
                    if taken <= at + timedelta(days=latest.SETTLED_DAYS):
                        week = (taken, engaged)
                if last is not None:
                    taken, pk_last, counts, engaged = last
                    copies.append(
                        (
                            delivery,
                            workspace.pk,
                            channel,
                            ts(at),
                            ts(taken),
                            pk_last,
                            *counts,
                            engaged,
                            ts(week[0]) if week else None,
                            week[1] if week else None,
                        )
                    )

        insert(
            "measure_postsnapshot",
            [
                "id",
                "workspace_id",
                "channel_id",
                "delivery_id",
                "taken_at",
                "likes",
                "shares",
                "comments",
                "impressions",
                "reach",
                "views",
                "clicks",
                "saves",
            ],
            snapshots(),
        )

        # What hubbub.measure.latest.refresh() would copy (collection and the demo call it
        # as they write readings), written here with the readings: refresh() looks each post
        # up, which at this size takes minutes. The totals are checked against the naive
        # baseline's, which reads the readings themselves.
        insert(
            "measure_latestcounts",
            [
                "delivery_id",
                "workspace_id",
                "channel_id",
                "published_at",
                "taken_at",
                "snapshot_id",
                "likes",
                "shares",
                "comments",
                "impressions",
                "reach",
                "views",
                "clicks",
                "saves",
                "engagements",
                "week_taken_at",
                "week_engagements",
            ],
            iter(copies),
        )

        def channel_rows() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for channel_id in channel_ids:
                followers = audience[channel_id] * 20
                for day_index in range(-2, days):
                    taken = datetime.combine(first_day + timedelta(days=day_index), clock(4), ZONE)
                    if taken > now:
                        break
                    followers *= 1 + rng.uniform(-0.001, 0.004)
                    pk += 1
                    yield (pk, workspace.pk, channel_id, ts(taken), int(followers), 300, 0, None)

        insert(
            "measure_channelsnapshot",
            [
                "id",
                "workspace_id",
                "channel_id",
                "taken_at",
                "followers",
                "following",
                "posts",
                "profile_views",
            ],
            channel_rows(),
        )
    if not sqlite:
        _reset_sequences()
    inserted = time.perf_counter() - started
    _analyze()
    from hubbub.measure.models import PostSnapshot

    return {
        "workspace": workspace.slug,
        "workspace_id": workspace.pk,
        "owner": owner.pk,
        "posts": len(posts),
        "snapshots": PostSnapshot.objects.count(),
        "build_seconds": inserted,
    }


def _reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from hubbub.measure.models import ChannelSnapshot, PostSnapshot
    from hubbub.publishing.models import Delivery, Post, PostVariant

    models = [Post, PostVariant, Delivery, PostSnapshot, ChannelSnapshot]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _analyze() -> None:
    """Fresh statistics, as autovacuum (PostgreSQL) or `hubbub serve`'s optimize (SQLite)
    would have after a year of use: the planner would otherwise guess at empty tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- ours: the page ------------------------------------------------------------------------


def render_page(client: Any, url: str) -> int:
    response = client.get(url, {"period": "365"})
    if response.status_code != 200:
        raise RuntimeError(f"the Results page answered {response.status_code}")
    return len(response.content)


# --- the naive baseline ----------------------------------------------------------------------


def naive_report(workspace_id: int, limit: int | None = None) -> dict[str, Any]:
    """The figures of the Results page, a post at a time (see the module docstring)."""
    from django.utils import timezone

    from hubbub.measure import besttime, formulas
    from hubbub.measure.models import POST_COUNTS, ChannelSnapshot, PostSnapshot
    from hubbub.measure.periods import period_of
    from hubbub.publishing.models import Delivery

    now = timezone.now()
    period, _preset = period_of({"period": "365"}, ZONE, now.astimezone(ZONE).date())
    result: dict[str, Any] = {}
    for name, span in (("now", period), ("before", period.previous())):
        posts = Delivery.objects.filter(
            workspace_id=workspace_id,
            status="published",
            published_at__gte=span.start,
            published_at__lt=span.end,
        ).values_list("pk", "channel_id", "published_at")
        if limit is not None:
            posts = posts.order_by("pk")[:limit]
        totals: dict[str, int | None] = dict.fromkeys(POST_COUNTS)
        per_channel: dict[int, dict[str, int | None]] = defaultdict(
            lambda: dict.fromkeys(POST_COUNTS)
        )
        per_day: dict[Any, int] = defaultdict(int)
        ranked: list[tuple[int, int]] = []
        settled: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        count = measured = 0
        for pk, channel_id, published_at in posts:
            count += 1
            assert published_at is not None  # the filter above asked for published posts
            readings = list(
                PostSnapshot.objects.filter(delivery_id=pk).values("pk", "taken_at", *POST_COUNTS)
            )
            before_end = [r for r in readings if r["taken_at"] < span.end]
            if before_end:
                measured += 1
                last = max(before_end, key=lambda r: (r["taken_at"], r["pk"]))
                for key in POST_COUNTS:
                    if last[key] is not None:
                        totals[key] = (totals[key] or 0) + last[key]
                        per_channel[channel_id][key] = (per_channel[channel_id][key] or 0) + last[
                            key
                        ]
                engaged = formulas.engagements(last)
                if engaged is not None:
                    per_day[published_at.astimezone(ZONE).date()] += engaged
                    ranked.append((engaged, pk))
            if name == "now" and now - besttime.WINDOW <= published_at <= now - besttime.SETTLED:
                week = [r for r in readings if r["taken_at"] <= published_at + besttime.SETTLED]
                if week:
                    chosen = max(week, key=lambda r: (r["taken_at"], r["pk"]))
                    engaged = formulas.engagements(chosen)
                    if engaged is not None:
                        settled[channel_id].append((published_at, engaged))
        ranked.sort()
        result[name] = {
            "posts": count,
            "measured": measured,
            "counts": totals,
            "best": [pk for _e, pk in ranked[-5:]],
            "weakest": [pk for _e, pk in ranked[:5]],
            "days": len(per_day),
            "channels": len(per_channel),
        }
        if name == "now":
            scored = []
            for found in settled.values():
                usual = statistics.median(e for _w, e in found) or 1
                for published_at, engaged in found:
                    local = published_at.astimezone(ZONE)
                    slot = (local.weekday(), local.hour)
                    scored.append(besttime.Scored(published_at.timestamp(), slot, engaged / usual))
            scored.sort()
            besttime.heatmap(scored)
            besttime.recommend(scored)
            besttime.backtest(scored, now.astimezone(ZONE))
            followers = {}
            for channel_id in {c for c in per_channel}:
                readings = list(
                    ChannelSnapshot.objects.filter(
                        channel_id=channel_id, taken_at__lt=span.end
                    ).values_list("taken_at", "followers")
                )
                start = [f for t, f in readings if t < span.start and f is not None]
                end = [f for _t, f in readings if f is not None]
                if start and end:
                    followers[channel_id] = (start[-1], end[-1])
            result["followers"] = len(followers)
    return result


def _traced(run: Any) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def child(vendor: str, options: dict[str, Any]) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="hubbub-measure-bench-")
    try:
        _setup_django(vendor, data_dir, options["database_url"])
        return _measure(vendor, options)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _measure(vendor: str, options: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from hubbub.accounts.models import User
    from hubbub.measure import reports
    from hubbub.measure.periods import period_of

    _progress(f"{vendor}: building the data")
    built = build(options["channels"], options["posts_per_day"], options["days"])
    _progress(
        f"{vendor}: {built['posts']:,} posts, {built['snapshots']:,} readings in "
        f"{built['build_seconds']:.0f} s"
    )
    client = Client(HTTP_HOST="localhost")  # an allowed host of the default settings
    client.force_login(User.objects.get(pk=built["owner"]))
    url = reverse("measure:overview", args=[built["workspace"]])
    render_page(client, url)  # warm-up: templates, imports, the database's cache
    times = []
    for _round in range(options["rounds"]):
        gc.collect()
        started = time.perf_counter()
        size = render_page(client, url)
        times.append(time.perf_counter() - started)
    ours_peak = _traced(lambda: render_page(client, url))
    _progress(f"{vendor}: ours {statistics.median(times):.2f} s; now the naive baseline")

    period, _preset = period_of({"period": "365"}, ZONE, timezone.now().astimezone(ZONE).date())
    ours_totals = reports.totals(reports.Scope(built["workspace_id"]), period)
    started = time.perf_counter()
    naive = naive_report(built["workspace_id"])
    naive_seconds = time.perf_counter() - started
    naive_peak = _traced(lambda: naive_report(built["workspace_id"], options["naive_traced"]))
    same = (
        naive["now"]["posts"] == ours_totals.posts
        and naive["now"]["measured"] == ours_totals.measured
        and naive["now"]["counts"] == ours_totals.counts
    )
    if not same:
        raise RuntimeError(
            f"naive and ours disagree: {naive['now']} against {ours_totals.posts} posts, "
            f"{ours_totals.measured} measured, {ours_totals.counts}"
        )
    return {
        "vendor": vendor,
        "version": _version(connection),
        "built": built,
        "page_bytes": size,
        "ours": {"seconds": statistics.median(times), "all": times, "peak": ours_peak},
        "naive": {
            "seconds": naive_seconds,
            "peak": naive_peak,
            "traced": min(options["naive_traced"], built["posts"]),
        },
        "load": os.getloadavg(),
    }


def _version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def _progress(text: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def report(result: dict[str, Any]) -> str:
    built = result["built"]
    posts = built["posts"]
    ours, naive = result["ours"], result["naive"]
    rows = [
        [
            "ours: the Results page (one year)",
            f"{ours['seconds']:.2f}",
            f"{posts / ours['seconds']:,.0f}",
            kib(ours["peak"]),
            "met" if ours["seconds"] <= TARGET else "NOT met",
        ],
        [
            "naive: a query a post, summed in Python",
            f"{naive['seconds']:.2f}",
            f"{posts / naive['seconds']:,.0f}",
            f"{kib(naive['peak'])} (first {naive['traced']:,} posts)",
            "met" if naive["seconds"] <= TARGET else "not met",
        ],
    ]
    load = ", ".join(f"{v:.2f}" for v in result["load"])
    return "\n".join(
        [
            f"### {result['version']}: {posts:,} posts, {built['snapshots']:,} daily readings",
            "",
            table(["variant", "s", "posts/s", "peak KiB", f"≤ {TARGET:.0f} s"], rows),
            "",
            f"ours: median of {len(ours['all'])} renders "
            f"({', '.join(f'{s:.2f}' for s in ours['all'])} s), page {result['page_bytes']:,} "
            f"bytes; naive: one run, {naive['seconds'] / ours['seconds']:,.0f} times ours. "
            f"Both found the same totals. Load average after: {load}.",
        ]
    )


def _fresh_postgres(url: str) -> str:
    from bench.dispatch import _fresh_postgres as fresh

    try:
        fresh(url)
    except Exception as exc:  # no server: said, and skipped
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure_bench", description=__doc__)
    parser.add_argument("--channels", type=int, default=50, help="default 50")
    parser.add_argument("--posts-per-day", type=int, default=20, help="a channel; default 20")
    parser.add_argument("--days", type=int, default=365, help="default 365")
    parser.add_argument("--rounds", type=int, default=5, help="timed renders (default 5)")
    parser.add_argument(
        "--naive-traced", type=int, default=20_000, help="posts in the baseline's memory round"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="created, used and dropped")
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.channels, args.posts_per_day, args.days, args.rounds, args.naive_traced) <= 0:
        parser.error("the sizes and --rounds must be above 0")
    options = {
        "channels": args.channels,
        "posts_per_day": args.posts_per_day,
        "days": args.days,
        "rounds": args.rounds,
        "naive_traced": args.naive_traced,
        "database_url": args.database_url,
    }
    if args.child:
        print("RESULT " + json.dumps(child(args.child, options)), flush=True)
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
        command = [sys.executable, "-m", "bench.measure_bench", "--child", vendor]
        for key, value in options.items():
            command += [f"--{key.replace('_', '-')}", str(value)]
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
