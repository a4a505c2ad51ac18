"""The project's URLs with the alert destination pages, for tests run before hubbub/urls.py
includes them (then it is the project's URLconf as is)."""

from __future__ import annotations

from django.urls import include, path

from hubbub.urls import urlpatterns as project

_included = any(getattr(p, "namespace", None) == "notify" for p in project)
urlpatterns = project if _included else [path("", include("hubbub.notify.urls")), *project]
