"""Rules on what the post is rather than on its words: a paid partnership's disclosure,
credit for curated content, alt text on images, and publishing while crisis mode is on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from hubbub.curation.guardrails.base import MEDIA, WHOLE_POST, Hit, Subject
from hubbub.curation.guardrails.persona_rules import find_word
from hubbub.curation.models import FeedItem, LibraryItem
from hubbub.publishing.models import WorkspacePublishing

# What says "this is an ad" in English and French (ARPP / FTC wording); options can add more.
DISCLOSURES = (
    "#ad",
    "#advertisement",
    "#sponsored",
    "#sponsorisé",
    "#sponsorise",
    "#partenariat",
    "#pub",
    "#publicité",
    "#collaborationcommerciale",
    "paid partnership",
    "sponsored by",
    "partenariat rémunéré",
    "en partenariat avec",
    "sponsorisé par",
    "collaboration commerciale",
)


def disclosure(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    if not subject.sponsored:
        return []
    markers = [*DISCLOSURES, *(str(m) for m in options.get("markers", []) if str(m).strip())]
    hits = []
    for text in subject.texts:
        # The first part or its first comment must say it: a disclosure at the end of a
        # thread comes after people have read the ad.
        said = "\n".join(p for w, p in text.pieces() if w in (0, -1))
        if any(find_word(m, said) for m in markers):
            continue
        partner = subject.partner or _("a partner")
        hits.append(
            Hit(
                _(
                    "This post is a paid partnership with %(partner)s: say so in its first "
                    "part, e.g. “#ad” or “#sponsorisé” / “partenariat rémunéré” in French."
                )
                % {"partner": partner},
                text,
                WHOLE_POST,
            )
        )
    return hits


def credits_of(subject: Subject) -> list[tuple[str, list[str]]]:
    """For each shared source: its name for people and what crediting it may say (its
    link, site, author or source name)."""
    found: list[tuple[str, list[str]]] = []
    for source in dict.fromkeys(subject.share_sources):
        kind, _sep, raw = source.partition(":")
        if not raw.isdigit():
            continue
        if kind == "feed":
            item = (
                FeedItem.objects.filter(pk=int(raw), workspace=subject.workspace)
                .select_related("feed")
                .first()
            )
            if item is not None:
                found.append((item.title or item.url, [item.url, item.author, item.feed.title]))
        elif kind == "library":
            entry = LibraryItem.objects.filter(pk=int(raw), workspace=subject.workspace).first()
            if entry is not None and (entry.url or entry.source_author or entry.source_name):
                found.append((entry.title, [entry.url, entry.source_author, entry.source_name]))
    return found


def _credited(text: str, credits: list[str]) -> bool:
    lowered = text.lower()
    for credit in credits:
        credit = credit.strip()
        if not credit:
            continue
        if credit.startswith(("http://", "https://")):
            host = (urlsplit(credit).hostname or "").removeprefix("www.")
            if credit.lower() in lowered or (host and host in lowered):
                return True
        elif find_word(credit, text) or ("@" + credit.lower().replace(" ", "")) in lowered:
            return True
    return False


def attribution(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    shared = credits_of(subject)
    hits = []
    for text in subject.texts:
        for title, credits in shared:
            if _credited(text.joined, credits):
                continue
            names = [c for c in credits if c.strip() and not c.startswith("http")]
            hits.append(
                Hit(
                    _(
                        "This post shares “%(title)s” but does not credit it: add the link "
                        "or name the source (%(names)s)."
                    )
                    % {"title": title, "names": ", ".join(names) or _("its site")},
                    text,
                    WHOLE_POST,
                )
            )
    return hits


def alt_text(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    shortest = int(options.get("min_length", 1) or 1)
    hits = []
    for item in subject.media:
        if not item.is_image or len(item.alt_text.strip()) >= shortest:
            continue
        hits.append(
            Hit(
                _(
                    "Image %(name)s (part %(part)s) has no alt text: describe what it shows "
                    "for people who cannot see it."
                )
                % {"name": item.label, "part": item.part_index + 1},
                None,
                MEDIA,
            )
        )
    return hits


def crisis(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    row = WorkspacePublishing.objects.filter(workspace=subject.workspace).first()
    if row is None or not row.is_paused:
        return []
    return [
        Hit(
            _(
                "Publishing is paused (crisis mode): nothing goes out until it is resumed. "
                "Check that this post still fits the situation."
            )
        )
    ]
