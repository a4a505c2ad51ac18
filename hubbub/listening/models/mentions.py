"""What was found: mentions, the queries each matches, and people's sentiment corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Sentiment
from hubbub.listening.models.queries import Query
from hubbub.listening.models.sources import ListeningSource


class Mention(models.Model):
    """One post, article or comment found by a source. Never trusted: escaped where shown.

    A repost of a mention already stored (the same link, or the same words, see
    hubbub.listening.dedupe) is stored too — it counts in volumes and says how far the
    original spread — with `duplicate_of` naming the first; lists show the original once."""

    # Not indexed alone: the unique constraint and the indexes below start with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    source = models.ForeignKey(
        ListeningSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    network = models.CharField(max_length=20)  # "bluesky", "x", "mastodon", "rss", …
    external_id = models.CharField(max_length=500)
    url = models.CharField(max_length=2000, blank=True)
    url_key = models.CharField(max_length=40, blank=True)  # sha1 of the canonical link
    words_key = models.CharField(max_length=16, blank=True)  # dedupe.exact_key of its words
    author_handle = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    author_url = models.CharField(max_length=2000, blank=True)
    author_reach = models.PositiveIntegerField(null=True, blank=True)  # followers, if known
    title = models.CharField(max_length=500, blank=True)  # feeds' items have one
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    sentiment_corrected = models.BooleanField(default=False)
    published_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    data = models.JSONField(default=dict, blank=True)  # what replying needs (Bluesky: uri, cid)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_mention_per_network_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "published_at"], name="mention_by_time"),
            # Reposts of a page of originals are counted, and deleting an original or a
            # conversation clears the links to it: indexed where set only, so storing the
            # many mentions without one costs nothing more.
            models.Index(
                fields=["duplicate_of"],
                name="mention_reposts",
                condition=models.Q(duplicate_of__isnull=False),
            ),
            models.Index(
                fields=["conversation"],
                name="mention_conversation",
                condition=models.Q(conversation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class MentionMatch(models.Model):
    """A mention matched by a query. Time and sentiment are copied from the mention so that
    a query's charts read one index (query, published_at) and never join."""

    # Not indexed alone: reads go through a query (query, published_at) or a mention (the
    # unique constraint, mention first).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="+", db_index=False)
    mention = models.ForeignKey(
        Mention, on_delete=models.CASCADE, related_name="matches", db_index=False
    )
    published_at = models.DateTimeField()
    sentiment = models.CharField(max_length=10, blank=True)
    is_duplicate = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # Mention first: new matches go at the end of this index, as mentions come in
            # (query first scattered each batch's rows over the whole index), and it serves
            # "the queries of these mentions" without an index of its own.
            models.UniqueConstraint(fields=["mention", "query"], name="one_match_per_mention")
        ]
        indexes = [models.Index(fields=["query", "published_at"], name="match_by_time")]

    def __str__(self) -> str:
        return f"{self.query_id} matches {self.mention_id}"


class SentimentCorrection(models.Model):
    """A person's word on a mention's sentiment; the workspace's analyzer learns from these
    (hubbub.nlp.learning). The text is kept: it is what is learned from, and survives the
    mention being deleted."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mention = models.OneToOneField(
        Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="correction"
    )
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    label = models.CharField(max_length=10, choices=Sentiment.choices)
    previous_label = models.CharField(max_length=10, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"], name="correction_by_time")]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:40]}"


class SentimentLearning(models.Model):
    """How well the workspace's analyzer reads its corrected items in one language, before and
    after learning from them (hubbub.nlp.learning.measure), measured in the background after
    corrections change (hubbub.listening.feelings.remeasure): a measure retrains the model
    once per fold, seconds of work that no page should wait for."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    corrections = models.PositiveIntegerField()
    before = models.FloatField()  # accuracy, 0 … 1
    after = models.FloatField()
    measured_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "language"], name="one_learning_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.before:.2f} → {self.after:.2f}"
