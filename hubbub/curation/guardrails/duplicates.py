"""A near-duplicate of a recent post: posting the same thing twice looks like a mistake
(or spam) to followers and to the networks.

Texts are compared as sets of word 3-grams (shingles) with Jaccard similarity, plus character
5-grams for short texts where three words are too coarse. A workspace posts at most a few
hundred times in the window, so exact Jaccard against each is cheap; MinHash (datasketch is
not installed either) would only pay off with many thousands of posts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.curation import terms
from hubbub.curation.guardrails.base import Hit, Subject
from hubbub.publishing.models import Post, PostStatus, PostVariant

DEFAULT_DAYS = 30
DEFAULT_SIMILARITY = 0.8
MAX_POSTS = 500
MIN_WORDS = 4  # "Thanks!" posted twice is not a duplicate worth saying


def shingles(text: str) -> set[str]:
    words = terms.words(text)
    grams = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    flat = " ".join(words)
    if len(words) < 12:
        grams |= {flat[i : i + 5] for i in range(max(1, len(flat) - 4))}
    return grams


def similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _recent(subject: Subject, days: int) -> list[tuple[Post, str]]:
    since = timezone.now() - timedelta(days=days)
    variants = PostVariant.objects.filter(
        post__workspace=subject.workspace, post__created_at__gte=since
    ).exclude(post__status=PostStatus.CANCELLED)
    if subject.post_id is not None:
        variants = variants.exclude(post_id=subject.post_id)
    variants = variants.select_related("post").order_by("-post__created_at")[:MAX_POSTS]
    seen: dict[tuple[int, str], tuple[Post, str]] = {}
    for v in variants:
        text = "\n".join(str(p) for p in v.parts)
        seen.setdefault((v.post_id, text), (v.post, text))
    return list(seen.values())


def check(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    days = int(options.get("days", DEFAULT_DAYS))
    limit = float(options.get("similarity", DEFAULT_SIMILARITY))
    recent = [(post, shingles(text)) for post, text in _recent(subject, days)]
    hits = []
    for text in subject.texts:
        body = "\n".join(p for p in text.parts if p.strip())
        if len(terms.words(body)) < MIN_WORDS:
            continue
        mine = shingles(body)
        best = max(
            ((similarity(mine, theirs), post) for post, theirs in recent),
            key=lambda pair: pair[0],
            default=(0.0, None),
        )
        score, post = best
        if post is None or score < limit:
            continue
        when = post.scheduled_at or post.created_at
        hits.append(
            Hit(
                _(
                    "Nearly the same as “%(purpose)s” (%(date)s, %(percent)s%% alike): "
                    "change it, or check it is not posted twice."
                )
                % {
                    "purpose": post.purpose,
                    "date": when.astimezone(subject.workspace.tz).strftime("%Y-%m-%d"),
                    "percent": round(score * 100),
                },
                text,
                0,
                (0, len(text.parts[0])),
                text.parts[0],
            )
        )
    return hits
