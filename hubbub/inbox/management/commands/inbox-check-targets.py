"""`hubbub inbox-check-targets`: run the response-target check once now (what the worker does
every minute, hubbub.inbox.sla.check_targets) and print what it did: each warning sent before
a breach and each breach recorded, with the conversation's address. Each happens once, as
with the worker: running it again right after prints nothing new. Exit status 1 when a
conversation could not be checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from hubbub.core.tables import table
from hubbub.inbox import sla
from hubbub.inbox.management.commands._inbox_cli import FAILED
from hubbub.inbox.models import Breach, BreachKind, Conversation

KIND_WORDS: dict[str, str] = {
    BreachKind.FIRST_RESPONSE: "first response",
    BreachKind.RESOLUTION: "resolution",
}


def _line(event: str, kind: str, conversation: Conversation, due: Any) -> list[str]:
    tz = conversation.workspace.tz
    return [
        event,
        conversation.workspace.slug,
        str(conversation.pk),
        KIND_WORDS.get(kind, kind),
        due.astimezone(tz).isoformat(timespec="minutes") if due else "",
        sla.who(conversation),
        settings.BASE_URL.rstrip("/") + sla.conversation_path(conversation),
    ]


class Command(BaseCommand):
    help = "Check response targets once now: send warnings and record breaches."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        result = sla.check_targets(now)
        related = ("workspace", "channel", "identity")
        rows: list[list[str]] = []
        # What this run did is what carries its time (each claim writes `now`).
        for breach in (
            Breach.objects.filter(breached_at=now)
            .select_related(*(f"conversation__{r}" for r in related))
            .order_by("conversation__workspace__slug", "conversation_id", "kind")
        ):
            rows.append(_line("breach", breach.kind, breach.conversation, breach.due_at))
        warned = (
            Conversation.objects.filter(
                Q(first_response_warned_at=now) | Q(resolution_warned_at=now)
            )
            .select_related(*related)
            .order_by("workspace__slug", "pk")
        )
        for conversation in warned:
            if conversation.first_response_warned_at == now:
                due = conversation.first_response_due_at
                rows.append(_line("warning", BreachKind.FIRST_RESPONSE, conversation, due))
            if conversation.resolution_warned_at == now:
                due = conversation.resolution_due_at
                rows.append(_line("warning", BreachKind.RESOLUTION, conversation, due))
        if rows:
            headers = ["event", "workspace", "id", "target", "due", "who", "conversation"]
            self.stdout.write(table(headers, rows))
            self.stdout.write("")
        self.stdout.write(
            f"{result.warned} warnings sent, {result.breached} breaches recorded, "
            f"{len(result.errors)} errors."
        )
        for error in result.errors:
            self.stdout.write(f"  conversation {error}")
        if result.errors:
            raise SystemExit(FAILED)
