from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hubbub.core.access import Access
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.bluesky.forms import ConnectForm
from hubbub.networks.connect_forms import submit
from hubbub.web.decorators import workspace_view


@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(request, access, form, connect_bluesky)
    if channel is not None:
        messages.success(
            request,
            _("Bluesky account %(name)s (@%(handle)s) connected.")
            % {"name": channel.name, "handle": channel.handle},
        )
        if not channel.config.get("app_password_login", True):
            messages.warning(
                request,
                _(
                    "You used the account's main password. Hubbub keeps it encrypted, but an "
                    "app password is safer: create one and reconnect with it."
                ),
            )
        return redirect("networks:list", slug=access.workspace.slug)
    return render(request, "bluesky/connect.html", {"form": form})
