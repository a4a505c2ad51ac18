"""Telling people something needs them: an in-app notice (the bell in the top bar) and an
e-mail beside it, each in the recipient's own language.

`notify()` is called after the state change it reports has been saved: an SMTP outage is
logged, never raised, so it cannot undo an approval or a rejection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hubbub.core.models import Notification, Workspace

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from hubbub.accounts.models import User

log = logging.getLogger(__name__)

# A callable is rendered once per recipient, inside their language; a lazy string works too.
Text = Callable[[], str] | str


def language_of(user: User, workspace: Workspace | None) -> str:
    if user.language:
        return user.language
    return workspace.language if workspace is not None else settings.LANGUAGE_CODE


def _render(text: Text | _StrPromise) -> str:
    return text() if callable(text) else str(text)


def notify(
    users: Iterable[User],
    workspace: Workspace | None,
    kind: str,
    text: Text | _StrPromise,
    url: str = "",
) -> list[Notification]:
    """Create one notice per person (each once, inactive accounts skipped) and e-mail them.
    `url` is a path inside Hubbub; the e-mail carries it as a full link."""
    seen: set[int] = set()
    created = []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(language_of(user, workspace)):
            message = _render(text)
            notice = Notification.objects.create(
                user=user, workspace=workspace, kind=kind, text=message[:500], url=url[:500]
            )
            _email(user, workspace, message, url)
        created.append(notice)
    return created


def _email(user: User, workspace: Workspace | None, message: str, url: str) -> None:
    if not user.email:
        return
    # A header is one line; the subject is the notice itself, shortened.
    subject = " ".join(message.split())
    if len(subject) > 120:
        subject = subject[:119] + "…"
    if workspace is not None:
        subject = f"[{' '.join(workspace.name.split())}] {subject}"
    lines = [message, ""]
    if url:
        lines += [_("Open it: %(url)s") % {"url": settings.BASE_URL + url}, ""]
    lines.append(
        _("You receive this because you are a member of a Hubbub workspace. All notices: %(url)s")
        % {"url": settings.BASE_URL + reverse("web:notifications")}
    )
    try:
        send_mail(subject, "\n".join(lines), None, [user.email])
    except Exception:  # an SMTP outage must not undo what was done; the notice is in the app
        log.exception("could not e-mail notice to user %s", user.pk)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
