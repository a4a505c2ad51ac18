"""TikTok's web pages: the connect page (the shared OAuth 2 sign-in, with the list of this
workspace's TikTok accounts and their posting settings) and each account's settings page."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubbub.core.access import Access
from hubbub.core.audit import record
from hubbub.networks import oauth2_views
from hubbub.networks.base import ConnectorError
from hubbub.networks.models import Channel
from hubbub.networks.tiktok.connector import TikTokConnector, apply_creator_info
from hubbub.networks.tiktok.forms import SettingsForm
from hubbub.networks.tiktok.oauth import PROVIDER
from hubbub.web.decorators import workspace_view

INTERACTIONS = {
    "allow_comment": "comment_disabled",
    "allow_duet": "duet_disabled",
    "allow_stitch": "stitch_disabled",
}


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def connect(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method == "POST" and PROVIDER.configured():
        return HttpResponseRedirect(oauth2_views.start(request.session, access, "tiktok"))
    id_name, secret_name = PROVIDER.setting_names()
    channels = Channel.objects.connected().filter(
        workspace=access.workspace, network=TikTokConnector.name
    )
    return render(
        request,
        "tiktok/connect.html",
        {
            "network": "tiktok",
            "label": TikTokConnector.label,
            "configured": PROVIDER.configured(),
            "id_name": id_name,
            "secret_name": secret_name,
            "redirect_uri": PROVIDER.redirect_uri(),
            "docs": PROVIDER.docs,
            "help": PROVIDER.help,
            "accounts": [
                {"channel": c, "chosen": bool(TikTokConnector(c).config.privacy_level)}
                for c in channels
            ],
        },
        status=200 if PROVIDER.configured() else 503,
    )


@require_http_methods(["GET", "POST"])
@workspace_view("channels.connect")
def settings(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(
        Channel.objects.connected(),
        pk=channel_id,
        workspace=access.workspace,
        network=TikTokConnector.name,
    )
    connector = TikTokConnector(channel)
    config = connector.config
    try:
        # TikTok's guidelines: show the account's options as they are now, every time.
        creator = connector.creator_info()
    except ConnectorError as exc:
        return render(
            request,
            "tiktok/settings.html",
            {"channel": channel, "problem": str(exc), "form": None},
            status=502,
        )
    apply_creator_info(config, creator)
    disabled = {name for name, flag in INTERACTIONS.items() if creator.get(flag)}
    initial = {
        "privacy_level": config.privacy_level,
        **{name: getattr(config, name) and name not in disabled for name in INTERACTIONS},
    }
    form = SettingsForm(
        request.POST or None,
        initial=initial,
        options=config.privacy_level_options,
        disabled=disabled,
    )
    if request.method == "POST" and form.is_valid():
        config.privacy_level = form.cleaned_data["privacy_level"]
        for name in INTERACTIONS:
            setattr(config, name, bool(form.cleaned_data[name]) and name not in disabled)
        before = {k: (channel.config or {}).get(k) for k in ("privacy_level", *INTERACTIONS)}
        channel.config = config.model_dump()
        with transaction.atomic():
            channel.save(update_fields=["config", "updated_at"])
            record(
                "channel.options",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=channel,
                before=before,
                after={k: channel.config.get(k) for k in before},
            )
        messages.success(request, _("TikTok settings for %(name)s saved.") % {"name": channel.name})
        return redirect("tiktok:connect", slug=access.workspace.slug)
    return render(
        request,
        "tiktok/settings.html",
        {
            "channel": channel,
            "form": form,
            "creator": {
                "nickname": str(creator.get("creator_nickname") or channel.name),
                "username": str(creator.get("creator_username") or ""),
                "max_seconds": config.max_video_seconds,
            },
        },
    )
