from __future__ import annotations

from django.urls import include, path

from hubbub.api.main import api

urlpatterns = [
    path("accounts/", include("hubbub.accounts.urls")),
    path("api/", api.urls),
    path("", include("hubbub.networks.urls")),
    path("", include("hubbub.web.urls")),
]
