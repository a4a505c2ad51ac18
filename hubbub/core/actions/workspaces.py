from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role

if TYPE_CHECKING:
    from hubbub.accounts.models import User

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _check_fields(name: str, time_zone: str, language: str) -> None:
    if not name.strip():
        raise ActionError(_("Give the workspace a name."), field="name")
    if len(name) > 100:
        raise ActionError(_("The name is too long: use at most 100 characters."), field="name")
    if time_zone not in zoneinfo.available_timezones():
        raise ActionError(
            _(
                "'%(value)s' is not a time zone: use a name such as Europe/Paris "
                "or America/New_York."
            )
            % {"value": time_zone},
            field="time_zone",
        )
    if language not in LANGUAGE_CODES:
        raise ActionError(
            _("'%(value)s' is not a supported language: use one of %(codes)s.")
            % {"value": language, "codes": ", ".join(LANGUAGE_CODES)},
            field="language",
        )


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_workspace(
    user: User, name: str, time_zone: str = "UTC", language: str = "en", *, via: str = "web"
) -> Workspace:
    """Anyone signed in may create a workspace; they become its first owner."""
    name = name.strip()
    _check_fields(name, time_zone, language)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(
                    name=name, slug=unique_slug(name), time_zone=time_zone, language=language
                )
                Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
                record(
                    "workspace.create",
                    workspace=workspace,
                    actor=user,
                    via=via,
                    obj=workspace,
                    after={"name": name, "time_zone": time_zone, "language": language},
                )
                return workspace
        except IntegrityError:  # two workspaces of the same name at once: take the next slug
            continue
    raise ActionError(_("Could not choose a short name for this workspace; try another name."))


def update_workspace(
    access: Access,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    language: str | None = None,
) -> Workspace:
    access.require("workspace.edit")
    workspace = access.workspace
    new = {
        "name": (name if name is not None else workspace.name).strip(),
        "time_zone": time_zone if time_zone is not None else workspace.time_zone,
        "language": language if language is not None else workspace.language,
    }
    _check_fields(new["name"], new["time_zone"], new["language"])
    old = {key: getattr(workspace, key) for key in new}
    changed = {k: v for k, v in new.items() if old[k] != v}
    if not changed:
        return workspace
    with transaction.atomic():
        for key, value in changed.items():
            setattr(workspace, key, value)
        workspace.save(update_fields=list(changed))
        record(
            "workspace.update",
            workspace=workspace,
            actor=access.user,
            via=access.via,
            obj=workspace,
            before={k: old[k] for k in changed},
            after=changed,
        )
    return workspace


def delete_workspace(access: Access, confirm_name: str) -> None:
    """Delete a workspace and everything in it. The name must be typed to confirm, because
    nothing can bring it back; the audit entry is kept without its workspace."""
    access.require("workspace.delete")
    workspace = access.workspace
    if confirm_name.strip() != workspace.name:
        raise ActionError(
            _("Type the workspace's name, %(name)s, exactly to confirm.")
            % {"name": workspace.name},
            field="confirm",
        )
    with transaction.atomic():
        record(
            "workspace.delete",
            workspace=None,
            actor=access.user,
            via=access.via,
            label=workspace.name,
            before={"name": workspace.name, "slug": workspace.slug},
        )
        workspace.delete()
