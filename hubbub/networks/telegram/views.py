from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access
from hubbub.networks.connect_forms import submit
from hubbub.networks.telegram.connect import connect_telegram
from hubbub.networks.telegram.forms import ConnectForm
from hubbub.web.decorators import workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(request, access, form, connect_telegram)
    if channel is not None:
        messages.success(
            request,
            _("Telegram channel %(name)s connected.") % {"name": channel.name},
        )
        if not channel.config.get("can_delete"):
            messages.warning(
                request,
                _(
                    'The bot does not have the "Delete messages" right in this channel: '
                    "Hubbub will not be able to delete what it posts. Grant it in the "
                    "channel's administrator settings if you want that."
                ),
            )
        return redirect("networks:list", slug=access.workspace.slug)
    return render(request, "telegram/connect.html", {"form": form})
