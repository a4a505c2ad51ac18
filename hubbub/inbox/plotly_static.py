"""Serve plotly.js from the plotly Python package, as the static file vendor/plotly.min.js.

The reports page draws its charts with plotly.js. The `plotly` package (a PyPI dependency)
ships the minified bundle in its package_data, so nothing is copied into this repository
and nothing is fetched from a CDN: this finder exposes that one file to staticfiles, which
makes it work with runserver, whitenoise (WHITENOISE_USE_FINDERS) and collectstatic alike.

Settings: add "hubbub.inbox.plotly_static.PlotlyFinder" to STATICFILES_FINDERS.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
NAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{NAME}"  # what templates pass to {% static %}


def bundle_dir() -> Path | None:
    """The plotly package's package_data folder, or None when plotly is not installed."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "package_data"
    return folder if (folder / NAME).is_file() else None


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        folder = bundle_dir()
        self.storage: FileSystemStorage | None = None
        if folder is not None:
            self.storage = FileSystemStorage(location=str(folder))
            self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if self.storage is None or path != STATIC_PATH:
            return []  # as Django's own finders: "nothing", whether one or all are asked
        found = self.storage.path(NAME)
        return [found] if (find_all or kwargs.get("all")) else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        if self.storage is not None:
            yield NAME, self.storage
