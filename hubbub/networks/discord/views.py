from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access
from hubbub.networks.connect_forms import submit
from hubbub.networks.discord.connect import connect_discord
from hubbub.networks.discord.forms import ConnectForm
from hubbub.web.decorators import workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(request, access, form, connect_discord)
    if channel is not None:
        messages.success(
            request,
            _("Discord webhook %(name)s connected.") % {"name": channel.name},
        )
        return redirect("networks:list", slug=access.workspace.slug)
    return render(request, "discord/connect.html", {"form": form})
