"""Addresses networks push to (no sign-in: each proves itself, by signature or secret).

Included at the top level: /hooks/meta/ and /hooks/telegram/<channel id>/.
"""

from __future__ import annotations

from django.urls import path

from hubbub.networks.meta_webhooks import meta_hook
from hubbub.networks.telegram.webhook import telegram_hook

app_name = "hooks"

urlpatterns = [
    path("hooks/meta/", meta_hook, name="meta"),
    path("hooks/telegram/<int:channel_id>/", telegram_hook, name="telegram"),
]
