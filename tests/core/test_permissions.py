"""The permissions table: its shape, and that the code only asks for permissions it lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hubbub
from hubbub.core.access import Access
from hubbub.core.permissions import PERMISSIONS, UnknownPermission, permissions_of, role_can
from hubbub.core.roles import RANK, Role

SOURCE = Path(hubbub.__file__).parent
# require("x.y"), can("x.y"), workspace_view("x.y"), role_can(role, "x.y"), also across lines
ASKED = re.compile(
    r"\b(?:require|can|workspace_view|role_can)\(\s*(?:[\w.]+,\s*)?\"([a-z_]+\.[a-z_]+)\""
)


def asked_for() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for name in ASKED.findall(path.read_text()):
            found.setdefault(name, []).append(str(path.relative_to(SOURCE.parent)))
    return found


def test_every_permission_asked_for_in_the_code_is_in_the_table():
    found = asked_for()
    assert len(found) >= 10, "the scan found too little: has the pattern stopped matching?"
    unknown = {name: where for name, where in found.items() if name not in PERMISSIONS}
    assert unknown == {}


def test_the_scan_sees_the_known_call_sites():
    found = asked_for()
    assert "hubbub/web/views/audit.py" in found["audit.view"]
    assert "hubbub/core/actions/members.py" in found["members.invite"]


def test_role_can_raises_for_an_unknown_permission():
    with pytest.raises(UnknownPermission):
        role_can(Role.OWNER, "workspace.veiw")


def test_access_can_raises_for_an_unknown_permission(alice, acme):
    access = Access(user=alice, workspace=acme, role=Role.OWNER)
    with pytest.raises(UnknownPermission):
        access.require("members.fire")


def test_the_table_names_exactly_the_six_roles():
    named = set().union(*PERMISSIONS.values())
    assert named == set(Role.values)
    assert len(Role.values) == 6
    assert set(RANK) == set(Role.values)


def test_permission_names_are_area_dot_verb():
    for name in PERMISSIONS:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", name), name


def test_an_owner_can_do_everything():
    assert permissions_of(Role.OWNER) == sorted(PERMISSIONS)
    assert all(role_can(Role.OWNER, name) for name in PERMISSIONS)


def test_only_an_owner_reads_the_audit_log_or_deletes_the_workspace():
    for permission in ("audit.view", "workspace.delete"):
        assert PERMISSIONS[permission] == frozenset({Role.OWNER})


def test_everyone_sees_the_workspace():
    for role in Role.values:
        assert role_can(role, "workspace.view")


def test_a_client_viewer_only_sees_the_workspace_its_posts_and_results_and_may_approve():
    # Approving is only possible where a workflow step names the client (an agency's client);
    # the results are what an agency reports to its client.
    assert permissions_of(Role.CLIENT_VIEWER) == [
        "measure.view",
        "posts.approve",
        "posts.view",
        "workspace.view",
    ]


def test_the_same_people_invite_change_roles_and_remove():
    # Whoever may invite may also change roles and remove: one set of trusted people.
    assert PERMISSIONS["members.invite"] == PERMISSIONS["members.change_role"]
    assert PERMISSIONS["members.invite"] == PERMISSIONS["members.remove"]
