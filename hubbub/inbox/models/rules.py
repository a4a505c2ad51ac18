"""Inbox rules: conditions on an incoming message, actions on its conversation
(hubbub.inbox.rules evaluates them, in position order, for every new inbound message)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace


class Rule(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    match_all = models.BooleanField(default=True)  # all conditions (True) or any (False)
    # [{"field": "keywords", "op": "contains_any", "value": ["refund", "remboursement"]}, ...]
    conditions = models.JSONField(default=list, blank=True)
    # [{"type": "tag", "value": "billing"}, {"type": "assign", "mode": "round_robin", ...}]
    actions = models.JSONField(default=list)
    stop = models.BooleanField(_("stop after this rule"), default=False)
    round_robin_last = models.ForeignKey(  # whom the last round-robin assignment went to
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleHit(models.Model):
    """One rule applied to one message: what it did, for the conversation's history."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="hits")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="rule_hits"
    )
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="+")
    actions = models.JSONField(default=list)  # what was done, e.g. [{"type": "tag", ...}]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "message"], name="one_hit_per_message")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.rule} on message {self.message_id}"
