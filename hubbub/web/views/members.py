from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.actions import members as actions
from hubbub.core.models import Invitation, Membership
from hubbub.core.roles import RANK, Role
from hubbub.web.decorators import workspace_view
from hubbub.web.forms import InviteForm, RoleForm


def _grantable(access: Access) -> list[tuple[str, object]]:
    return [(value, label) for value, label in Role.choices if RANK[value] <= RANK[access.role]]


@workspace_view("members.view")
def member_list(request: HttpRequest, access: Access) -> HttpResponse:
    workspace = access.workspace
    form = InviteForm(request.POST or None)
    form.fields["role"].choices = _grantable(access)  # type: ignore[attr-defined]
    if request.method == "POST":
        access.require("members.invite")
        if form.is_valid():
            try:
                invitation, _raw = actions.invite_member(
                    access, form.cleaned_data["email"], form.cleaned_data["role"]
                )
            except ActionError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("web:members", slug=workspace.slug)
    context = {
        "form": form,
        "members": [
            # Nobody changes or removes someone above their own role: no control is offered.
            (m, RANK[m.role] <= RANK[access.role])
            for m in Membership.objects.filter(workspace=workspace).select_related("user")
        ],
        "invitations": Invitation.objects.filter(
            workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "roles": _grantable(access),
        "now": timezone.now(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/members.html", context, status=status)


def _membership(access: Access, member_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, workspace=access.workspace
    )


@require_POST
@workspace_view("members.view")
def member_role(request: HttpRequest, access: Access, member_id: int) -> HttpResponse:
    membership = _membership(access, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        try:
            actions.change_role(access, membership, form.cleaned_data["role"])
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(email)s is now %(role)s.")
                % {"email": membership.user.email, "role": Role(membership.role).label},
            )
    return redirect("web:members", slug=access.workspace.slug)


@require_POST
@workspace_view("workspace.view")
def member_remove(request: HttpRequest, access: Access, member_id: int) -> HttpResponse:
    membership = _membership(access, member_id)
    leaving = membership.user_id == access.user.pk
    try:
        actions.remove_member(access, membership)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:members", slug=access.workspace.slug)
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": access.workspace.name})
        return redirect("web:home")
    messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    return redirect("web:members", slug=access.workspace.slug)


@require_POST
@workspace_view("members.invite")
def invitation_action(
    request: HttpRequest, access: Access, invitation_id: int, verb: str
) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, workspace=access.workspace)
    try:
        if verb == "resend":
            actions.resend_invitation(access, invitation)
            messages.success(
                request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
            )
        elif verb == "revoke":
            actions.revoke_invitation(access, invitation)
            messages.success(
                request, _("Invitation to %(email)s revoked.") % {"email": invitation.email}
            )
        else:
            raise Http404
    except (ActionError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("web:members", slug=access.workspace.slug)
