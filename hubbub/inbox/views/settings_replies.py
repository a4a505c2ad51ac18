"""Saved replies: the list by title with its English and French versions, and the form to
write or change one. The rules (unique title per language, allowed languages) are
hubbub.inbox.actions' save_reply and delete_saved_reply."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.inbox import actions
from hubbub.inbox.forms import PLACEHOLDERS, SavedReplyForm
from hubbub.inbox.models import SavedReply
from hubbub.web.decorators import workspace_view


def _reply(access: Access, reply_id: int) -> SavedReply:
    return get_object_or_404(SavedReply, pk=reply_id, workspace=access.workspace)


def _groups(access: Access) -> list[dict[str, Any]]:
    """One row per title: its version in each language (None where missing)."""
    codes = [code for code, _name in settings.LANGUAGES]
    groups: dict[str, dict[str, Any]] = {}
    for reply in SavedReply.objects.filter(workspace=access.workspace):
        group = groups.setdefault(reply.title, {"title": reply.title, "versions": {}})
        group["versions"][reply.language] = reply
    rows = []
    for group in groups.values():
        group["cells"] = [(code, group["versions"].get(code)) for code in codes]
        rows.append(group)
    return sorted(rows, key=lambda g: g["title"].lower())


@workspace_view("inbox.view")
def replies_page(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "inbox/settings_replies.html",
        {
            "groups": _groups(access),
            "languages": settings.LANGUAGES,
            "editable": access.can("inbox.configure"),
        },
    )


def _edit(request: HttpRequest, access: Access, reply: SavedReply | None) -> HttpResponse:
    if request.method == "POST":
        form = SavedReplyForm(request.POST)
        if form.is_valid():
            try:
                saved = actions.save_reply(
                    access,
                    form.cleaned_data["title"],
                    form.cleaned_data["language"],
                    form.cleaned_data["text"],
                    reply=reply,
                )
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(
                    request, _("Saved reply “%(title)s” saved.") % {"title": saved.title}
                )
                return redirect("inbox_settings:replies", slug=access.workspace.slug)
    elif reply is not None:
        form = SavedReplyForm(
            initial={"title": reply.title, "language": reply.language, "text": reply.text}
        )
    else:
        # "Add the French version" links pass the title and language.
        form = SavedReplyForm(
            initial={
                "title": request.GET.get("title", "")[:100],
                "language": request.GET.get("language", access.workspace.language),
            }
        )
    return render(
        request,
        "inbox/settings_reply_edit.html",
        {"form": form, "reply": reply, "placeholders": PLACEHOLDERS},
        status=400 if form.is_bound else 200,
    )


@workspace_view("inbox.configure")
def reply_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("inbox.configure")
def reply_edit(request: HttpRequest, access: Access, reply_id: int) -> HttpResponse:
    return _edit(request, access, _reply(access, reply_id))


@require_POST
@workspace_view("inbox.configure")
def reply_delete(request: HttpRequest, access: Access, reply_id: int) -> HttpResponse:
    reply = _reply(access, reply_id)
    actions.delete_saved_reply(access, reply)
    messages.success(
        request,
        _("Saved reply “%(title)s” (%(language)s) deleted.")
        % {"title": reply.title, "language": reply.get_language_display()},
    )
    return redirect("inbox_settings:replies", slug=access.workspace.slug)
