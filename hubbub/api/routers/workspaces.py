"""Who am I, and the workspaces I belong to."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Status

from hubbub.accounts.models import User
from hubbub.api.auth import api_access, api_token
from hubbub.api.schemas import (
    MeOut,
    TokenScopeOut,
    WorkspaceCreateIn,
    WorkspaceDeleteIn,
    WorkspaceOut,
    WorkspacePatchIn,
    answers,
    workspace_out,
)
from hubbub.core.access import access_workspace
from hubbub.core.actions.workspaces import create_workspace, delete_workspace, update_workspace
from hubbub.core.models import Membership
from hubbub.core.roles import Role

router = Router(tags=["workspaces"])


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@router.get("/me", response=answers(200, MeOut), summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    token = api_token(request)
    scope = None
    if token is not None:
        # The role the token acts with today: a demoted member's token is demoted too.
        access = access_workspace(user, token.workspace.slug, via="api", role_cap=token.role)
        scope = TokenScopeOut(name=token.name, workspace=token.workspace.slug, role=access.role)
    return MeOut(email=user.email, name=user.full_name, language=user.language, token=scope)


@router.get("/workspaces", response=answers(200, list[WorkspaceOut]), summary="My workspaces")
def list_workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    token = api_token(request)
    if token is not None:  # a token sees only the workspace it was made for, with its role
        access = api_access(request, token.workspace.slug)
        return [workspace_out(access.workspace, access.role)]
    memberships = Membership.objects.filter(user=_user(request)).select_related("workspace")
    return [workspace_out(m.workspace, m.role) for m in memberships.order_by("workspace__name")]


@router.post("/workspaces", response=answers(201, WorkspaceOut), summary="Create a workspace")
def new_workspace(request: HttpRequest, payload: WorkspaceCreateIn) -> Status[WorkspaceOut]:
    if api_token(request) is not None:
        raise PermissionDenied(
            "An API token works on one workspace only, so it cannot create workspaces: "
            "create the workspace in the web interface (or while signed in)."
        )
    workspace = create_workspace(
        _user(request), payload.name, payload.time_zone, payload.language, via="api"
    )
    return Status(201, workspace_out(workspace, Role.OWNER))


@router.get("/workspaces/{slug}", response=answers(200, WorkspaceOut), summary="One workspace")
def get_workspace(request: HttpRequest, slug: str) -> WorkspaceOut:
    access = api_access(request, slug)
    access.require("workspace.view")
    return workspace_out(access.workspace, access.role)


@router.patch(
    "/workspaces/{slug}", response=answers(200, WorkspaceOut), summary="Change a workspace"
)
def patch_workspace(request: HttpRequest, slug: str, payload: WorkspacePatchIn) -> WorkspaceOut:
    access = api_access(request, slug)
    workspace = update_workspace(
        access, name=payload.name, time_zone=payload.time_zone, language=payload.language
    )
    return workspace_out(workspace, access.role)


@router.delete(
    "/workspaces/{slug}",
    response=answers(204, None),
    summary="Delete a workspace and everything in it (owners; the name confirms it)",
)
def remove_workspace(request: HttpRequest, slug: str, payload: WorkspaceDeleteIn) -> Status[None]:
    delete_workspace(api_access(request, slug), payload.confirm)
    return Status(204, None)
