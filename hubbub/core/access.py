"""Access helpers: the only way code reaches a workspace's objects on someone's behalf.

`access_workspace()` turns (user, workspace slug) into an `Access`, or raises Http404 when
the person is not a member (we do not reveal that a workspace exists). `Access.require()`
raises PermissionDenied with a sentence that says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from hubbub.core.models import Membership, Workspace
from hubbub.core.permissions import role_can
from hubbub.core.roles import RANK, Role

if TYPE_CHECKING:
    from hubbub.accounts.models import User


class ActionError(Exception):
    """Bad input to an action: the message tells the person what to fix; nothing was saved."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Access:
    user: User
    workspace: Workspace
    role: str
    via: str = "web"

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                _(
                    "Your role (%(role)s) does not allow %(permission)s in %(workspace)s; "
                    "ask an owner or manager."
                )
                % {
                    "role": Role(self.role).label,
                    "permission": permission,
                    "workspace": self.workspace.name,
                }
            )

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def access_workspace(
    user: User, slug: str, *, via: str = "web", role_cap: str | None = None
) -> Access:
    if not user.is_authenticated:
        raise Http404(_("No such workspace."))
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404(_("No such workspace."))
    role = membership.role
    if role_cap is not None and RANK[role_cap] < RANK[role]:
        role = role_cap  # an API token never holds more than it was created with
    return Access(user=user, workspace=membership.workspace, role=role, via=via)


def workspaces_of(user: User) -> list[Workspace]:
    return list(Workspace.objects.filter(memberships__user=user).order_by("name"))
