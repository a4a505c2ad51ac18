"""The web side of hubbub.networks.oauth2, shared by every OAuth 2 network.

A network's urls.py is one line: `app_name, urlpatterns = "x", oauth_urls("x")`, which gives
  w/<slug>/channels/<network>/connect/   "<network>:connect"  the page with the sign-in button
  oauth/<network>/callback/              "<network>:callback" where the network sends people
  w/<slug>/channels/<network>/choose/    "<network>:choose"   pick pages/organizations
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from hubbub.core import crypto
from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.networks import oauth2
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Account, Connection, Connector, ConnectorError
from hubbub.networks.registry import UnknownNetwork, connector_class
from hubbub.web.decorators import workspace_view

SESSION_KEY = "oauth2_pending"
CHOICES_KEY = "oauth2_choices"
# Long enough to sign in with a second factor; short enough that a forgotten tab dies.
LIFETIME = 30 * 60
MAX_PENDING = 10  # per session: abandoned attempts must not grow it for ever
CANCELLED = ("access_denied", "user_cancelled_login", "user_cancelled_authorize")


@dataclass(frozen=True)
class Pending:
    network: str
    slug: str
    verifier: str
    user_id: int
    expires: float


def _oauth_connector(network: str) -> tuple[type[Connector], oauth2.Provider]:
    try:
        cls = connector_class(network)
    except UnknownNetwork:
        raise Http404 from None
    if cls.oauth is None:
        raise Http404
    return cls, cls.oauth


def _prune(entries: dict[str, Any]) -> dict[str, Any]:
    now = time.time()
    alive = {k: v for k, v in entries.items() if v.get("expires", 0) > now}
    return dict(sorted(alive.items(), key=lambda kv: kv[1]["expires"])[-MAX_PENDING:])


def start(session: SessionBase, access: Access, network: str) -> str:
    """Remember a new attempt in the session and return the network's authorize URL."""
    access.require("channels.connect")
    _cls, provider = _oauth_connector(network)
    state = secrets.token_urlsafe(32)
    verifier = oauth2.new_verifier()
    pending = _prune(dict(session.get(SESSION_KEY, {})))
    pending[state] = {
        "network": network,
        "slug": access.workspace.slug,
        "verifier": verifier,
        "user_id": access.user.pk,
        "expires": time.time() + LIFETIME,
    }
    session[SESSION_KEY] = pending
    return oauth2.authorize_url(provider, state, verifier)


def _take(session: SessionBase, network: str, state: str) -> Pending:
    pending = dict(session.get(SESSION_KEY, {}))
    entry = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending
    if entry is None or entry.get("network") != network:
        raise ActionError(
            _(
                "This sign-in attempt is unknown: it was already used, or started in another "
                "browser. Start again from the channels page."
            )
        )
    if entry["expires"] < time.time():
        raise ActionError(_("This sign-in attempt has expired (it lasts 30 minutes): start again."))
    return Pending(
        network, entry["slug"], entry["verifier"], int(entry["user_id"]), entry["expires"]
    )


def _stash(session: SessionBase, network: str, slug: str, found: list[Connection]) -> None:
    """Keep the accounts to choose from, tokens encrypted, until the person picks."""
    choices = _prune(dict(session.get(CHOICES_KEY, {})))
    choices[f"{network}:{slug}"] = {
        "expires": time.time() + LIFETIME,
        "sealed": crypto.encrypt_json(
            {
                "accounts": [
                    {
                        "account": vars(c.account),
                        "credentials": c.credentials,
                        "config": c.config,
                        "expires_at": c.token_expires_at.isoformat()
                        if c.token_expires_at
                        else None,
                    }
                    for c in found
                ]
            }
        ),
    }
    session[CHOICES_KEY] = choices


def _stashed(session: SessionBase, network: str, slug: str) -> list[Connection]:
    from datetime import datetime

    entry = dict(session.get(CHOICES_KEY, {})).get(f"{network}:{slug}")
    if not entry or entry["expires"] < time.time():
        return []
    data = crypto.decrypt_json(entry["sealed"])
    return [
        Connection(
            account=Account(**item["account"]),
            credentials=item["credentials"],
            config=item["config"],
            token_expires_at=datetime.fromisoformat(item["expires_at"])
            if item["expires_at"]
            else None,
        )
        for item in data["accounts"]
    ]


def _forget_stash(session: SessionBase, network: str, slug: str) -> None:
    choices = dict(session.get(CHOICES_KEY, {}))
    choices.pop(f"{network}:{slug}", None)
    session[CHOICES_KEY] = choices


def connect_view(network: str) -> Any:
    @require_http_methods(["GET", "POST"])
    @workspace_view("channels.connect")
    def connect(request: HttpRequest, access: Access) -> HttpResponse:
        cls, provider = _oauth_connector(network)
        if request.method == "POST" and provider.configured():
            return HttpResponseRedirect(start(request.session, access, network))
        id_name, secret_name = provider.setting_names()
        return render(
            request,
            "networks/oauth2_connect.html",
            {
                "network": network,
                "label": cls.label,
                "configured": provider.configured(),
                "id_name": id_name,
                "secret_name": secret_name,
                "redirect_uri": provider.redirect_uri(),
                "docs": provider.docs or f"docs/networks/{network}.md",
                "help": provider.help,
            },
            status=200 if provider.configured() else 503,
        )

    return connect


def callback_view(network: str) -> Any:
    @require_GET
    @login_required
    def callback(request: HttpRequest) -> HttpResponse:
        cls, provider = _oauth_connector(network)
        query = request.GET
        try:
            pending = _take(request.session, network, query.get("state", ""))
        except ActionError as exc:
            return _error(request, network, exc.message, "")
        if pending.user_id != request.user.pk:
            raise PermissionDenied
        if query.get("error"):
            # RFC 6749 §4.1.2.1; access_denied is the person pressing "Cancel".
            # LinkedIn says user_cancelled_login / user_cancelled_authorize instead.
            if query["error"] in CANCELLED:
                message = _("The sign-in on %(network)s was cancelled: nothing was connected.")
            else:
                message = _("%(network)s refused the sign-in: nothing was connected.")
            detail = query.get("error_description", "")[:300]
            return _error(request, network, message % {"network": cls.label}, pending.slug, detail)
        code = query.get("code", "")
        if not code:
            return _error(
                request,
                network,
                _("%(network)s sent no authorization code back: start again.")
                % {"network": cls.label},
                pending.slug,
            )
        access = access_workspace(request.user, pending.slug)  # type: ignore[arg-type]
        try:
            access.require("channels.connect")
            token = oauth2.exchange_code(provider, code, pending.verifier)
            found = cls.accounts_from_token(token)
        except ConnectorError as exc:
            return _error(request, network, str(exc), pending.slug)
        if not found:
            return _error(
                request,
                network,
                str(provider.nothing_found)
                or _(
                    "This %(network)s account has nothing Hubbub can post to: see the "
                    "network's guide for the roles and permissions it needs."
                )
                % {"network": cls.label},
                pending.slug,
            )
        if len(found) == 1:
            channel = save_connection(access, network, found[0])
            messages.success(request, _("%(name)s is connected.") % {"name": channel.name})
            return redirect("networks:list", slug=pending.slug)
        _stash(request.session, network, pending.slug, found)
        return redirect(f"{network}:choose", slug=pending.slug)

    return callback


def choose_view(network: str) -> Any:
    @require_http_methods(["GET", "POST"])
    @workspace_view("channels.connect")
    def choose(request: HttpRequest, access: Access) -> HttpResponse:
        cls, _provider = _oauth_connector(network)
        slug = access.workspace.slug
        found = _stashed(request.session, network, slug)
        if not found:
            messages.error(
                request,
                _("There is no sign-in to choose from (it lasts 30 minutes): start again."),
            )
            return redirect(f"{network}:connect", slug=slug)
        if request.method == "POST":
            picked = set(request.POST.getlist("account"))
            chosen = [c for c in found if c.account.external_id in picked]
            if not chosen:
                messages.error(request, _("Tick at least one to connect."))
            else:
                for connection in chosen:
                    save_connection(access, network, connection)
                _forget_stash(request.session, network, slug)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s %(network)s account connected.",
                        "%(count)s %(network)s accounts connected.",
                        len(chosen),
                    )
                    % {"count": len(chosen), "network": cls.label},
                )
                return redirect("networks:list", slug=slug)
        return render(
            request,
            "networks/oauth2_choose.html",
            {"label": cls.label, "accounts": [c.account for c in found]},
        )

    return choose


def _error(
    request: HttpRequest, network: str, message: str, slug: str, detail: str = ""
) -> HttpResponse:
    context = {
        "message": message,
        "detail": detail,
        "retry_url": reverse(f"{network}:connect", args=[slug]) if slug else "",
        "channels_url": reverse("networks:list", args=[slug]) if slug else "",
    }
    return render(request, "networks/oauth2_error.html", context, status=400)


def oauth_urls(network: str) -> list[URLPattern]:
    return [
        path(f"w/<slug:slug>/channels/{network}/connect/", connect_view(network), name="connect"),
        path(f"w/<slug:slug>/channels/{network}/choose/", choose_view(network), name="choose"),
        path(f"oauth/{network}/callback/", callback_view(network), name="callback"),
    ]
