"""The composer's side of curation: the guardrails on what the form holds right now, a
share's prefill (hubbub.curation.sharing, `?share=feed:12&persona=3`) and, once the post is
saved, its Share row and its paid partnership."""

from __future__ import annotations

from pathlib import Path

from hubbub.core.access import Access
from hubbub.curation import guardrails, sharing
from hubbub.curation.guardrails.configure import set_sponsorship
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post
from hubbub.publishing.views.compose_form import ComposeData, MediaItem, TextOf

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def _is_image(item: MediaItem) -> bool:
    if item.stored is not None:
        return item.stored.mime_type.startswith("image/")
    return Path(item.path).suffix.lower() in IMAGE_SUFFIXES


def subject(access: Access, data: ComposeData, channels: list[Channel]) -> guardrails.Subject:
    by_id = {c.pk: c for c in channels}
    per_channel = []
    for channel_id in data.chosen:
        text = data.text_for(channel_id)
        parts = [p for p in text.parts if p.strip()] or text.parts[:1]
        per_channel.append((by_id[channel_id], parts, text.first_comment, text.link))
    return guardrails.Subject(
        workspace=access.workspace,
        texts=guardrails.group_texts(per_channel),
        media=[
            guardrails.MediaAlt(item.name, item.alt_text, item.part_index, _is_image(item))
            for item in data.media
        ],
        campaign_id=data.campaign_id,
        share_sources=[data.share_source] if data.share_source else [],
        sponsored=data.sponsored,
        partner=data.partner,
        post_id=data.post_id,
    )


def findings(
    access: Access, data: ComposeData, channels: list[Channel]
) -> list[guardrails.Finding]:
    if not data.chosen:
        return []
    return guardrails.check(subject(access, data, channels))


def prefill(
    access: Access, data: ComposeData, channels: list[Channel], source: str, persona: str
) -> None:
    """Fill a new post from a feed or library item (and a persona's drafts per channel)."""
    known = {c.pk for c in channels}
    found = sharing.prefill(access, source, int(persona) if persona.isdigit() else None)
    if found is None:
        return
    data.share_source = found.source
    data.purpose = found.purpose[:300]
    data.shared = TextOf(parts=[found.text], link=found.link)
    if found.media_path:
        data.media = [MediaItem(found.media_path, found.alt_text, 0)]
    for channel_id, text in found.variants.items():
        if channel_id not in known:
            continue
        data.tailored[channel_id] = TextOf(parts=[text], link=found.link)
        if channel_id not in data.chosen:
            data.chosen.append(channel_id)


def after_save(access: Access, post: Post, data: ComposeData) -> None:
    """What the composer saves beside the post: the share it carries, its sponsorship."""
    if data.share_source:
        sharing.record_share(access, post, data.share_source)
    set_sponsorship(access, post, sponsored=data.sponsored, partner=data.partner)
