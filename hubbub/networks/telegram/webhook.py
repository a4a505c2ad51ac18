"""Direct messages to the bot pushed by Telegram (Bot API "setWebhook") instead of read with
getUpdates (reading.py): /hooks/telegram/<channel id>/.

Telegram sends each update as a POST to the address given to setWebhook, with the header
X-Telegram-Bot-Api-Secret-Token set to the secret_token given with it. Hubbub makes one
random secret per channel, keeps it with the channel's credentials (encrypted, as
"webhook_secret") and refuses any request without it. The update is read exactly as
getUpdates reads it (reading.incoming) and stored as a direct message; a repeat (Telegram
retries what was not answered with 2xx) is recognised by its message id.

Telegram delivers webhooks to HTTPS addresses only (ports 443, 80, 88 or 8443), so webhook
mode needs HUBBUB_BASE_URL to be https; otherwise the bot is read with getUpdates. The two
exclude each other on Telegram's side (getUpdates answers 409 while a webhook is set): the
channel's config says which one is on ("telegram_webhook": true), and polling skips the
direct messages of a channel where it is (uses_webhook).
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hubbub.core.access import ActionError
from hubbub.core.crypto import DecryptionError
from hubbub.inbox.ingest import ingest
from hubbub.networks.models import Channel
from hubbub.networks.telegram.connector import TelegramConnector
from hubbub.networks.telegram.reading import ALLOWED_UPDATES, incoming

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONFIG_KEY = "telegram_webhook"
SECRET_KEY = "webhook_secret"
# Updates Telegram may send at once to the address (setWebhook max_connections, 1-100).
MAX_CONNECTIONS = 10


def uses_webhook(channel: Channel) -> bool:
    """Whether Telegram pushes this channel's messages: polling must then not call
    getUpdates for them (Telegram would answer 409 Conflict)."""
    return (channel.config or {}).get(CONFIG_KEY) is True


def webhook_possible() -> bool:
    return settings.BASE_URL.startswith("https://")


def hook_url(channel: Channel) -> str:
    return settings.BASE_URL + reverse("hooks:telegram", args=[channel.pk])


@csrf_exempt  # Telegram proves itself with the secret header, not a CSRF token
@require_POST
def telegram_hook(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = Channel.objects.connected().filter(pk=channel_id, network="telegram").first()
    if channel is None:
        return _refused(404)
    try:
        secret = str(channel.credentials.get(SECRET_KEY) or "")
    except DecryptionError:
        secret = ""
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        log.warning("Telegram webhook for channel %s refused: wrong or missing secret", channel_id)
        return _refused(403)
    try:
        update = json.loads(request.body)
    except ValueError:
        return JsonResponse(
            {"error": "The body is not JSON: Telegram sends an Update object."}, status=400
        )
    if not isinstance(update, dict):
        return JsonResponse({"error": "The body is JSON but not an Update object."}, status=400)
    item = incoming(TelegramConnector(channel), update)
    if item is None:
        return JsonResponse({"ok": True, "stored": 0})  # a channel post, a group message...
    result = ingest(channel, "messages", [item])
    return JsonResponse({"ok": True, "stored": result.created + result.updated})


def _refused(status: int) -> HttpResponse:
    # The same words for an unknown channel and a wrong secret.
    return JsonResponse({"error": "Unknown channel or wrong secret."}, status=status)


def set_webhook(channel: Channel) -> str:
    """Have Telegram push the bot's updates to Hubbub (setWebhook with a new secret) and
    stop polling its messages. Returns the address given to Telegram. Raises ActionError
    when HUBBUB_BASE_URL is not https, ConnectorError when Telegram refuses."""
    if not webhook_possible():
        raise ActionError(
            _(
                "Telegram sends webhooks to https addresses only, and HUBBUB_BASE_URL is "
                "%(url)s: Hubbub keeps reading the bot's messages every minute instead."
            )
            % {"url": settings.BASE_URL}
        )
    secret = secrets.token_urlsafe(32)  # Telegram allows 1-256 of A-Z a-z 0-9 _ -
    # The secret is saved before Telegram knows it: a push that comes at once is accepted.
    # Polling stops only once Telegram has said yes, so no message falls between the two.
    credentials = channel.credentials
    credentials[SECRET_KEY] = secret
    channel.credentials = credentials
    channel.save(update_fields=["credentials_encrypted"])
    url = hook_url(channel)
    TelegramConnector(channel).call(
        "setWebhook",
        json={
            "url": url,
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": MAX_CONNECTIONS,
            # Updates waiting for getUpdates are delivered to the webhook instead.
            "drop_pending_updates": False,
        },
    )
    channel.config = {**(channel.config or {}), CONFIG_KEY: True}
    channel.save(update_fields=["config"])
    return url


def delete_webhook(channel: Channel) -> None:
    """Stop Telegram's pushes (deleteWebhook; waiting updates are kept for getUpdates) and
    read the bot with getUpdates again."""
    TelegramConnector(channel).call("deleteWebhook", json={"drop_pending_updates": False})
    channel.config = {k: v for k, v in (channel.config or {}).items() if k != CONFIG_KEY}
    credentials = channel.credentials
    credentials.pop(SECRET_KEY, None)
    channel.credentials = credentials
    channel.save(update_fields=["config", "credentials_encrypted"])


def configure(channel: Channel) -> bool:
    """After connecting (or reconnecting, which replaces config and credentials): webhook
    mode when HUBBUB_BASE_URL is https, else make sure no webhook is left that would block
    getUpdates. Returns whether the channel now uses the webhook."""
    if webhook_possible():
        set_webhook(channel)
        return True
    delete_webhook(channel)
    return False
