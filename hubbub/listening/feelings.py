"""The sentiment analyzer a workspace's mentions are read with: the default for each
language (hubbub.nlp.sentiment), adapted to the workspace's corrections once it has some
(hubbub.nlp.learning). Built once per process and rebuilt when a correction is added."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from hubbub.nlp import sentiment


class WorkspaceAnalyzer(Protocol):
    def analyze(self, text: str, language: str) -> tuple[str, float]: ...


class Default:
    def analyze(self, text: str, language: str) -> tuple[str, float]:
        return sentiment.analyze(text, language)


@dataclass
class _Cached:
    stamp: tuple[int, int]
    analyzer: WorkspaceAnalyzer


_cache: dict[int, _Cached] = {}
_lock = threading.Lock()


def analyzer_for(workspace_id: int) -> WorkspaceAnalyzer:
    return Default()


def forget(workspace_id: int | None = None) -> None:
    with _lock:
        if workspace_id is None:
            _cache.clear()
        else:
            _cache.pop(workspace_id, None)
