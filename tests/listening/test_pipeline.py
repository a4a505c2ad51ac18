"""The enrichment pipeline on the embedded database: stored once, language and sentiment,
reposts linked to their original, every active query matched, bad items reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hubbub.core.models import Workspace
from hubbub.listening import pipeline
from hubbub.listening.models import Mention, MentionMatch, Query
from hubbub.listening.pipeline import Found, process

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()


def found(external_id: str, text: str, **kw: object) -> Found:
    values: dict[str, object] = {
        "network": "bluesky",
        "external_id": external_id,
        "text": text,
        "published_at": NOW - timedelta(minutes=5),
    }
    values.update(kw)
    return Found(**values)  # type: ignore[arg-type]


def query(workspace: Workspace, name: str, text: str) -> Query:
    return Query.objects.create(workspace=workspace, name=name, text=text)


def test_mentions_are_enriched_matched_and_stored_once(acme: Workspace) -> None:
    brand = query(acme, "Acme", "acme OR #acme")
    late = query(acme, "Late deliveries", "acme (late OR retard*) lang:fr")
    other = query(acme, "Globex", "globex")
    batch = [
        found("1", "J'adore ma nouvelle cafetière Acme, elle est vraiment géniale !"),
        found("2", "La livraison Acme est encore en retard, c'est inadmissible."),
        found("3", "Globex announces its quarterly results today."),
        found("4", "Nothing to see here, just a walk in the park with my dog."),
    ]
    got = process(acme, batch, now=NOW)
    assert (got.stored, got.already, got.duplicates, got.problems) == (4, 0, 0, [])
    mentions = {m.external_id: m for m in Mention.objects.all()}
    assert mentions["1"].language == "fr" and mentions["1"].sentiment == "positive"
    assert mentions["2"].sentiment == "negative"
    assert mentions["3"].language == "en"

    def matched(q: Query) -> set[str]:
        return set(
            MentionMatch.objects.filter(query=q).values_list("mention__external_id", flat=True)
        )

    assert matched(brand) == {"1", "2"}
    assert matched(late) == {"2"}
    assert matched(other) == {"3"}
    assert got.by_query == {brand.pk: 2, late.pk: 1, other.pk: 1}
    match = MentionMatch.objects.get(query=late)
    assert (match.sentiment, match.published_at) == ("negative", NOW - timedelta(minutes=5))

    again = process(acme, batch, now=NOW + timedelta(minutes=1))
    assert (again.stored, again.already) == (0, 4)
    assert Mention.objects.count() == 4


def test_reposts_are_kept_and_point_at_the_first(acme: Workspace) -> None:
    query(acme, "Acme", "acme")
    text = "The new Acme espresso machine broke after two days and support never answered me"
    first = process(acme, [found("a", text, url="https://news.example/acme?utm_source=x")], now=NOW)
    assert first.duplicates == 0
    got = process(
        acme,
        [
            found("b", f"RT @someone: {text}"),
            found("c", "Totally different words about Acme and its shiny new blender"),
            found("d", "Read this", url="https://www.news.example/acme/"),
        ],
        now=NOW,
    )
    assert (got.stored, got.duplicates) == (3, 2)
    original = Mention.objects.get(external_id="a")
    by_id = {m.external_id: m for m in Mention.objects.all()}
    assert by_id["b"].duplicate_of_id == original.pk
    assert by_id["d"].duplicate_of_id == original.pk
    assert by_id["c"].duplicate_of_id is None
    assert by_id["b"].sentiment == original.sentiment
    # A new process (another worker) knows them from the database.
    pipeline.forget()
    later = process(acme, [found("e", f"{text} !!")], now=NOW)
    assert later.duplicates == 1
    assert Mention.objects.get(external_id="e").duplicate_of_id == original.pk


def test_what_another_worker_stores_between_batches_is_known(
    acme: Workspace, globex: Workspace
) -> None:
    text = "The Acme delivery van blocked our whole street for an hour this morning again"
    process(acme, [found("own", "Acme opens a second shop in Lyon next to the station")], now=NOW)
    mine = pipeline._recent[acme.pk]  # this worker's memory, kept aside
    # Another worker (with a memory of its own) stores a mention of another workspace, then
    # one of this workspace with the very same words.
    pipeline.forget()
    process(globex, [found("theirs-globex", text)], now=NOW)
    process(acme, [found("theirs", text)], now=NOW)
    theirs = Mention.objects.get(workspace=acme, external_id="theirs")
    pipeline.forget()
    pipeline._recent[acme.pk] = mine  # back to this worker

    later = process(acme, [found("repost", f"RT @neighbour: {text}")], now=NOW)

    assert later.duplicates == 1
    repost = Mention.objects.get(external_id="repost")
    assert repost.duplicate_of_id == theirs.pk  # not the other workspace's
    assert mine.last_id == theirs.pk and mine.own == {repost.pk}


def test_a_repost_within_one_batch_names_its_original(acme: Workspace) -> None:
    text = "Acme just opened its first shop in Lyon, the queue goes around the block"
    got = process(acme, [found("x", text), found("y", f"RT @fan: {text}")], now=NOW)
    assert (got.stored, got.duplicates) == (2, 1)
    x, y = Mention.objects.get(external_id="x"), Mention.objects.get(external_id="y")
    assert y.duplicate_of_id == x.pk and x.duplicate_of_id is None


def test_bad_items_are_reported_and_the_rest_go_through(acme: Workspace) -> None:
    query(acme, "Acme", "acme")
    got = process(
        acme,
        [
            found("1", "   \u0000\u0007  "),
            found("2", "Acme\u0000 rocks", published_at=NOW + timedelta(days=3)),
            found("", "Acme without an id", url="https://blog.example/post"),
            found("4", "x" * 50_000 + " acme"),
        ],
        now=NOW,
    )
    assert got.stored == 3
    assert got.problems == [
        "item 1: it has no text; nothing to listen to",
        "item 4: only its first 10,000 characters were kept (it had 50,005)",
    ]
    rocks = Mention.objects.get(external_id="2")
    assert rocks.text == "Acme rocks"
    assert rocks.published_at == NOW  # a date in the future is brought back to now
    assert Mention.objects.filter(url="https://blog.example/post").exclude(external_id="").exists()
    assert len(Mention.objects.get(external_id="4").text) == pipeline.MAX_TEXT


def test_only_the_workspace_s_active_queries_match(acme: Workspace, globex: Workspace) -> None:
    mine = query(acme, "Acme", "acme")
    paused = query(acme, "Paused", "acme")
    Query.objects.filter(pk=paused.pk).update(is_active=False)
    theirs = query(globex, "Acme too", "acme")
    process(acme, [found("1", "acme acme")], now=NOW)
    assert list(MentionMatch.objects.values_list("query_id", flat=True)) == [mine.pk]
    assert not MentionMatch.objects.filter(query=theirs).exists()
    # A changed query is used from the next batch on.
    Query.objects.filter(pk=mine.pk).update(text="nothing", updated_at=NOW)
    process(acme, [found("2", "acme again")], now=NOW)
    assert MentionMatch.objects.count() == 1
