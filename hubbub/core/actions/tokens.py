"""Personal API tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import ApiToken
from hubbub.core.roles import RANK, Role


def create_token(access: Access, name: str, role: str | None = None) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    access.require("tokens.manage")
    name = (name or "").strip()
    if not name:
        raise ActionError(
            _("Name the token after what will use it, e.g. 'reporting script'."), field="name"
        )
    role = role or access.role
    if role not in Role.values:
        raise ActionError(
            _("'%(role)s' is not a role: use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )
    if RANK[role] > RANK[access.role]:
        raise PermissionDenied(_("A token cannot hold a role above your own."))
    raw, digest = ApiToken.new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            workspace=access.workspace,
            user=access.user,
            name=name[:100],
            role=role,
            token_hash=digest,
            hint=raw[:10],
        )
        record(
            "token.create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=token,
            after={"name": token.name, "role": role},
        )
    return token, raw


def revoke_token(access: Access, token: ApiToken) -> None:
    access.require("tokens.manage")
    if token.workspace_id != access.workspace.pk:
        raise PermissionDenied(_("That token belongs to another workspace."))
    if token.user_id != access.user.pk and not access.can("members.remove"):
        raise PermissionDenied(_("Only the token's owner or a manager can revoke it."))
    if token.revoked_at:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            "token.revoke",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=token,
        )


def authenticate_token(raw: str) -> ApiToken | None:
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(token_hash=ApiToken.hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute: a busy script must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
