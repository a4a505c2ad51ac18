"""The audit log: every state change is written through `record()`.

Action names are namespaced and listed once here (wagtail's log_actions does the same), so
the audit page can offer them as a filter and a typo fails in tests rather than in the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import AuditEntry, Workspace

if TYPE_CHECKING:
    from hubbub.accounts.models import User

ACTIONS: dict[str, Any] = {
    "workspace.create": _("Workspace created"),
    "workspace.update": _("Workspace changed"),
    "workspace.delete": _("Workspace deleted"),
    "member.invite": _("Member invited"),
    "member.invite_resend": _("Invitation sent again"),
    "member.invite_revoke": _("Invitation revoked"),
    "member.join": _("Invitation accepted"),
    "member.role_change": _("Role changed"),
    "member.remove": _("Member removed"),
    "channel.connect": _("Channel connected"),
    "channel.reconnect": _("Channel reconnected"),
    "channel.disconnect": _("Channel disconnected"),
    "channel.health": _("Channel health changed"),
    "channel.options": _("Channel settings changed"),
    "subscriber.add": _("Newsletter subscriber added"),
    "subscriber.remove": _("Newsletter subscriber removed"),
    "subscribers.import": _("Newsletter subscribers imported"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "account.sign_in_link": _("Sign-in link issued"),
    "demo.create": _("Demo workspace created"),
    "post.create": _("Post drafted"),
    "post.update": _("Post changed"),
    "post.schedule": _("Post scheduled"),
    "post.cancel": _("Post cancelled"),
    "post.status": _("Post status changed"),
    "delivery.published": _("Post published on a channel"),
    "delivery.retry": _("Publishing will be retried"),
    "delivery.reconciled": _("Post found on the network after an unknown outcome"),
    "delivery.hold": _("Delivery held: channel needs reconnecting"),
    "delivery.release": _("Held delivery released"),
    "delivery.needs_attention": _("Delivery needs attention"),
    "delivery.missed": _("Delivery missed its time"),
    "delivery.send_now": _("Delivery sent now"),
    "delivery.reschedule": _("Delivery rescheduled"),
    "delivery.cancel": _("Delivery cancelled"),
    "publishing.pause": _("Publishing paused"),
    "publishing.resume": _("Publishing resumed"),
    # approvals
    "post.submit": _("Post submitted for approval"),
    "post.approve": _("Post approved"),
    "post.reject": _("Post rejected"),
    "post.comment": _("Comment on a post"),
    "post.back_to_review": _("Post sent back to approval"),
    "approvals.workflow": _("Approval workflow changed"),
    "approvals.settings": _("Approval settings changed"),
    "review_link.create": _("Review link created"),
    "review_link.revoke": _("Review link revoked"),
    "webhook.create": _("Webhook created"),
    "webhook.update": _("Webhook changed"),
    "webhook.delete": _("Webhook deleted"),
    "webhook.rotate_secret": _("Webhook signing secret rotated"),
    "webhook.test": _("Webhook test event sent"),
    "webhook.disable": _("Webhook switched off after repeated failures"),
    "post.plan": _("Post's planned time changed"),
    "post.series_create": _("Recurring series started"),
    "post.series_extend": _("Recurring series extended"),
    "post.series_stop": _("Recurring series stopped"),
    "posts.import": _("Posts imported from CSV"),
    "queue.update": _("Queue slots changed"),
    "publishing.ical_regenerate": _("Calendar feed address regenerated"),
    "campaign.create": _("Campaign created"),
    "campaign.update": _("Campaign changed"),
}


def record(
    action: str,
    *,
    workspace: Workspace | None,
    actor: User | None,
    via: str = "web",
    obj: models.Model | None = None,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    if action not in ACTIONS:
        raise KeyError(f"unregistered audit action {action!r}: add it to hubbub.core.audit.ACTIONS")
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=actor.email if actor else "Hubbub",
        via=via,
        action=action,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or str(obj))[:254] if obj is not None or label else "",
        before=before or {},
        after=after or {},
    )
