"""Teams (who works together on conversations) and tags (with their colours).

Creating, changing and deleting go through hubbub.inbox.actions (save_tag, delete_tag,
save_team, delete_team); a refused change re-shows the page with the message beside the
field, in the form of the tag or team it concerns.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.inbox import actions
from hubbub.inbox.forms import TagForm, TeamForm
from hubbub.inbox.models import Tag, Team
from hubbub.inbox.views.settings_common import people
from hubbub.web.decorators import workspace_view


def _tag_form(tag: Tag, data: Any = None) -> TagForm:
    return TagForm(data, prefix=f"tag{tag.pk}", initial={"name": tag.name, "colour": tag.colour})


def _team_form(access: Access, team: Team, data: Any = None) -> TeamForm:
    return TeamForm(
        data,
        prefix=f"team{team.pk}",
        people=people(access),
        initial={"name": team.name, "members": [u.pk for u in team.members.all()]},
    )


def _page(
    request: HttpRequest,
    access: Access,
    *,
    new_tag: TagForm | None = None,
    new_team: TeamForm | None = None,
    bound: TagForm | TeamForm | None = None,
    bound_for: Tag | Team | None = None,
) -> HttpResponse:
    tags = list(Tag.objects.filter(workspace=access.workspace))
    # Members by name: the database's own order is whatever it stored them in.
    members = Prefetch("members", queryset=User.objects.order_by("full_name", "email"))
    teams = list(Team.objects.filter(workspace=access.workspace).prefetch_related(members))

    def is_bound(obj: Tag | Team) -> bool:
        return type(bound_for) is type(obj) and bound_for is not None and bound_for.pk == obj.pk

    tag_rows = [(t, bound if is_bound(t) else _tag_form(t)) for t in tags]
    team_rows = [(t, bound if is_bound(t) else _team_form(access, t)) for t in teams]
    failed = bool(new_tag and new_tag.errors) or bool(new_team and new_team.errors) or bound
    return render(
        request,
        "inbox/settings_team.html",
        {
            "tag_rows": tag_rows,
            "team_rows": team_rows,
            "new_tag": new_tag or TagForm(prefix="newtag"),
            "new_team": new_team or TeamForm(prefix="newteam", people=people(access)),
            "bound_for": bound_for,
            "editable": access.can("inbox.configure"),
        },
        status=400 if failed else 200,
    )


def _back(access: Access, anchor: str) -> HttpResponse:
    response = redirect("inbox_settings:team", slug=access.workspace.slug)
    response["Location"] += f"#{anchor}"
    return response


@workspace_view("inbox.view")
def team_page(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    access.require("inbox.configure")
    if request.POST.get("form") == "team":
        team_form = TeamForm(request.POST, prefix="newteam", people=people(access))
        if team_form.is_valid():
            try:
                team = actions.save_team(
                    access, team_form.cleaned_data["name"], team_form.cleaned_data["members"]
                )
            except ActionError as exc:
                show_error(team_form, exc)
            else:
                messages.success(request, _("Team %(name)s created.") % {"name": team.name})
                return _back(access, "teams")
        return _page(request, access, new_team=team_form)
    tag_form = TagForm(request.POST, prefix="newtag")
    if tag_form.is_valid():
        try:
            tag = actions.save_tag(
                access, tag_form.cleaned_data["name"], tag_form.cleaned_data["colour"]
            )
        except ActionError as exc:
            show_error(tag_form, exc)
        else:
            messages.success(request, _("Tag %(name)s created.") % {"name": tag.name})
            return _back(access, "tags")
    return _page(request, access, new_tag=tag_form)


def _tag(access: Access, tag_id: int) -> Tag:
    return get_object_or_404(Tag, pk=tag_id, workspace=access.workspace)


def _team(access: Access, team_id: int) -> Team:
    return get_object_or_404(Team, pk=team_id, workspace=access.workspace)


@require_POST
@workspace_view("inbox.configure")
def tag_edit(request: HttpRequest, access: Access, tag_id: int) -> HttpResponse:
    tag = _tag(access, tag_id)
    form = _tag_form(tag, request.POST)
    if form.is_valid():
        try:
            actions.save_tag(access, form.cleaned_data["name"], form.cleaned_data["colour"], tag)
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Tag %(name)s saved.") % {"name": tag.name})
            return _back(access, "tags")
    tag.refresh_from_db()
    return _page(request, access, bound=form, bound_for=tag)


@require_POST
@workspace_view("inbox.configure")
def tag_delete(request: HttpRequest, access: Access, tag_id: int) -> HttpResponse:
    tag = _tag(access, tag_id)
    actions.delete_tag(access, tag)
    messages.success(
        request,
        _("Tag %(name)s deleted: it is off every conversation.") % {"name": tag.name},
    )
    return _back(access, "tags")


@require_POST
@workspace_view("inbox.configure")
def team_edit(request: HttpRequest, access: Access, team_id: int) -> HttpResponse:
    team = _team(access, team_id)
    form = _team_form(access, team, request.POST)
    if form.is_valid():
        try:
            actions.save_team(access, form.cleaned_data["name"], form.cleaned_data["members"], team)
        except ActionError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return _back(access, "teams")
    team.refresh_from_db()
    return _page(request, access, bound=form, bound_for=team)


@require_POST
@workspace_view("inbox.configure")
def team_delete(request: HttpRequest, access: Access, team_id: int) -> HttpResponse:
    team = _team(access, team_id)
    actions.delete_team(access, team)
    messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
    return _back(access, "teams")
