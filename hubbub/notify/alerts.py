"""Raising an alert: members are told in-app and by e-mail (hubbub.core.notifications), and
every active destination of the workspace subscribed to the event gets it in the background
(hubbub.notify.tasks), each on its own so one failing destination does not stop the others.

Callers (response-time targets, inbox rules, …) pass the text as a callable so each member
reads it in their own language; destinations are shared by the team and get it in the
workspace's language.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

from hubbub.core.models import Workspace
from hubbub.core.notifications import notify
from hubbub.notify import tasks
from hubbub.notify.models import EVENTS, Destination
from hubbub.notify.sending import Alert

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from hubbub.accounts.models import User

log = logging.getLogger(__name__)


def destinations_for(workspace: Workspace, event: str) -> list[Destination]:
    return [
        d
        for d in Destination.objects.filter(workspace=workspace, is_active=True).order_by("pk")
        if d.wants(event)
    ]


def render(text: Callable[[], str] | str | _StrPromise, language: str) -> str:
    with translation.override(language):
        return text() if callable(text) else str(text)


def send(
    workspace: Workspace,
    event: str,
    text: Callable[[], str] | str,
    url: str = "",
    users: Iterable[User] = (),
) -> None:
    """Tell `users` (in-app and e-mail) and the destinations subscribed to `event`. `url` is
    a path inside Hubbub. A problem with one channel is logged, never raised: the change the
    alert reports is already saved."""
    if event not in EVENTS:
        raise KeyError(f"unknown alert event {event!r}: add it to hubbub.notify.models.EVENTS")
    people = list(users)
    if people:
        try:
            notify(people, workspace, event, text, url)
        except Exception:
            log.exception("alerts: could not notify members of %s", event)
    destinations = destinations_for(workspace, event)
    if not destinations:
        return
    alert = Alert(
        id=uuid.uuid4().hex,
        event=event,
        text=render(text, workspace.language),
        url=settings.BASE_URL + url if url.startswith("/") else url,
    )
    for destination in destinations:
        tasks.enqueue(destination.pk, alert)
