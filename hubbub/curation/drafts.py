"""'Draft a post': one text per channel for a shared item, in a persona's voice.

Templates by default: each network gets a shape that suits it (short with hashtags on X,
Bluesky, Threads and Mastodon; a fuller text with the summary on LinkedIn and Facebook;
no link in the text where links are not clickable), fitted to the channel's own limits as
its connector counts them (X counts every link as 23 characters). When a text-generation
provider is configured (HUBBUB_TEXTGEN_URL, an OpenAI-compatible /v1/chat/completions
endpoint; off by default) it is asked first; anything it gets wrong — no answer, an error,
a text too long — falls back to the template, with a message saying so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import regex
from django.conf import settings
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.curation.models import Persona
from hubbub.curation.sharing import SharePrefill
from hubbub.networks.models import Channel
from hubbub.networks.registry import UnknownNetwork
from hubbub.publishing.validation import limits_of

log = logging.getLogger(__name__)

SHORT = frozenset({"x", "bluesky", "threads", "mastodon"})
LONG = frozenset({"linkedin", "facebook", "newsletter", "wordpress"})
NO_LINKS = frozenset({"instagram", "tiktok", "youtube"})  # links in the text do not click
HASHTAGS = frozenset({"x", "bluesky", "threads", "mastodon", "instagram", "linkedin", "tiktok"})
MAX_HASHTAGS = 2
TEXTGEN_TIMEOUT = 20.0
ELLIPSIS = "…"
_NOT_TAG = regex.compile(r"[^\p{L}\p{N}]+")


@dataclass
class Drafts:
    variants: dict[int, str] = field(default_factory=dict)  # channel id → text
    messages: list[str] = field(default_factory=list)  # for people: what fell back and why


@dataclass(frozen=True)
class _Parts:
    title: str
    credit: str
    link: str
    summary: str


def _parts(prefill: SharePrefill) -> _Parts:
    """The prefill's text is "title / via credit / link" (sharing._article_text) or a snippet."""
    lines = [line.strip() for line in prefill.text.splitlines() if line.strip()]
    lines = [line for line in lines if line != prefill.link]
    credit = next((line for line in lines[1:] if line.startswith(_("via") + " ")), "")
    rest = [line for line in lines if line != credit]
    title = rest[0] if rest else ""
    return _Parts(title, credit, prefill.link, " ".join(rest[1:]))


def hashtag(topic: str) -> str:
    """ "bike lanes" → "#BikeLanes"; "" when nothing is left."""
    words = [w for w in _NOT_TAG.split(topic) if w]
    if not words:
        return ""
    return "#" + "".join(w[:1].upper() + w[1:] for w in words)


def _hashtags(persona: Persona | None, network: str) -> list[str]:
    if persona is None or network not in HASHTAGS:
        return []
    tags = [hashtag(t) for t in persona.topics]
    return [t for t in tags if 2 < len(t) <= 25][:MAX_HASHTAGS]


def _compose(network: str, title: str, parts: _Parts, tags: list[str], credit: bool) -> str:
    link = "" if network in NO_LINKS else parts.link
    lines: list[str]
    if network in LONG:
        lines = [title, parts.summary, parts.credit if credit else "", link, " ".join(tags)]
        return "\n\n".join(line for line in lines if line)
    head = " ".join(x for x in (title, " ".join(tags)) if x)
    lines = [head, parts.credit if credit else "", link]
    return "\n".join(line for line in lines if line)


def _shorten(text: str, chars: int) -> str:
    if chars <= 0:
        return ""
    if len(text) <= chars:
        return text
    cut = text[: max(0, chars - 1)].rsplit(" ", 1)[0] if " " in text[:chars] else text[: chars - 1]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def template_text(channel: Channel, parts: _Parts, persona: Persona | None) -> str:
    """The template's text for one channel, within its limit: hashtags go first, then the
    summary, then the title is shortened; the credit and the link are kept to the end."""
    network = channel.network
    limit = limits_of(channel).text
    tags = _hashtags(persona, network)
    attempts = [
        (tags, parts, True),
        ([], parts, True),
        ([], _Parts(parts.title, parts.credit, parts.link, ""), True),
    ]
    for use_tags, use_parts, credit in attempts:
        text = _compose(network, use_parts.title, use_parts, use_tags, credit)
        if limit.count(text) <= limit.max_length:
            return text
    bare = _Parts(parts.title, parts.credit, parts.link, "")
    room = limit.max_length - limit.count(_compose(network, "", bare, [], True)) - 1
    return _compose(network, _shorten(parts.title, room), bare, [], True)


# --- the optional text-generation provider ------------------------------------------------


def textgen_enabled() -> bool:
    return bool(getattr(settings, "HUBBUB_TEXTGEN_URL", ""))


def _prompt(channel: Channel, parts: _Parts, persona: Persona | None, limit: int) -> str:
    voice = ""
    if persona is not None:
        voice = (
            f"Audience: {persona.audience}\nTone: {persona.tone}\n"
            f"Words to use: {', '.join(persona.words_to_use)}\n"
            f"Words to avoid: {', '.join(persona.words_to_avoid)}\n"
            f"Languages: {', '.join(persona.languages) or 'as the article'}\n"
        )
    return (
        f"Write one post for {channel.network} of at most {limit} characters sharing this "
        f"article. Keep the credit line and the link exactly as given. Answer with the post "
        f"only.\n{voice}\nTitle: {parts.title}\nSummary: {parts.summary}\n"
        f"Credit: {parts.credit}\nLink: {parts.link}"
    )


def generated_text(channel: Channel, parts: _Parts, persona: Persona | None) -> str:
    """The provider's text for one channel; raises ValueError or http.OutboundError."""
    limit = limits_of(channel).text
    headers = {"Content-Type": "application/json"}
    key = getattr(settings, "HUBBUB_TEXTGEN_KEY", "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body: dict[str, Any] = {
        "model": getattr(settings, "HUBBUB_TEXTGEN_MODEL", "") or "default",
        "messages": [
            {"role": "user", "content": _prompt(channel, parts, persona, limit.max_length)}
        ],
        "temperature": 0.7,
    }
    response = http.request(
        "POST", settings.HUBBUB_TEXTGEN_URL, headers=headers, json=body, timeout=TEXTGEN_TIMEOUT
    )
    if response.status_code != 200:
        raise ValueError(f"status {response.status_code}")
    try:
        text = str(response.json()["choices"][0]["message"]["content"]).strip()
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValueError("an answer without choices[0].message.content") from None
    if not text:
        raise ValueError("an empty text")
    if limit.count(text) > limit.max_length:
        raise ValueError(f"a text longer than {limit.max_length} characters")
    if parts.link and channel.network not in NO_LINKS and parts.link not in text:
        raise ValueError("a text without the link")
    return text


# --- the entry points ----------------------------------------------------------------------


def _persona(access: Access, persona_id: int | None) -> Persona | None:
    if persona_id is None:
        return None
    persona = Persona.objects.filter(workspace=access.workspace, pk=persona_id).first()
    if persona is None:
        raise ActionError(_("No such persona in this workspace."), field="persona")
    return persona


def _channels(access: Access, persona: Persona | None) -> list[Channel]:
    connected = Channel.objects.connected().filter(workspace=access.workspace)
    if persona is not None:
        attached = list(connected.filter(pk__in=persona.channels.values("pk")).order_by("pk"))
        if attached:
            return attached
    return list(connected.order_by("pk"))


def draft(access: Access, prefill: SharePrefill, persona_id: int | None) -> Drafts:
    access.require("curation.view")
    persona = _persona(access, persona_id)
    parts = _parts(prefill)
    out = Drafts()
    failed: list[str] = []
    for channel in _channels(access, persona):
        try:
            limits_of(channel)
        except UnknownNetwork:
            continue
        if textgen_enabled():
            try:
                out.variants[channel.pk] = generated_text(channel, parts, persona)
                continue
            except (ValueError, http.OutboundError) as error:
                # The provider's words, logged for the operator; people get one sentence.
                log.warning("text generation failed for channel %s: %s", channel.pk, error)
                failed.append(channel.handle or channel.network)
        out.variants[channel.pk] = template_text(channel, parts, persona)
    if failed:
        out.messages.append(
            _("The text generator did not answer well for %(channels)s: the template was used.")
            % {"channels": ", ".join(failed)}
        )
    return out


def draft_variants(access: Access, prefill: SharePrefill, persona_id: int | None) -> dict[int, str]:
    """Contract with sharing.prefill: channel id → text."""
    return draft(access, prefill, persona_id).variants
