"""Listening's tables: queries and their groups, the sources read, the mentions found, which
query each mention matches, people's sentiment corrections, and spike alerts."""

from hubbub.listening.models.alerts import AlertSeverity, ListeningAlert
from hubbub.listening.models.mentions import (
    Mention,
    MentionMatch,
    SentimentCorrection,
    SentimentLearning,
)
from hubbub.listening.models.queries import GroupKind, Query, QueryGroup, ToInbox
from hubbub.listening.models.sources import ListeningSource, SourceKind

__all__ = [
    "AlertSeverity",
    "GroupKind",
    "ListeningAlert",
    "ListeningSource",
    "Mention",
    "MentionMatch",
    "Query",
    "QueryGroup",
    "SentimentCorrection",
    "SentimentLearning",
    "SourceKind",
    "ToInbox",
]
