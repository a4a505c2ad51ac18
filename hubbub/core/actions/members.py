"""Invitations and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Invitation, Membership, Workspace
from hubbub.core.roles import RANK, Role

if TYPE_CHECKING:
    from hubbub.accounts.models import User


def _check_role(access: Access, role: str) -> None:
    if role not in Role.values:
        raise ActionError(
            _("'%(role)s' is not a role: use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )
    if RANK[role] > RANK[access.role]:
        raise PermissionDenied(
            _("You cannot grant the role %(role)s, which is above your own.")
            % {"role": Role(role).label}
        )


def _status_label(status: str) -> str:
    # Invitation.status is a code ("accepted", "revoked", "expired"); the sentence needs words.
    labels = {
        "pending": pgettext("invitation status", "pending"),
        "accepted": pgettext("invitation status", "accepted"),
        "revoked": pgettext("invitation status", "revoked"),
        "expired": pgettext("invitation status", "expired"),
    }
    return labels.get(status, status)


def invitation_url(raw_token: str) -> str:
    return settings.BASE_URL + reverse("accounts:accept_invitation", args=[raw_token])


def _send_invitation(invitation: Invitation, raw_token: str, inviter: User) -> None:
    workspace = invitation.workspace
    with translation.override(workspace.language):
        context = {
            "workspace": workspace,
            "inviter": inviter,
            "role": Role(invitation.role).label,
            "url": invitation_url(raw_token),
            "expires_at": invitation.expires_at.astimezone(workspace.tz),
        }
        # A header is one line, whatever the workspace name holds (send_mail refuses others).
        subject = " ".join(render_to_string("core/email/invitation_subject.txt", context).split())
        body = render_to_string("core/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invite_member(access: Access, email: str, role: str) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and the raw token of its link."""
    access.require("members.invite")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except Exception:
        raise ActionError(
            _("'%(email)s' is not an e-mail address.") % {"email": email}, field="email"
        ) from None
    _check_role(access, role)
    workspace = access.workspace
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ActionError(
            _("%(email)s is already a member of %(name)s.")
            % {"email": email, "name": workspace.name},
            field="email",
        )
    pending = (
        Invitation.objects.filter(
            workspace=workspace,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        raise ActionError(
            _(
                "%(email)s was already invited on %(date)s; "
                "send that invitation again or revoke it first."
            )
            % {"email": email, "date": f"{pending.created_at.astimezone(workspace.tz):%Y-%m-%d}"},
            field="email",
        )
    raw, digest = Invitation.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            invited_by=access.user,
            token_hash=digest,
            expires_at=timezone.now() + Invitation.VALID_FOR,
        )
        record(
            "member.invite",
            workspace=workspace,
            actor=access.user,
            via=access.via,
            obj=invitation,
            label=email,
            after={"email": email, "role": role},
        )
        transaction.on_commit(lambda: _send_invitation(invitation, raw, access.user))
    return invitation, raw


def resend_invitation(access: Access, invitation: Invitation) -> str:
    access.require("members.invite")
    if invitation.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That invitation belongs to another workspace."))
    if invitation.accepted_at or invitation.revoked_at:
        raise ActionError(
            _("The invitation to %(email)s is %(status)s.")
            % {"email": invitation.email, "status": _status_label(invitation.status)}
        )
    raw, digest = Invitation.new_token()
    with transaction.atomic():
        invitation.token_hash = digest
        invitation.expires_at = timezone.now() + Invitation.VALID_FOR
        invitation.save(update_fields=["token_hash", "expires_at"])
        record(
            "member.invite_resend",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=invitation,
            label=invitation.email,
        )
        transaction.on_commit(lambda: _send_invitation(invitation, raw, access.user))
    return raw


def revoke_invitation(access: Access, invitation: Invitation) -> None:
    access.require("members.invite")
    if invitation.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That invitation belongs to another workspace."))
    if not invitation.is_pending:
        raise ActionError(
            _("The invitation to %(email)s is already %(status)s.")
            % {"email": invitation.email, "status": _status_label(invitation.status)}
        )
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            "member.invite_revoke",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=invitation,
            label=invitation.email,
        )


def find_invitation(raw_token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace")
        .filter(token_hash=Invitation.hash_token(raw_token))
        .first()
    )


def accept_invitation(user: User, raw_token: str) -> Membership:
    invitation = find_invitation(raw_token)
    if invitation is None or invitation.status == "revoked":
        raise ActionError(_("This invitation link is not valid; ask for a new invitation."))
    if invitation.status == "expired":
        raise ActionError(
            _("This invitation has expired; ask the person who invited you to resend it.")
        )
    if user.email.lower() != invitation.email.lower():
        raise ActionError(
            _(
                "This invitation is for %(email)s, but you are signed in as %(user)s. "
                "Sign out and open the link again."
            )
            % {"email": invitation.email, "user": user.email}
        )
    with transaction.atomic():
        # Claim the invitation: a double click must not create two memberships.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        existing = Membership.objects.filter(workspace=invitation.workspace, user=user).first()
        if existing is not None:
            return existing
        if claimed != 1:
            raise ActionError(_("This invitation has already been used."))
        membership = Membership.objects.create(
            workspace=invitation.workspace, user=user, role=invitation.role
        )
        record(
            "member.join",
            workspace=invitation.workspace,
            actor=user,
            via="web",
            obj=membership,
            label=user.email,
            after={"role": invitation.role},
        )
    return membership


def _owners(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def change_role(access: Access, membership: Membership, role: str) -> Membership:
    access.require("members.change_role")
    if membership.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That member belongs to another workspace."))
    _check_role(access, role)
    if RANK[membership.role] > RANK[access.role]:
        raise PermissionDenied(_("You cannot change the role of someone above your own role."))
    if membership.role == role:
        return membership
    with transaction.atomic():
        if membership.role == Role.OWNER and _owners(access.workspace) == 1:
            raise ActionError(
                _("This is the workspace's only owner: make someone else owner first."),
                field="role",
            )
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            "member.role_change",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=membership,
            label=membership.user.email,
            before={"role": before},
            after={"role": role},
        )
    return membership


def remove_member(access: Access, membership: Membership) -> None:
    if membership.user_id != access.user.pk:  # anyone may leave; removing others needs the right
        access.require("members.remove")
    if membership.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That member belongs to another workspace."))
    if RANK[membership.role] > RANK[access.role]:
        raise PermissionDenied(_("You cannot remove someone above your own role."))
    with transaction.atomic():
        if membership.role == Role.OWNER and _owners(access.workspace) == 1:
            raise ActionError(
                _("This is the workspace's only owner: make someone else owner first.")
            )
        label = membership.user.email
        role = membership.role
        membership.delete()
        # Their API tokens for this workspace stop working with the membership.
        access.workspace.api_tokens.filter(
            user_id=membership.user_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        record(
            "member.remove",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            label=label,
            before={"email": label, "role": role},
        )
