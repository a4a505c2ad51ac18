from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.actions.tokens import create_token, revoke_token
from hubbub.core.models import ApiToken
from hubbub.core.roles import RANK, Role
from hubbub.web.decorators import workspace_view
from hubbub.web.forms import TokenForm


@workspace_view("tokens.manage")
def token_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = TokenForm(request.POST or None, initial={"role": access.role})
    form.fields["role"].choices = [  # type: ignore[attr-defined]
        (value, label) for value, label in Role.choices if RANK[value] <= RANK[access.role]
    ]
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = create_token(
                access, form.cleaned_data["name"], form.cleaned_data["role"]
            )
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            form = TokenForm(initial={"role": access.role})
            form.fields["role"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Role.choices if RANK[value] <= RANK[access.role]
            ]
    tokens = ApiToken.objects.filter(workspace=access.workspace)
    if not access.can("members.remove"):
        tokens = tokens.filter(user=access.user)
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": tokens.select_related("user"),
            "new_token": new_token,
        },
    )


@require_POST
@workspace_view("tokens.manage")
def token_revoke(request: HttpRequest, access: Access, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, workspace=access.workspace)
    revoke_token(access, token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:tokens", slug=access.workspace.slug)
