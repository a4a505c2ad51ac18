from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hubbub.core.access import Access, ActionError
from hubbub.networks.mastodon.connect import (
    ConnectError,
    connect_with_token,
    finish_authorization,
    start_authorization,
)
from hubbub.networks.mastodon.forms import SignInForm, TokenForm
from hubbub.networks.mastodon.links import url_for
from hubbub.web.decorators import workspace_view


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    """Two ways in: sign in on the server (OAuth, recommended) or paste a token."""
    chosen = request.POST.get("method") if request.method == "POST" else None
    initial = {"instance_url": request.GET.get("instance", "")[:300]}
    sign_in = SignInForm(
        request.POST if chosen == "oauth" else None, prefix="oauth", initial=initial
    )
    token = TokenForm(request.POST if chosen == "token" else None, prefix="token", initial=initial)
    if chosen == "oauth" and sign_in.is_valid():
        try:
            started = start_authorization(
                access, sign_in.cleaned_data["instance_url"], request.session
            )
        except ActionError as exc:
            sign_in.add_error(exc.field if exc.field in sign_in.fields else None, exc.message)
        else:
            return HttpResponseRedirect(started.url)
    elif chosen == "token" and token.is_valid():
        data = token.cleaned_data
        try:
            channel = connect_with_token(access, data["instance_url"], data["access_token"])
        except ActionError as exc:
            token.add_error(exc.field if exc.field in token.fields else None, exc.message)
        else:
            messages.success(request, _("%(handle)s is connected.") % {"handle": channel.handle})
            return redirect("networks:list", slug=access.workspace.slug)
    return render(
        request,
        "mastodon/connect.html",
        {
            "sign_in": sign_in,
            "token": token,
            "advanced_open": chosen == "token",
        },
    )


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Where the server sends the person back. Not behind login: a connect started from the
    API may finish in the browser of someone who has no Hubbub account."""
    try:
        done = finish_authorization(request.user, request.session, request.GET.dict())
    except ConnectError as exc:
        # A way back only for someone signed in: a client finishing an API-started connect
        # has no Hubbub pages to go back to.
        signed_in = request.user.is_authenticated and bool(exc.slug)
        context = {
            "message": exc.message,
            "retry_url": url_for("connect", exc.slug) if signed_in else "",
            "channels_url": reverse("networks:list", args=[exc.slug]) if signed_in else "",
        }
        return render(request, "mastodon/callback_error.html", context, status=400)
    handle = done.channel.handle
    if done.via == "web":
        messages.success(request, _("%(handle)s is connected.") % {"handle": handle})
        return redirect("networks:list", slug=done.slug)
    return render(request, "mastodon/callback_done.html", {"handle": handle})
