"""Guardrails before publishing: rules that warn or block, configurable per workspace.

- `registry`: each rule's code, label, default mode and options; a workspace's settings.
- `check(subject)`: the findings (rule, mode, message, channel, part, exact span) on a
  `Subject` (what a post is: texts per channel, media and alt texts, campaign, shares,
  sponsorship, its id). `subject_of(post)` reads a saved post.
- `refuse_blocked(post)`: raises ActionError naming the rule and the span; the publishing
  actions call it before a post goes to approval, is approved or is scheduled.
- One module per rule or small group: personal_data, persona_rules (words, language,
  tone), post_rules (disclosure, attribution, alt text, crisis), links, duplicates.
"""

from hubbub.curation.guardrails.base import ChannelText, Finding, MediaAlt, Subject
from hubbub.curation.guardrails.checking import (
    check,
    describe,
    group_texts,
    place,
    refuse_blocked,
    subject_of,
)

__all__ = [
    "ChannelText",
    "Finding",
    "MediaAlt",
    "Subject",
    "check",
    "describe",
    "group_texts",
    "place",
    "refuse_blocked",
    "subject_of",
]
