from __future__ import annotations

from django.urls import include, path

from hubbub.api.main import api
from hubbub.networks.urls import network_urls

urlpatterns = [
    path("accounts/", include("hubbub.accounts.urls")),
    path("api/", api.urls),
    path("", include("hubbub.networks.urls")),
    path("", include("hubbub.publishing.urls")),
    path("", include("hubbub.webhooks.urls")),
    path("", include("hubbub.inbox.urls")),
    path("", include("hubbub.inbox.urls_settings")),
    path("", include("hubbub.listening.urls")),
    path("", include("hubbub.measure.urls")),
    path("", include("hubbub.reporting.urls")),
    path("", include("hubbub.curation.urls")),
    path("", include("hubbub.notify.urls")),
    path("", include("hubbub.networks.hooks_urls")),
    *network_urls(),
    path("", include("hubbub.web.urls")),
]
