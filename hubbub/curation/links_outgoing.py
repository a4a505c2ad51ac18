"""The one call the dispatcher makes into links: a delivery's texts as they go out.

Called once when a claimed delivery starts (hubbub.publishing.dispatcher `_start`), before any
part is fenced; it changes nothing about claiming. What it guarantees:
- a text without a link costs nothing (no query), so publishing's measured cost per delivery
  holds for most posts;
- nothing here stops a publication: any failure (the shortener down, a bug) sends the
  texts as written, or the long tagged links, and the reason is recorded;
- a retry sends exactly what the first run computed: the shortener is called only while
  nothing of the delivery can have reached the network (no attempt yet); later runs reuse
  the short links kept then (ShortLink) and never make new ones, since the networks find an
  earlier attempt whose outcome is unknown by its text.

Inbox replies (posts of kind "reply") are answers to people, not campaign traffic: untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from hubbub.core.audit import record
from hubbub.curation import links, shorteners
from hubbub.curation.links_rewrite import Rewriter
from hubbub.networks.outgoing import MediaFile
from hubbub.publishing import writes
from hubbub.publishing.models import Campaign, Delivery, PostKind
from hubbub.publishing.validation import limits_of

log = logging.getLogger(__name__)

# The shortener is called from the dispatcher's own thread: a slow one must not hold up the
# other deliveries of the batch for the full HTTP time-out.
PUBLISH_TIMEOUT = 5.0


def outgoing_texts(
    delivery: Delivery,
    texts: list[str],
    media: Mapping[int, Sequence[MediaFile]] | None = None,
    *,
    shorten: bool = True,
) -> list[str]:
    if not any("://" in text for text in texts):
        return texts
    try:
        return _rewritten(delivery, texts, media or {}, shorten=shorten)
    except Exception:  # a bug here must cost the tags, never the publication
        log.exception("tagging the links of delivery %s failed; sent as written", delivery.pk)
        return texts


def outgoing_link(delivery: Delivery) -> str:
    """The post's link (the one networks draw a card for), tagged like the links of its
    text. Never shortened: the card shows the site's own address."""
    link = delivery.variant.link
    return outgoing_texts(delivery, [link], shorten=False)[0] if link else link


def _rewritten(
    delivery: Delivery,
    texts: list[str],
    media: Mapping[int, Sequence[MediaFile]],
    *,
    shorten: bool = True,
) -> list[str]:
    post, channel, workspace = delivery.post, delivery.channel, delivery.workspace
    if post.kind == PostKind.REPLY:
        return texts
    template = links.template_for(workspace, post.campaign_id)
    shortener = shorteners.shortener_for(shorteners.config_of(workspace)) if shorten else None
    if template is None and shortener is None:
        return texts
    first_run = delivery.attempt_count == 0 and not delivery.published_refs
    campaign = ""
    if post.campaign_id is not None and template is not None:
        campaign = str(
            Campaign.objects.filter(pk=post.campaign_id).values_list("name", flat=True).first()
            or ""
        )
    limits = limits_of(channel)

    def fits(index: int, text: str) -> bool:
        limit = limits.text.max_length
        if media.get(index) and limits.caption_max_length is not None:
            limit = min(limit, limits.caption_max_length)
        return limits.text.count(text) <= limit

    rewriter = Rewriter(
        workspace=workspace,
        template=template,
        context={
            "network": channel.network,
            "channel": channel.handle,
            "campaign": campaign,
            "post": str(post.pk),
        },
        shortener=shortener,
        may_call=first_run,
        fits=fits,
        timeout=PUBLISH_TIMEOUT,
    )
    results = [rewriter.rewrite(text, index) for index, text in enumerate(texts)]
    problems = [problem for result in results for problem in result.problems]
    if problems and first_run:  # told once, not at every retry
        with writes.write():
            record(
                "links.problem",
                workspace=workspace,
                actor=None,
                via="system",
                obj=delivery,
                label=f"{post} ({channel})",
                after={"problems": problems},
            )
    return [result.text for result in results]
