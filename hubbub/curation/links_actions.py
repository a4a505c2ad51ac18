"""What people do with links, shared by the settings page, the API and the demo: each action
checks the permission, changes the state and writes the audit entry.

The shortener's token is write-only: it is encrypted as it is saved, never returned, never
put in an audit entry (only whether it changed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import crypto, http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import AuditEntry
from hubbub.curation import links, shorteners
from hubbub.curation.links_rewrite import Rewriter, Rewritten
from hubbub.curation.models import LinkSettings, ShortenerProvider, UtmTemplate
from hubbub.networks.base import TextLimits
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.publishing.validation import limits_of

SAMPLE_URL = "https://example.com/?utm_source=hubbub&utm_medium=test"
RECENT_PROBLEMS = 10


@dataclass(frozen=True)
class UtmInput:
    utm_source: str = "{network}"
    utm_medium: str = "social"
    utm_campaign: str = "{campaign}"
    utm_term: str = ""
    utm_content: str = ""
    domains: str = ""
    is_active: bool = True


def _values(template: UtmTemplate) -> dict[str, Any]:
    names = (*links.UTM_FIELDS, "domains", "is_active")
    return {name: getattr(template, name) for name in names}


def _check(data: UtmInput) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: links.check_value(name, getattr(data, name)) for name in links.UTM_FIELDS
    }
    if data.is_active and not (values["utm_source"] and values["utm_medium"]):
        # Analytics tools drop a visit's campaign data without these two.
        raise ActionError(
            _("utm_source and utm_medium are needed for analytics to count the visit."),
            field="utm_source" if not values["utm_source"] else "utm_medium",
        )
    if len(data.domains) > 5000:
        raise ActionError(_("Too many sites listed."), field="domains")
    values["domains"] = "\n".join(links.domains_of(data.domains))
    values["is_active"] = data.is_active
    return values


def campaign_of(access: Access, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = Campaign.objects.filter(pk=campaign_id, workspace=access.workspace).first()
    if campaign is None:
        raise ActionError(_("No such campaign in this workspace."), field="campaign_id")
    return campaign


def channel_of(access: Access, channel_id: int | None) -> Channel | None:
    if channel_id is None:
        return None
    channel = Channel.objects.filter(pk=channel_id, workspace=access.workspace).first()
    if channel is None:
        raise ActionError(_("No such channel in this workspace."), field="channel_id")
    return channel


def template_of(access: Access, campaign: Campaign | None) -> UtmTemplate | None:
    return UtmTemplate.objects.filter(workspace=access.workspace, campaign=campaign).first()


def save_template(access: Access, campaign: Campaign | None, data: UtmInput) -> UtmTemplate:
    """The workspace's default template (campaign None) or one campaign's, created or changed."""
    access.require("links.manage")
    if campaign is not None and campaign.workspace_id != access.workspace.pk:
        raise ActionError(_("That campaign belongs to another workspace."))
    values = _check(data)
    with transaction.atomic():
        template = template_of(access, campaign)
        before = _values(template) if template is not None else {}
        if template is None:
            template = UtmTemplate(workspace=access.workspace, campaign=campaign)
        for name, value in values.items():
            setattr(template, name, value)
        template.updated_at = timezone.now()
        template.save()
        record(
            "links.utm_save",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=template,
            label=campaign.name if campaign is not None else _("Default UTM template"),
            before=before,
            after=_values(template),
        )
    return template


def delete_template(access: Access, campaign: Campaign) -> None:
    """A campaign's own template removed: its posts follow the default again."""
    access.require("links.manage")
    template = template_of(access, campaign)
    if template is None:
        raise ActionError(_("This campaign has no template of its own."))
    with transaction.atomic():
        record(
            "links.utm_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=template,
            label=campaign.name,
            before=_values(template),
        )
        template.delete()


@dataclass(frozen=True)
class ShortenerInput:
    shortener: str = ""
    api_url: str = ""
    domain: str = ""
    token: str | None = None  # None: keep the one stored; "": remove it


def settings_of(access: Access) -> LinkSettings:
    found = LinkSettings.objects.filter(workspace=access.workspace).first()
    return found if found is not None else LinkSettings(workspace=access.workspace)


def _check_shortener(data: ShortenerInput, has_token: bool) -> None:
    if data.shortener not in ShortenerProvider.values:
        raise ActionError(
            _("Choose a shortener: %(names)s, or none.")
            % {"names": ", ".join(p for p in ShortenerProvider.values if p)},
            field="shortener",
        )
    if data.shortener == ShortenerProvider.YOURLS and not data.api_url:
        raise ActionError(_("Give the address of your YOURLS site."), field="api_url")
    if data.api_url:
        try:
            http.check_url(data.api_url)
        except http.OutboundError as exc:
            raise ActionError(str(exc), field="api_url") from None
    if data.shortener and not has_token:
        raise ActionError(_("Give the shortener's API token."), field="token")
    if len(data.domain) > 200:
        raise ActionError(_("The short domain is too long."), field="domain")


def save_shortener(access: Access, data: ShortenerInput) -> LinkSettings:
    access.require("links.manage")
    data = ShortenerInput(
        data.shortener.strip(),
        data.api_url.strip(),
        links.host_of(f"https://{data.domain.strip()}") if data.domain.strip() else "",
        data.token.strip() if data.token is not None else None,
    )
    row = settings_of(access)
    has_token = bool(data.token) if data.token is not None else bool(row.token)
    _check_shortener(data, has_token)
    before = {"shortener": row.shortener, "api_url": row.api_url, "domain": row.domain}
    row.shortener, row.api_url, row.domain = data.shortener, data.api_url, data.domain
    if data.token is not None:
        row.token = crypto.encrypt(data.token) if data.token else ""
    row.updated_at = timezone.now()
    with transaction.atomic():
        row.save()
        record(
            "links.shortener_save",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=row,
            label=row.shortener or _("No shortening"),
            before=before,
            after={
                "shortener": row.shortener,
                "api_url": row.api_url,
                "domain": row.domain,
                "token_changed": data.token is not None,  # never the token itself
            },
        )
    return row


def test_shortener(access: Access, sample_url: str = SAMPLE_URL) -> str:
    """Shorten a sample link with the saved settings: the short link, or ActionError with
    the provider's reason. The sample's short link is not kept for publishing."""
    access.require("links.manage")
    shortener = shorteners.shortener_for(shorteners.config_of(access.workspace))
    if shortener is None:
        raise ActionError(_("Choose and save a shortener first."), field="shortener")
    try:
        short = shortener.shorten(sample_url)
    except shorteners.ShortenerError as exc:
        raise ActionError(exc.message) from None
    record(
        "links.shortener_test",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        label=shortener.label,
        after={"short_url": short},
    )
    return short


def preview(
    access: Access, text: str, campaign_id: int | None = None, channel_id: int | None = None
) -> Rewritten:
    """What a text's links would become on publication (short links only when made before:
    a preview creates none)."""
    access.require("curation.view")
    if len(text) > 20_000:
        raise ActionError(_("The text is too long to preview."), field="text")
    campaign = campaign_of(access, campaign_id)
    channel = channel_of(access, channel_id)
    context = {
        "network": channel.network if channel is not None else "network",
        "channel": channel.handle if channel is not None else "channel",
        "campaign": campaign.name if campaign is not None else "",
        "post": "post",
    }
    fits = within(limits_of(channel).text) if channel is not None else None
    rewriter = Rewriter(
        workspace=access.workspace,
        template=links.template_for(access.workspace, campaign_id),
        context=context,
        shortener=shorteners.shortener_for(shorteners.config_of(access.workspace)),
        may_call=False,
        fits=fits,
    )
    return rewriter.rewrite(text)


def within(text_limits: TextLimits) -> Callable[[int, str], bool]:
    def fits(_index: int, text: str) -> bool:
        return text_limits.count(text) <= text_limits.max_length

    return fits


def recent_problems(access: Access) -> list[AuditEntry]:
    """The last publications whose links went out untagged or unshortened."""
    access.require("links.manage")
    return list(
        AuditEntry.objects.filter(workspace=access.workspace, action="links.problem").order_by(
            "-created_at", "-pk"
        )[:RECENT_PROBLEMS]
    )
