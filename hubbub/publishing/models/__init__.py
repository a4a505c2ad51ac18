"""Publishing's data: campaigns, posts (tailored per channel), deliveries and their attempts."""

from hubbub.publishing.models.approvals import (
    ApprovalDecision,
    ApprovalStep,
    Decision,
    ReviewLink,
    StepMode,
)
from hubbub.publishing.models.campaigns import Campaign
from hubbub.publishing.models.deliveries import Attempt, Delivery, DeliveryAttempt, DeliveryStatus
from hubbub.publishing.models.posts import Post, PostKind, PostMedia, PostStatus, PostVariant
from hubbub.publishing.models.queue import QueueSlot
from hubbub.publishing.models.workspace import WorkspacePublishing

__all__ = [
    "ApprovalDecision",
    "ApprovalStep",
    "Attempt",
    "Campaign",
    "Decision",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Post",
    "PostKind",
    "PostMedia",
    "PostStatus",
    "PostVariant",
    "QueueSlot",
    "ReviewLink",
    "StepMode",
    "WorkspacePublishing",
]
