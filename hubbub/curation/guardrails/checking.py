"""`check()`: what the guardrails say about a post; `subject_of(post)` reads a saved one;
`refuse_blocked()` is what the actions that move a post towards publishing call."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import gettext as _

from hubbub.core.access import ActionError
from hubbub.curation.guardrails.base import (
    FIRST_COMMENT,
    LINK_FIELD,
    MEDIA,
    ChannelText,
    Finding,
    Hit,
    MediaAlt,
    Subject,
)
from hubbub.curation.guardrails.registry import Setting, settings_of
from hubbub.curation.models import RuleMode, Share, Sponsorship
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post


def _finding(setting: Setting, hit: Hit) -> Finding:
    before, matched, after = hit.quote()
    return Finding(
        rule=setting.rule.code,
        label=str(setting.rule.label),
        mode=setting.mode,
        message=hit.message,
        channels=hit.text.channel_labels if hit.text is not None else (),
        where=hit.where,
        start=hit.span[0] if hit.span else None,
        end=hit.span[1] if hit.span else None,
        matched=matched,
        before=before,
        after=after,
    )


def check(subject: Subject, *, only_blocking: bool = False, network: bool = True) -> list[Finding]:
    """Every finding of every rule that is on, blocks first. `only_blocking`: only the rules
    set to block (what the actions need: a warning never stops them). `network=False` leaves
    out the rules that make requests (links)."""
    findings: list[Finding] = []
    for setting in settings_of(subject.workspace):
        if setting.mode == RuleMode.OFF or (only_blocking and setting.mode != RuleMode.BLOCK):
            continue
        if setting.rule.uses_network and not network:
            continue
        findings += [_finding(setting, hit) for hit in setting.rule.check(subject, setting.options)]
    return sorted(findings, key=lambda f: (not f.blocks, f.where < 0, f.where, f.start or 0))


def channel_label(channel: Channel) -> str:
    return f"{channel.network_label} · {channel.handle}"


def group_texts(
    per_channel: Iterable[tuple[Channel, list[str], str, str]],
) -> list[ChannelText]:
    """Channels with the same parts, first comment and link share one ChannelText."""
    groups: dict[tuple[tuple[str, ...], str, str], list[Channel]] = {}
    for channel, parts, first_comment, link in per_channel:
        groups.setdefault((tuple(parts), first_comment, link), []).append(channel)
    return [
        ChannelText(
            tuple(c.pk for c in channels),
            tuple(channel_label(c) for c in channels),
            parts,
            first_comment,
            link,
        )
        for (parts, first_comment, link), channels in groups.items()
    ]


def subject_of(post: Post) -> Subject:
    """A saved post as the guardrails read it: its variants, media, shares, sponsorship."""
    variants = list(post.variants.select_related("channel").prefetch_related("media"))
    texts = group_texts(
        (v.channel, [str(p) for p in v.parts], v.first_comment, v.link) for v in variants
    )
    media = [
        MediaAlt(Path(m.path).name, m.alt_text, m.part_index, m.mime_type.startswith("image/"))
        for m in (variants[0].media.all() if variants else [])
    ]
    sponsorship = Sponsorship.objects.filter(post=post).first()
    return Subject(
        workspace=post.workspace,
        texts=texts,
        media=media,
        campaign_id=post.campaign_id,
        share_sources=sources_of(post),
        sponsored=sponsorship is not None,
        partner=sponsorship.partner if sponsorship is not None else "",
        post_id=post.pk,
    )


def sources_of(post: Post) -> list[str]:
    """The post's recorded shares as "feed:<id>" / "library:<id>"."""
    out = []
    for share in Share.objects.filter(post=post):
        # A library item shared keeps its feed item too: the library entry is the source.
        if share.library_item_id:
            out.append(f"library:{share.library_item_id}")
        elif share.feed_item_id:
            out.append(f"feed:{share.feed_item_id}")
    return out


def place(finding: Finding) -> str:
    """Where a finding is, in words: "part 2 on Mastodon · @acme"."""
    if finding.where >= 0:
        where = _("part %(n)s") % {"n": finding.where + 1}
    elif finding.where == FIRST_COMMENT:
        where = _("the first comment")
    elif finding.where == LINK_FIELD:
        where = _("the link")
    elif finding.where == MEDIA:
        where = _("the images")
    else:
        where = _("the post")
    if finding.channels:
        return _("%(where)s on %(channels)s") % {
            "where": where,
            "channels": ", ".join(finding.channels),
        }
    return where


def describe(finding: Finding) -> str:
    """One sentence naming the rule, the span and the fix: what an API client or the
    composer shows when a block stops an action."""
    if finding.start is not None and finding.end is not None:
        return (
            _(
                "Guardrail “%(rule)s” blocks this post: “%(text)s” (characters %(start)s–%(end)s "  # noqa: RUF001
                "of %(place)s). %(message)s"
            )
            % {
                "rule": finding.label,
                "text": finding.matched[:80],
                "start": finding.start + 1,
                "end": finding.end,
                "place": place(finding),
                "message": finding.message,
            }
        )
    return _("Guardrail “%(rule)s” blocks this post (%(place)s). %(message)s") % {
        "rule": finding.label,
        "place": place(finding),
        "message": finding.message,
    }


def refuse_blocked(post: Post) -> None:
    """Raise ActionError when a rule set to block finds something in the post."""
    blocking = check(subject_of(post), only_blocking=True)
    if blocking:
        raise ActionError(" ".join(describe(f) for f in blocking[:3]), field="guardrails")
