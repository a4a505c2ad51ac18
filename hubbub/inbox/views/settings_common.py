"""What the inbox's settings pages share: the people to choose from, and putting an action's
refusal next to the field it names."""

from __future__ import annotations

from collections.abc import Iterable

from hubbub.core.access import Access
from hubbub.core.models import Membership


def people(access: Access, roles: Iterable[str] | None = None) -> list[tuple[int, str]]:
    """(user id, "Name (e-mail)") of the workspace's members, optionally of some roles."""
    rows = Membership.objects.filter(workspace=access.workspace).select_related("user")
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    choices = [(m.user.pk, f"{m.user.display_name} ({m.user.email})") for m in rows]
    return sorted(choices, key=lambda c: c[1].lower())
