"""Suggestions: the ranking on the shipped labelled set, what it leaves out, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.access import ActionError, access_workspace
from hubbub.core.models import Workspace
from hubbub.curation import evaluation, suggestions, terms
from hubbub.curation.models import (
    Feed,
    FeedItem,
    LibraryItem,
    LibraryKind,
    Persona,
    Share,
    SuggestionDismissal,
)
from hubbub.curation.suggestions import Candidate, PastPost, Voice, rank

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# Measured on the shipped set when the ranking was written (docs/personas.md): 0.90 against
# 0.30 for newest first. The floor leaves room for one item more or less in one persona.
MEASURED_FLOOR = 0.85


def test_the_ranking_beats_newest_first_on_the_shipped_labelled_set() -> None:
    results = evaluation.evaluate(evaluation.cases())
    assert len(results) == 4
    assert {r.language for r in results} == {"en", "fr"}
    ours = evaluation.mean([r.ours for r in results])
    baseline = evaluation.mean([r.baseline for r in results])
    assert ours >= MEASURED_FLOOR
    assert ours >= baseline + 0.4
    assert all(r.ours >= 0.7 and r.ours > r.baseline for r in results), results


def test_the_labelled_set_mixes_relevant_near_misses_and_irrelevant_items() -> None:
    for case in evaluation.cases():
        assert len(case.candidates) >= 60
        assert 15 <= len(case.relevant) <= len(case.candidates) // 2


def test_suggestions_eval_prints_both_figures(capsys) -> None:
    call_command("suggestions-eval", "--no-progress")
    out = capsys.readouterr().out
    assert "Pedal Forward" in out and "Marché Paysan" in out
    assert "newest first P@10" in out
    assert "mean" in out


def test_suggestions_eval_fails_below_a_floor() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"below 1\.010"):
        call_command("suggestions-eval", "--no-progress", "--min-precision", "1.01")


def _item(key: str, title: str, days: float, text: str = "", language: str = "") -> Candidate:
    return Candidate(key, title, text, "", language, NOW - timedelta(days=days))


VOICE = Voice(topics=["cargo bikes", "bike lanes"], languages=["en"])


def test_two_topics_beat_one_and_a_phrase_beats_scattered_words() -> None:
    ranked = rank(
        VOICE,
        [
            _item("feed:1", "Cargo bikes on the new bike lanes", 1),
            _item("feed:2", "Cargo bikes for families", 1),
            _item("feed:3", "Lanes for cargo ships, and a bike shop", 1),
            _item("feed:4", "Bank holds rates", 1),
        ],
        NOW,
    )
    assert [s.key for s in ranked] == ["feed:1", "feed:2", "feed:3"]
    assert ranked[0].matched == ["cargo bikes", "bike lanes"]


def test_fresher_wins_between_equals_and_each_says_why() -> None:
    ranked = rank(
        VOICE, [_item("feed:1", "Bike lanes open", 9), _item("feed:2", "Bike lanes open", 0)], NOW
    )
    assert [s.key for s in ranked] == ["feed:2", "feed:1"]
    assert ranked[0].reasons == ["matches bike lanes", "published today"]
    assert ranked[1].reasons[1] == "published 9 days ago"


def test_words_to_avoid_and_other_languages_push_down() -> None:
    voice = Voice(topics=["bike lanes"], words_to_avoid=["accident"], languages=["en"])
    ranked = rank(
        voice,
        [
            _item("feed:1", "Bike lanes accident", 0),
            _item("feed:2", "Bike lanes open", 0, language="fr"),
            _item("feed:3", "Bike lanes open", 0, language="en"),
        ],
        NOW,
    )
    assert ranked[0].key == "feed:3"
    assert "written in fr, which the persona does not declare" in ranked[-1].reasons


def test_a_similar_post_that_did_well_lifts_an_item() -> None:
    past = [
        PastPost(frozenset(terms.terms("Cargo bikes for families")), 400, "Cargo bikes"),
        PastPost(frozenset({"weather"}), 10, "Rain"),
        PastPost(frozenset({"other"}), 20, "Other"),
    ]
    items = [_item("feed:1", "Cargo bikes for families", 1), _item("feed:2", "Cargo bikes", 1)]
    without = rank(VOICE, items, NOW)
    lifted = rank(VOICE, items, NOW, past)
    assert lifted[0].score > without[0].score
    assert "a similar post had 400 engagements (usual: 20)" in lifted[0].reasons


def test_a_persona_without_topics_still_gets_suggestions_from_its_words() -> None:
    voice = Voice(topics=[], words_to_use=["espresso"], example_posts=["Grinders and espresso."])
    ranked = rank(voice, [_item("feed:1", "Espresso grinders", 1), _item("feed:2", "Rain", 1)], NOW)
    assert [s.key for s in ranked] == ["feed:1"]


# --- from the database -----------------------------------------------------------------


@pytest.fixture
def feed(acme: Workspace) -> Feed:
    return Feed.objects.create(workspace=acme, url="https://news.example/feed", title="News")


def _feed_item(feed: Feed, n: int, title: str, days: float) -> FeedItem:
    return FeedItem.objects.create(
        workspace=feed.workspace,
        feed=feed,
        key=f"{n:064d}",
        title=title,
        url=f"https://news.example/{n}",
        published_at=timezone.now() - timedelta(days=days),
    )


@time_machine.travel(NOW, tick=False)
def test_suggest_leaves_out_shared_dismissed_old_and_other_workspaces_items(
    alice: User, acme: Workspace, globex: Workspace, feed: Feed
) -> None:
    persona = Persona.objects.create(workspace=acme, name="Cyclists", topics=["bike lanes"])
    fresh = _feed_item(feed, 1, "Bike lanes open downtown", 1)
    shared = _feed_item(feed, 2, "Bike lanes shared already", 1)
    dismissed = _feed_item(feed, 3, "Bike lanes set aside", 1)
    _feed_item(feed, 4, "Bike lanes of last year", 60)
    other = Feed.objects.create(workspace=globex, url="https://other.example/feed")
    _feed_item(other, 5, "Bike lanes elsewhere", 1)
    snippet = LibraryItem.objects.create(
        workspace=acme, kind=LibraryKind.SNIPPET, title="Why bike lanes matter", text="…"
    )
    Share.objects.create(workspace=acme, feed_item=shared)
    SuggestionDismissal.objects.create(persona=persona, item_key=f"feed:{dismissed.pk}")
    found = suggestions.suggest(access_workspace(alice, "acme"), persona)
    assert {s.key for s in found} == {f"feed:{fresh.pk}", f"library:{snippet.pk}"}
    by_key = {s.key: s for s in found}
    assert "from the library" in by_key[f"library:{snippet.pk}"].reasons
    assert "published 1 day ago" in by_key[f"feed:{fresh.pk}"].reasons


def test_dismiss_checks_the_item_and_is_idempotent(
    alice: User, bob: User, acme: Workspace, globex: Workspace, feed: Feed
) -> None:
    persona = Persona.objects.create(workspace=acme, name="Cyclists", topics=["bike lanes"])
    item = _feed_item(feed, 1, "Bike lanes", 1)
    editor = access_workspace(bob, "acme")
    suggestions.dismiss(editor, persona, f"feed:{item.pk}")
    suggestions.dismiss(editor, persona, f"feed:{item.pk}")
    assert SuggestionDismissal.objects.filter(persona=persona).count() == 1
    theirs = _feed_item(Feed.objects.create(workspace=globex, url="https://o.example/f"), 2, "x", 1)
    for key in (f"feed:{theirs.pk}", "feed:abc", "post:1"):
        with pytest.raises(ActionError, match="not in this workspace"):
            suggestions.dismiss(editor, persona, key)
