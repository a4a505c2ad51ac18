"""Publishing's data: campaigns, posts (tailored per channel), deliveries and their attempts."""

from hubbub.publishing.models.campaigns import Campaign
from hubbub.publishing.models.deliveries import Attempt, Delivery, DeliveryAttempt, DeliveryStatus
from hubbub.publishing.models.posts import Post, PostMedia, PostStatus, PostVariant
from hubbub.publishing.models.workspace import WorkspacePublishing

__all__ = [
    "Attempt",
    "Campaign",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Post",
    "PostMedia",
    "PostStatus",
    "PostVariant",
    "WorkspacePublishing",
]
