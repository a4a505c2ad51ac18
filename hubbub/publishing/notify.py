"""Telling people a delivery needs them: its author and the workspace's owners and managers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from hubbub.accounts.models import User
from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.publishing.models import Delivery, PostKind

log = logging.getLogger(__name__)


def recipients(delivery: Delivery) -> list[str]:
    people = {
        m.user.email
        for m in Membership.objects.filter(
            workspace_id=delivery.workspace_id, role__in=[Role.OWNER, Role.MANAGER]
        ).select_related("user")
    }
    author: User | None = delivery.post.author
    if author is not None and author.is_active:
        people.add(author.email)
    return sorted(people)


def notify_needs_attention(delivery: Delivery) -> None:
    if delivery.post.kind == PostKind.REPLY:
        return  # its author is told, with a link to the conversation (hubbub.inbox.receivers)
    to = recipients(delivery)
    if not to:
        return
    workspace = delivery.workspace
    with translation.override(workspace.language):
        context = {
            "delivery": delivery,
            "post": delivery.post,
            "channel": delivery.channel,
            "workspace": workspace,
            "due_at": delivery.due_at.astimezone(workspace.tz),
            "base_url": settings.BASE_URL,
        }
        subject = " ".join(
            render_to_string("publishing/email/needs_attention_subject.txt", context).split()
        )
        body = render_to_string("publishing/email/needs_attention_body.txt", context)
    try:
        send_mail(subject, body, None, to)
    except Exception:  # an SMTP outage must not undo the delivery's state; the page shows it
        log.exception("could not e-mail about delivery %s", delivery.pk)
