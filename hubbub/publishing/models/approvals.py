"""Approvals: a workspace's workflow of ordered steps, the decisions taken on each post, and
the signed links external reviewers (an agency's client) use without an account.

A workspace with no steps publishes without approval. With steps, a post is submitted
(draft → in_review), each step in `order` must be satisfied in turn ("any" one of its
approvers, or "all" of them), and the last one moves the post to approved (or straight to
scheduled when it carries a time). A rejection at any step sends it back to draft. Editing
the post starts a new round: decisions of earlier rounds are kept for the history but no
longer count. A post scheduled outside the workspace's approved hours needs one more
approval by a second person (see WorkspacePublishing.approved_hours_*).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.publishing.models.posts import Post


class StepMode(models.TextChoices):
    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")


class ApprovalStep(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField()  # 1, 2, 3…: steps are passed in this order
    name = models.CharField(_("name"), max_length=100)  # e.g. "Legal", "Client"
    mode = models.CharField(_("who must approve"), max_length=3, choices=StepMode.choices)
    roles = models.JSONField(default=list, blank=True)  # Role values whose members may approve
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # External reviewers may act on this step through a review link.
    allow_external = models.BooleanField(_("external reviewers"), default=False)

    class Meta:
        ordering = ["workspace", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "order"], name="one_step_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    COMMENT = "comment", _("Commented")


class ApprovalDecision(models.Model):
    """One person's approval, rejection or comment on one step of one round of a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveIntegerField()  # Post.approval_round at the time
    # None: the extra out-of-hours approval, or a comment not tied to a step.
    step = models.ForeignKey(
        ApprovalStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    out_of_hours = models.BooleanField(default=False)  # the second approval for odd hours
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_link = models.ForeignKey(
        "ReviewLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} on {self.post_id} (round {self.round})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ReviewLink(models.Model):
    """A signed, expiring link for one external reviewer of one post. Only the hash of the
    token is stored: the link is shown once, when it is made."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_links")
    reviewer_name = models.CharField(_("reviewer's name"), max_length=120)
    reviewer_email = models.EmailField(_("reviewer's e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"review link for {self.reviewer_name} on post {self.post_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
