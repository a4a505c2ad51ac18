"""Members of a workspace and the invitations that bring new ones in."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from hubbub.api.auth import api_access
from hubbub.api.schemas import (
    InvitationIn,
    InvitationOut,
    MemberOut,
    RoleIn,
    answers,
    invitation_out,
    member_out,
)
from hubbub.core.access import Access
from hubbub.core.actions import members as actions
from hubbub.core.models import Invitation, Membership

router = Router(tags=["members"])


def _membership(access: Access, member_id: int) -> Membership:
    # Scoped to the workspace: another workspace's member id is simply not found here.
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, workspace=access.workspace
    )


def _invitation(access: Access, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("invited_by"),
        pk=invitation_id,
        workspace=access.workspace,
    )


@router.get("/workspaces/{slug}/members", response=answers(200, list[MemberOut]), summary="Members")
def list_members(request: HttpRequest, slug: str) -> list[MemberOut]:
    access = api_access(request, slug)
    access.require("members.view")
    tz = access.workspace.tz
    memberships = Membership.objects.filter(workspace=access.workspace).select_related("user")
    return [member_out(m, tz) for m in memberships]


@router.patch(
    "/workspaces/{slug}/members/{int:member_id}",
    response=answers(200, MemberOut),
    summary="Change a member's role",
)
def change_member_role(
    request: HttpRequest, slug: str, member_id: int, payload: RoleIn
) -> MemberOut:
    access = api_access(request, slug)
    access.require("members.change_role")  # before the lookup: no probing of ids
    membership = actions.change_role(access, _membership(access, member_id), payload.role)
    return member_out(membership, access.workspace.tz)


@router.delete(
    "/workspaces/{slug}/members/{int:member_id}",
    response=answers(204, None),
    summary="Remove a member (or leave, with your own id)",
)
def remove_member(request: HttpRequest, slug: str, member_id: int) -> Status[None]:
    access = api_access(request, slug)
    actions.remove_member(access, _membership(access, member_id))
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/invitations",
    response=answers(200, list[InvitationOut]),
    summary="Pending invitations",
)
def list_invitations(request: HttpRequest, slug: str) -> list[InvitationOut]:
    access = api_access(request, slug)
    access.require("members.view")
    tz = access.workspace.tz
    invitations = Invitation.objects.filter(
        workspace=access.workspace, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [invitation_out(i, tz) for i in invitations]


@router.post(
    "/workspaces/{slug}/invitations",
    response=answers(201, InvitationOut),
    summary="Invite someone by e-mail (the link is e-mailed to them, never returned)",
)
def invite_member(request: HttpRequest, slug: str, payload: InvitationIn) -> Status[InvitationOut]:
    access = api_access(request, slug)
    invitation, _raw = actions.invite_member(access, payload.email, payload.role)
    return Status(201, invitation_out(invitation, access.workspace.tz))


@router.post(
    "/workspaces/{slug}/invitations/{int:invitation_id}/resend",
    response=answers(200, InvitationOut),
    summary="Send an invitation again, with a new link and expiry",
)
def resend_invitation(request: HttpRequest, slug: str, invitation_id: int) -> InvitationOut:
    access = api_access(request, slug)
    access.require("members.invite")
    invitation = _invitation(access, invitation_id)
    actions.resend_invitation(access, invitation)
    return invitation_out(invitation, access.workspace.tz)


@router.delete(
    "/workspaces/{slug}/invitations/{int:invitation_id}",
    response=answers(204, None),
    summary="Revoke an invitation",
)
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("members.invite")
    actions.revoke_invitation(access, _invitation(access, invitation_id))
    return Status(204, None)
