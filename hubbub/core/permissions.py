"""The one table of who may do what. Every view, API endpoint and CLI action asks it.

Permissions are plain strings "<area>.<verb>". Later capabilities add their rows here, so
the whole policy stays readable in one place (and tests iterate over it).
"""

from __future__ import annotations

from hubbub.core.roles import Role

O, M, E, MO, A, C = (
    Role.OWNER,
    Role.MANAGER,
    Role.EDITOR,
    Role.MODERATOR,
    Role.ANALYST,
    Role.CLIENT_VIEWER,
)
EVERYONE = frozenset({O, M, E, MO, A, C})

PERMISSIONS: dict[str, frozenset[str]] = {
    # workspace
    "workspace.view": EVERYONE,
    "workspace.edit": frozenset({O, M}),
    "workspace.delete": frozenset({O}),
    # members
    "members.view": frozenset({O, M, E, MO, A}),
    "members.invite": frozenset({O, M}),
    "members.change_role": frozenset({O, M}),
    "members.remove": frozenset({O, M}),
    # channels
    "channels.view": frozenset({O, M, E, MO, A}),
    "channels.connect": frozenset({O, M}),
    "channels.disconnect": frozenset({O, M}),
    # governance
    "audit.view": frozenset({O}),
    "tokens.manage": frozenset({O, M, E, MO, A}),
}


class UnknownPermission(KeyError):
    pass


def role_can(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        # A typo must fail loudly in tests, never silently deny or allow.
        raise UnknownPermission(permission) from None


def permissions_of(role: str) -> list[str]:
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)
