from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access
from hubbub.networks.connect_forms import submit
from hubbub.networks.slack.connect import connect_slack
from hubbub.networks.slack.forms import ConnectForm
from hubbub.web.decorators import workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    channel = submit(request, access, form, connect_slack)
    if channel is not None:
        messages.success(request, _("Slack channel %(name)s connected.") % {"name": channel.name})
        if not form.cleaned_data["send_test_message"]:
            messages.info(
                request,
                _(
                    "Slack cannot check a webhook without posting through it: the first "
                    "post will show whether it works."
                ),
            )
        return redirect("networks:list", slug=access.workspace.slug)
    return render(request, "slack/connect.html", {"form": form})
