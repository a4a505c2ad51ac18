"""A workspace's corrections teach its analyzer: later mentions follow them, and the learning
page shows the accuracy on the corrected items before and after, measured in the background."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hubbub.core.access import access_workspace
from hubbub.core.models import Workspace
from hubbub.listening import actions, feelings, pipeline
from hubbub.listening.models import Mention, SentimentLearning
from hubbub.listening.pipeline import Found, process

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 6, 14, 0, tzinfo=UTC)
# A skateboard brand's customers say "sick" and "insane" for great.
PRAISE = [
    "these new wheels are sick",
    "that deck is absolutely sick",
    "sick board, insane grip",
    "the new truck colours are insane",
    "sick sick sick, got mine today",
    "my new shoes are sick, insane quality",
    "honestly the sickest setup I ever had",
    "insane pop on this deck, sick",
]


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    pipeline.forget()
    feelings.forget()


def store(workspace: Workspace, texts: list[str], start: int) -> list[Mention]:
    process(
        workspace,
        [
            Found(
                network="bluesky",
                external_id=f"p{start + n}",
                text=text,
                published_at=NOW - timedelta(minutes=n),
            )
            for n, text in enumerate(texts)
        ],
        now=NOW,
    )
    return list(
        Mention.objects.filter(external_id__in=[f"p{start + n}" for n in range(len(texts))])
    )


def test_corrections_teach_the_workspace_and_no_other(
    alice: object, acme: Workspace, globex: Workspace, alice_client: Client
) -> None:
    owner = access_workspace(alice, "acme")  # type: ignore[arg-type]
    praised = store(acme, PRAISE, 0)
    for mention in praised:
        actions.correct_sentiment(owner, mention, "positive")
    english = sum(1 for m in praised if m.language == "en")  # too short to tell: not learned
    assert english >= 6
    later = store(acme, ["wow the new wheels are sick", "this deck is insane"], 100)
    assert {m.sentiment for m in later} == {"positive"}
    # Another workspace's analyzer did not learn it.
    process(
        globex,
        [Found(network="bluesky", external_id="g1", text="the wheels are sick", published_at=NOW)],
        now=NOW,
    )
    assert Mention.objects.get(workspace=globex).sentiment != "positive"

    # The background measure (a minute after the corrections) stores before and after.
    (learned,) = feelings.remeasure(acme.pk)
    assert (learned.language, learned.corrections) == ("en", english)
    assert learned.after > learned.before
    page = alice_client.get(reverse("listening:learning", args=["acme"]))
    row = next(r for r in page.context["rows"] if r["language"] == "en")
    assert row["measured"] == english
    assert row["after"] == round(100 * learned.after, 1)
    assert SentimentLearning.objects.count() == 1


def test_a_run_of_corrections_is_measured_once(alice: object, acme: Workspace) -> None:
    owner = access_workspace(alice, "acme")  # type: ignore[arg-type]
    for mention in store(acme, PRAISE[:4], 200):
        actions.correct_sentiment(owner, mention, "positive")
    assert feelings.remeasure(acme.pk, only_if_stale=True)  # measured
    # The jobs the other corrections scheduled find nothing new to measure.
    assert feelings.remeasure(acme.pk, only_if_stale=True) == []
    (mention,) = store(acme, ["the grip on this deck is sick"], 300)
    actions.correct_sentiment(owner, mention, "positive")
    assert feelings.remeasure(acme.pk, only_if_stale=True)  # a newer correction: again
