"""What counting a post the way each network does costs over Python's len().

Bluesky counts graphemes (what a reader sees as one character: 👩‍👩‍👧‍👦 is one, len() says 7);
Mastodon counts code points but every URL as 23 and @user@server as @user. The composer
counts on every keystroke and the API on every post, so this has to stay cheap.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.measure import Measurement, compare, kib, overhead, table
from hubbub.networks.base import Counting, TextLimits

SEED = 20241120  # the same posts on every run, so runs compare
TRACED = 2000  # posts in the round traced for memory
BLOCK = 500  # posts each counting takes before the next one takes its turn

# Prose, split: easier to read and extend than a list of quoted words.
WORDS = (  # noqa: SIM905
    "nouvelle collection automne café déjà vu naïve crème brûlée façade Zürich São Paulo "
    "Kraków Ærøskøbing fête soirée rendez-vous jalapeño über weekend launch today thanks "
    "everyone new store opening hours delivery free shipping limited edition vote results "
    "merci beaucoup à bientôt très heureux d'annoncer notre équipe s'agrandit"
).split()
EMOJI = [
    "☕",
    "🍂",
    "🎉",
    "❤️",
    "👍🏽",
    "🇫🇷",
    "🇧🇪",
    "👩‍👩‍👧‍👦",
    "🧑🏿‍💻",
    "🏳️‍🌈",
    "✨",
    "🚀",
    "😂",
    "🙏🏼",
    "👨‍🍳",
    "1️⃣",
]
URLS = [
    "https://example.com/automne",
    "https://shop.example.com/products/pull-laine-merinos?utm_source=mastodon&utm_medium=social",
    "https://www.example.org/blog/2024/11/20/nouvelle-boutique-lyon/",
    "http://exemple.fr/événements",
    "https://bsky.app/profile/maison.example.com/post/3kzabcxyz2a2b",
]
MENTIONS = [
    "@alice",
    "@bob@mastodon.social",
    "@camille@piaille.fr",
    "@maison.example.com",
    "@dupont@social.example.com",
]
HASHTAGS = ["#automne", "#MadeInFrance", "#café", "#SmallBusiness", "#Lyon2024"]


def realistic_posts(count: int, seed: int = SEED) -> list[str]:
    """Posts as social media managers write them: words, accents, emoji, links, mentions."""
    rng = random.Random(seed)
    posts = []
    for _ in range(count):
        parts: list[str] = []
        for _word in range(rng.randint(8, 45)):
            roll = rng.random()
            if roll < 0.08:
                parts.append(rng.choice(EMOJI))
            elif roll < 0.11:
                parts.append(rng.choice(MENTIONS))
            elif roll < 0.14:
                parts.append(rng.choice(HASHTAGS))
            elif roll < 0.16:
                parts.append(rng.choice(URLS))
            else:
                parts.append(rng.choice(WORDS))
        if rng.random() < 0.4:
            parts.append(rng.choice(URLS))
        text = " ".join(parts)
        posts.append(text[0].upper() + text[1:] + rng.choice([".", " !", "", "\n\n" + "🍂" * 3]))
    return posts


def run(count: int, rounds: int, budget: float) -> str:
    posts = realistic_posts(count)
    graphemes = TextLimits(300, Counting.GRAPHEMES)
    mastodon = TextLimits(500, Counting.MASTODON, url_length=23)
    totals: dict[str, int] = {}

    def counter(name: str, count_one: Callable[[str], int]) -> Callable[[int, int], None]:
        def count_all(first: int, how_many: int) -> None:
            # By index: no copy of the list (it would show in the memory column), no skipping.
            total = sum(count_one(posts[i]) for i in range(first, first + how_many))
            totals[name] = total if first == 0 else totals[name] + total

        return count_all

    variants = {
        "len()": counter("len()", len),
        "GRAPHEMES": counter("GRAPHEMES", graphemes.count),
        "MASTODON": counter("MASTODON", mastodon.count),
    }
    results = compare(
        variants, count, block=BLOCK, rounds=rounds, budget=budget, traced_operations=TRACED
    )
    return report(results, totals, count)


def report(results: dict[str, Measurement], totals: dict[str, int], count: int) -> str:
    base = results["len()"]
    rows = []
    for name, result in results.items():
        ours = name != "len()"
        rows.append(
            [
                f"ours: {name}" if ours else "baseline: len()",
                f"{result.seconds * 1000:.1f}",
                f"{result.micros_per_operation:.2f}",
                f"{result.per_second:,.0f}",
                kib(result.peak_bytes),
                f"{totals[name]:,}",
                overhead(base.seconds, result.seconds) if ours else "",
            ]
        )
    title = (
        f"Text counting: {count:,} realistic posts (emoji, accents, URLs, mentions), "
        f"median of {base.rounds} timed rounds"
    )
    headers = [
        "counting",
        "time (ms)",
        "per post (µs)",
        "posts/s",
        f"peak memory, {base.traced_operations:,} posts (KiB)",
        "characters counted",
        "time overhead",
    ]
    return title + "\n\n" + table(headers, rows)
