from hubbub.inbox.models.conversations import (
    Conversation,
    Direction,
    Kind,
    Message,
    Note,
    Priority,
    SavedReply,
    SavedView,
    Sentiment,
    Status,
    Tag,
    Team,
)
from hubbub.inbox.models.coverage import Absence, CoverageOverride, Digest, Shift
from hubbub.inbox.models.people import Customer, Identity
from hubbub.inbox.models.policy import (
    Breach,
    BreachKind,
    Holiday,
    ResponsePolicy,
    TargetOverride,
)
from hubbub.inbox.models.rules import Rule, RuleHit
from hubbub.inbox.models.sources import InboxSource, SourceKind

__all__ = [
    "Absence",
    "Breach",
    "BreachKind",
    "Conversation",
    "CoverageOverride",
    "Customer",
    "Digest",
    "Direction",
    "Holiday",
    "Identity",
    "InboxSource",
    "Kind",
    "Message",
    "Note",
    "Priority",
    "ResponsePolicy",
    "Rule",
    "RuleHit",
    "SavedReply",
    "SavedView",
    "Sentiment",
    "Shift",
    "SourceKind",
    "Status",
    "Tag",
    "TargetOverride",
    "Team",
]
