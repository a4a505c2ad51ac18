"""What the API accepts and answers, and how models become answers.

Times are given in the workspace's time zone with their offset (2025-03-30T09:00:00+02:00),
as the web pages show them: a script reads the same wall-clock time a person sees.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from hubbub.core.models import ApiToken, AuditEntry, Invitation, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.actions import expiry_warning
from hubbub.networks.models import Channel

ROLES = ", ".join(Role.values)


def local(moment: datetime | None, tz: zoneinfo.ZoneInfo) -> datetime | None:
    return moment.astimezone(tz) if moment is not None else None


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong and what to change.")
    field: str | None = Field(None, description="The input field at fault, when there is one.")


# Every operation may answer with these; documenting them keeps clients honest.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def answers(ok: int, schema: Any) -> dict[int, Any]:
    return {ok: schema, **ERRORS}


# --- who am I -----------------------------------------------------------------------------


class TokenScopeOut(Schema):
    name: str
    workspace: str = Field(description="The slug of the one workspace the token works on.")
    role: str = Field(
        description="The role the token acts with right now (never above the "
        "member's current role)."
    )


class MeOut(Schema):
    email: str
    name: str
    language: str = Field(description="Empty: each workspace's language.")
    token: TokenScopeOut | None = Field(
        None, description="Set when you authenticated with a token."
    )


# --- workspaces ---------------------------------------------------------------------------


class WorkspaceOut(Schema):
    slug: str
    name: str
    time_zone: str
    language: str
    role: str = Field(description="Your role in the workspace.")
    created_at: datetime


class WorkspaceCreateIn(Schema):
    name: str = Field(max_length=100)
    time_zone: str = Field("UTC", description="An IANA name such as Europe/Paris.")
    language: str = Field("en", description="en or fr.")


class WorkspacePatchIn(Schema):
    name: str | None = Field(None, max_length=100)
    time_zone: str | None = None
    language: str | None = None


class WorkspaceDeleteIn(Schema):
    confirm: str = Field(description="The workspace's name, typed exactly, to confirm.")


def workspace_out(workspace: Workspace, role: str) -> WorkspaceOut:
    return WorkspaceOut(
        slug=workspace.slug,
        name=workspace.name,
        time_zone=workspace.time_zone,
        language=workspace.language,
        role=role,
        created_at=workspace.created_at.astimezone(workspace.tz),
    )


# --- members and invitations --------------------------------------------------------------


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str
    joined_at: datetime


class RoleIn(Schema):
    role: str = Field(description=f"One of {ROLES}.")


def member_out(membership: Membership, tz: zoneinfo.ZoneInfo) -> MemberOut:
    return MemberOut(
        id=membership.pk,
        email=membership.user.email,
        name=membership.user.full_name,
        role=membership.role,
        joined_at=membership.created_at.astimezone(tz),
    )


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    status: str = Field(description="pending, accepted, revoked or expired.")
    invited_by: str | None = Field(description="The e-mail address of who invited them.")
    created_at: datetime
    expires_at: datetime


class InvitationIn(Schema):
    email: str
    role: str = Field(description=f"One of {ROLES}; not above your own role.")


def invitation_out(invitation: Invitation, tz: zoneinfo.ZoneInfo) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        role=invitation.role,
        status=invitation.status,
        invited_by=invitation.invited_by.email if invitation.invited_by else None,
        created_at=invitation.created_at.astimezone(tz),
        expires_at=invitation.expires_at.astimezone(tz),
    )


# --- channels -----------------------------------------------------------------------------


class ChannelOut(Schema):
    id: int
    network: str
    network_label: str
    handle: str
    name: str
    profile_url: str
    avatar_url: str
    health: str = Field(description="ok, needs_reconnect, rate_limited, error or disconnected.")
    health_message: str
    rate_limited_until: datetime | None
    token_expires_at: datetime | None
    expiry_warning: str | None = Field(
        description="Set when the authorization ends within a week: reconnect before then."
    )
    last_checked_at: datetime | None
    connected_at: datetime


def channel_out(channel: Channel, tz: zoneinfo.ZoneInfo) -> ChannelOut:
    return ChannelOut(
        id=channel.pk,
        network=channel.network,
        network_label=channel.network_label,
        handle=channel.handle,
        name=channel.name,
        profile_url=channel.profile_url,
        avatar_url=channel.avatar_url,
        health=channel.health,
        health_message=channel.health_message,
        rate_limited_until=local(channel.rate_limited_until, tz),
        token_expires_at=local(channel.token_expires_at, tz),
        expiry_warning=expiry_warning(channel),
        last_checked_at=local(channel.last_checked_at, tz),
        connected_at=channel.created_at.astimezone(tz),
    )


# --- audit log ----------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor: str = Field(description="Who did it (their e-mail address), or Hubbub.")
    via: str = Field(description="web, api, cli or system.")
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, Any]
    after: dict[str, Any]


class AuditPageOut(Schema):
    total: int = Field(description="How many entries match the filters, on all pages.")
    limit: int
    offset: int
    items: list[AuditEntryOut]


class AuditQuery(Schema):
    action: str = Field("", description="An action such as member.invite, or an area: member.*")
    actor: str = Field("", description="The actor's e-mail address, or part of it.")
    since: date | None = Field(None, description="First day, in the workspace's time zone.")
    until: date | None = Field(
        None, description="Last day (included), in the workspace's time zone."
    )
    text: str = Field("", description="Text in the object's name or in the action.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def audit_entry_out(entry: AuditEntry, tz: zoneinfo.ZoneInfo) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.pk,
        created_at=entry.created_at.astimezone(tz),
        actor=entry.actor_label,
        via=entry.via,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_label=entry.object_label,
        before=entry.before,
        after=entry.after,
    )


# --- tokens -------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    role: str
    hint: str = Field(description="The token's first characters, to tell tokens apart.")
    owner: str = Field(description="The e-mail address of the member it acts for.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, store it now.")


class TokenIn(Schema):
    name: str = Field(description="What will use it, e.g. 'reporting script'.")
    role: str | None = Field(None, description=f"One of {ROLES}; default and most: your own role.")


def token_fields(token: ApiToken, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "role": token.role,
        "hint": token.hint,
        "owner": token.user.email,
        "created_at": token.created_at.astimezone(tz),
        "last_used_at": local(token.last_used_at, tz),
        "revoked_at": local(token.revoked_at, tz),
    }


def token_out(token: ApiToken, tz: zoneinfo.ZoneInfo) -> TokenOut:
    return TokenOut(**token_fields(token, tz))
