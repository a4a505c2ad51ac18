"""Links that do not resolve or point to private addresses.

Each link is fetched through hubbub.core.http (its SSRF guard and time-outs) with a short
time-out, HEAD first (GET when a server refuses HEAD), following redirects. The answer is
cached for a few minutes: the composer checks as people type, and a link must not cost a
request on every keystroke.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import regex
from django.core.cache import cache
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.curation.guardrails.base import Hit, Subject

TIMEOUT = 3.0  # seconds: a link slower than this is "not answering" for a live check
CACHE_SECONDS = 300
MAX_LINKS = 10  # per post: a pasted list of 50 links must not make the composer wait
_LINK = regex.compile(r"https?://[^\s<>\"'«»]+", regex.IGNORECASE)
_TRAILING = ".,;:!?)]}’”"  # noqa: RUF001
RESERVED_TLDS = {"example", "test", "invalid", "localhost"}
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


def links_in(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _LINK.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((m.start(), end))
    return spans


def _probe(url: str) -> str:
    """Why the link is broken ("" when it answers)."""
    try:
        response = http.request("HEAD", url, timeout=TIMEOUT, follow_redirects=True)
        if response.status_code in (403, 405, 501):  # some servers only answer GET
            response = http.request("GET", url, timeout=TIMEOUT, follow_redirects=True)
    except http.BlockedAddress:
        return _("This link points to a private or local address: people outside cannot open it.")
    except http.OutboundError as exc:
        return _("This link does not work: %(reason)s") % {"reason": exc.message}
    if response.status_code >= 400:
        return _("This link answers “%(status)s %(reason)s”: check the address.") % {
            "status": response.status_code,
            "reason": response.reason_phrase,
        }
    return ""


def _placeholder(url: str) -> bool:
    """A documentation or test address (RFC 2606 / 6761): in a real post it is a link left
    as a placeholder, and it is said without any request."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.rsplit(".", 1)[-1] in RESERVED_TLDS or any(
        host == d or host.endswith("." + d) for d in RESERVED_DOMAINS
    )


def problem_of(url: str) -> str:
    if _placeholder(url):
        return _("This is an example address, reserved for documentation: put the real link.")
    key = "guardrails:link:" + hashlib.sha256(url.encode()).hexdigest()
    known = cache.get(key)
    if known is None:
        known = _probe(url)
        cache.set(key, known, CACHE_SECONDS)
    return str(known)


def check(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    hits: list[Hit] = []
    checked = 0
    for text in subject.texts:
        for where, piece in text.pieces():
            for start, end in links_in(piece):
                if checked >= MAX_LINKS:
                    return hits
                checked += 1
                problem = problem_of(piece[start:end])
                if problem:
                    hits.append(Hit(problem, text, where, (start, end), piece))
    return hits
