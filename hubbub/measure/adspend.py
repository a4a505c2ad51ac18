"""A campaign's spend read from Meta's Ads Insights API (Facebook and Instagram ads).

- Link (`link_ads`): a campaign is linked to one ad account and one or more of its ad
  campaigns, read through a connected Facebook channel (the user token kept with it, granted
  ads_read: hubbub.networks.facebook.ads), and to the action type that counts as a result
  (`result_action`, one of the `actions` Meta reports: link_click by default, post_engagement
  when the campaign's first goal is engagements).
- Sync (`sync_ads`, daily by hubbub.measure.tasks, or "Sync now"): one spend row per ad
  campaign per day, source "meta_ads", external_id "<ad campaign id>:<YYYY-MM-DD>". The first
  sync reads from the campaign's first day; later ones re-read the last 28 days, because Meta
  revises recent days (late conversions, invalid clicks refunded): those rows' figures are
  replaced, never duplicated. Rows entered by hand or imported from CSV are never touched.
- Money: spend is Meta's decimal string in the ad account's currency. It must be the
  campaign's currency (its budget's): other rows are refused, the reason kept on the link,
  never converted (as for hand entry: an exchange rate is the finance team's choice).
- Each row is checked and saved on its own, and each page of the answer as it arrives: a bad
  day, or a failure on page three, keeps the rest. A day that fails keeps its previous figure.
- paid_reach is Meta's reach of that day; summed over days it counts a person reached on two
  days twice (Meta's reach over a period is not a sum of days).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.measure.campaigns import _amount, _audit, _mine, campaign_period, currency_of
from hubbub.measure.models import AdSpendLink, CampaignGoal, GoalMetric, SpendEntry, SpendSource
from hubbub.networks.base import ConnectorError
from hubbub.networks.facebook import ads
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign

log = logging.getLogger(__name__)

RESYNC_DAYS = 28
# Meta keeps insights for 37 months ("Ads Insights API", error 3018 beyond).
OLDEST_DAYS = 37 * 30
MAX_AD_CAMPAIGNS = 50
MAX_PROBLEMS = 20
# Meta's action types are lower-case words with dots and underscores
# (offsite_conversion.fb_pixel_purchase, onsite_conversion.messaging_conversation_started_7d).
ACTION_TYPE = re.compile(r"^[a-z0-9_.:-]{1,100}$")
# The usual results, for the page's list; any other action type can be typed in.
COMMON_ACTIONS = (
    "link_click",
    "landing_page_view",
    "post_engagement",
    "page_engagement",
    "video_view",
    "lead",
    "offsite_conversion.fb_pixel_purchase",
    "onsite_conversion.messaging_conversation_started_7d",
)
# A campaign's first goal suggests what its ads are for.
ACTION_FOR_GOAL: dict[str, str] = {
    GoalMetric.CLICKS.value: "link_click",
    GoalMetric.ENGAGEMENTS.value: "post_engagement",
    GoalMetric.ENGAGEMENT_RATE.value: "post_engagement",
}


def default_action(campaign: Campaign) -> str:
    goal = CampaignGoal.objects.filter(campaign=campaign).first()
    return ACTION_FOR_GOAL.get(goal.metric, "link_click") if goal is not None else "link_click"


def facebook_channels(access: Access) -> list[Channel]:
    return list(
        Channel.objects.connected()
        .filter(workspace=access.workspace, network="facebook")
        .order_by("handle")
    )


def _channel(access: Access, channel_id: Any) -> Channel:
    pk = _int_or_none(channel_id)
    channel = (
        Channel.objects.connected()
        .filter(workspace=access.workspace, network="facebook", pk=pk)
        .first()
        if pk is not None
        else None
    )
    if channel is None:
        raise ActionError(
            _("Choose a connected Facebook channel of this workspace."), field="channel"
        )
    return channel


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _token(channel: Channel) -> str:
    try:
        return ads.ads_token(channel)
    except ConnectorError as exc:
        raise ActionError(exc.message, field="channel") from None


def list_ad_accounts(access: Access, channel_id: Any) -> list[ads.AdAccount]:
    """The ad accounts the channel's token can read (for the page's and the API's choice)."""
    access.require("campaigns.manage")
    token = _token(_channel(access, channel_id))
    try:
        return ads.ad_accounts(token)
    except ConnectorError as exc:
        raise ActionError(str(exc), field="ad_account") from None


def list_ad_campaigns(access: Access, channel_id: Any, ad_account_id: str) -> list[ads.AdCampaign]:
    access.require("campaigns.manage")
    token = _token(_channel(access, channel_id))
    try:
        return ads.ad_campaigns(token, ad_account_id)
    except ConnectorError as exc:
        raise ActionError(str(exc), field="ad_account") from None


def _state(link: AdSpendLink | None) -> dict[str, Any]:
    if link is None:
        return {}
    return {
        "channel": link.channel_id,
        "ad_account": link.ad_account_id,
        "ad_campaigns": link.ad_campaign_ids,
        "result_action": link.result_action,
    }


def link_ads(
    access: Access,
    campaign: Campaign,
    *,
    channel_id: Any,
    ad_account_id: str,
    ad_campaign_ids: list[str],
    result_action: str = "",
) -> AdSpendLink:
    """Link the campaign to ad campaigns of an ad account (replacing any earlier link). The
    ad account and campaigns are checked against what the token can read, and the account's
    currency against the campaign's. Spend of ad campaigns no longer linked is removed."""
    _mine(access, campaign)
    channel = _channel(access, channel_id)
    account_id = str(ad_account_id or "").strip().removeprefix("act_")
    if not account_id.isdigit():
        raise ActionError(_("Choose an ad account."), field="ad_account")
    wanted = list(dict.fromkeys(str(i).strip() for i in ad_campaign_ids if str(i).strip()))
    if not wanted:
        raise ActionError(_("Choose at least one ad campaign."), field="ad_campaigns")
    if len(wanted) > MAX_AD_CAMPAIGNS:
        raise ActionError(
            _("Link at most %(n)d ad campaigns to one campaign.") % {"n": MAX_AD_CAMPAIGNS},
            field="ad_campaigns",
        )
    action = (result_action or "").strip() or default_action(campaign)
    if not ACTION_TYPE.match(action):
        raise ActionError(
            _("%(value)s is not an action type of Meta's reports, such as link_click.")
            % {"value": action},
            field="result_action",
        )
    token = _token(channel)
    try:
        account = next((a for a in ads.ad_accounts(token) if a.id == account_id), None)
        if account is None:
            raise ActionError(
                _(
                    "This Facebook account cannot read ad account %(id)s: choose one from the "
                    "list, or ask for a role on it in Meta's Business settings."
                )
                % {"id": account_id},
                field="ad_account",
            )
        known = {c.id: c for c in ads.ad_campaigns(token, account_id)}
    except ConnectorError as exc:
        raise ActionError(str(exc), field="ad_account") from None
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise ActionError(
            _("Ad campaign %(ids)s is not in this ad account.") % {"ids": ", ".join(unknown)},
            field="ad_campaigns",
        )
    currency = currency_of(campaign)
    if currency is not None and account.currency and account.currency != currency:
        raise ActionError(_other_currency(account.currency, currency), field="ad_account")
    with transaction.atomic():
        before = AdSpendLink.objects.filter(campaign=campaign).first()
        link, _created = AdSpendLink.objects.update_or_create(
            campaign=campaign,
            defaults={
                "workspace": access.workspace,
                "channel": channel,
                "ad_account_id": account_id,
                "ad_account_name": account.name[:200],
                "ad_campaigns": [{"id": i, "name": known[i].name[:200]} for i in wanted],
                "result_action": action,
                "last_error": "",
            },
        )
        # Figures of ad campaigns no longer linked are not this campaign's spend any more.
        removed = _remove_unlinked(campaign, set(wanted))
        _audit(
            access,
            "campaign.ads_link",
            campaign,
            before=_state(before),
            after={**_state(link), "removed_rows": removed},
        )
    return link


def _other_currency(theirs: str, ours: str) -> str:
    return _(
        "The ad account pays in %(theirs)s and this campaign counts in %(ours)s: Hubbub does "
        "not convert. Set the budget in %(theirs)s, or link an ad account that pays in "
        "%(ours)s."
    ) % {"theirs": theirs, "ours": ours}


def _remove_unlinked(campaign: Campaign, kept: set[str]) -> int:
    stale = [
        pk
        for pk, external_id in SpendEntry.objects.filter(
            campaign=campaign, source=SpendSource.META_ADS
        ).values_list("pk", "external_id")
        if external_id.split(":", 1)[0] not in kept
    ]
    if stale:
        SpendEntry.objects.filter(pk__in=stale).delete()
    return len(stale)


def unlink_ads(access: Access, link: AdSpendLink) -> None:
    """Stop reading the campaign's ad spend. The rows already read stay (the money was spent);
    remove them one by one if they should not count."""
    _mine(access, link.campaign)
    with transaction.atomic():
        _audit(access, "campaign.ads_unlink", link.campaign, before=_state(link))
        link.delete()


@dataclass
class Synced:
    saved: int = 0  # rows added or updated
    removed: int = 0  # rows Meta no longer reports in the re-read days
    since: date | None = None
    until: date | None = None
    complete: bool = False  # every page was read
    problems: list[str] = field(default_factory=list)


def sync_now(access: Access, link: AdSpendLink) -> Synced:
    """ "Sync now" on the page and in the API: a person's sync, audited."""
    _mine(access, link.campaign)
    result = sync_ads(link)
    _audit(
        access,
        "campaign.ads_sync",
        link.campaign,
        after={
            "saved": result.saved,
            "removed": result.removed,
            "problems": len(result.problems),
        },
    )
    return result


def _window(link: AdSpendLink, today: date) -> tuple[date, date]:
    first = campaign_period(link.campaign, link.workspace.tz, today).first
    since = first if link.last_synced_at is None else max(first, today - timedelta(days=27))
    return max(since, today - timedelta(days=OLDEST_DAYS)), today


def sync_ads(link: AdSpendLink, today: date | None = None) -> Synced:
    """Read the linked ad campaigns' spend day by day and upsert it (see the module's
    docstring). Never raises for what Meta answers: the problems are kept on the link."""
    campaign = link.campaign
    now = timezone.now()
    today = today or now.astimezone(link.workspace.tz).date()
    result = Synced()
    since, until = _window(link, today)
    result.since, result.until = since, until
    ids = link.ad_campaign_ids
    seen: set[str] = set()  # external ids read (saved or kept as they were)
    currency = currency_of(campaign)
    try:
        if link.channel is None:
            raise ActionError(_("The Facebook channel was removed: link the ads again."))
        token = ads.ads_token(link.channel)
        # A campaign that starts later has nothing spent yet (and Meta refuses such a range).
        pages = ads.insights(token, link.ad_account_id, ids, since, until) if since <= until else []
        for page in pages:
            for row in page:
                external_id = f"{row.campaign_id}:{row.day}"
                if row.campaign_id not in ids:
                    continue  # not asked for: Meta's filtering should never send one
                seen.add(external_id)
                try:
                    currency = _save_row(link, row, external_id, currency)
                except ActionError as exc:
                    result.problems.append(
                        _("%(day)s, ad campaign %(id)s: %(problem)s")
                        % {"day": row.day, "id": row.campaign_id, "problem": exc.message}
                    )
                    continue
                result.saved += 1
        result.complete = True
    except ConnectorError as exc:
        result.problems.append(str(exc))
    except ActionError as exc:
        result.problems.append(exc.message)
    if result.complete:
        # A day Meta no longer reports (its spend refunded to nothing) is no longer spent.
        gone = [
            pk
            for pk, external_id in SpendEntry.objects.filter(
                campaign=campaign,
                source=SpendSource.META_ADS,
                day__gte=since,
                day__lte=until,
            ).values_list("pk", "external_id")
            if external_id not in seen and external_id.split(":", 1)[0] in ids
        ]
        if gone:
            SpendEntry.objects.filter(pk__in=gone).delete()
        result.removed = len(gone)
        link.last_synced_at = now
    link.last_attempt_at = now
    shown = result.problems[:MAX_PROBLEMS]
    if len(result.problems) > MAX_PROBLEMS:
        shown.append(_("… and %(n)d more.") % {"n": len(result.problems) - MAX_PROBLEMS})
    link.last_error = "\n".join(shown)
    link.save(update_fields=["last_synced_at", "last_attempt_at", "last_error"])
    return result


def _save_row(
    link: AdSpendLink, row: ads.InsightRow, external_id: str, currency: str | None
) -> str:
    """Check one row and add or update its spend entry; the campaign's currency after it."""
    try:
        day = date.fromisoformat(row.day)
    except ValueError:
        raise ActionError(_("Meta gave no valid day.")) from None
    amount = _amount(row.spend)
    code = row.currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ActionError(_("Meta gave no currency for the ad account."))
    if currency is not None and code != currency:
        raise ActionError(_other_currency(code, currency))
    reach = row.reach
    paid_reach = int(reach) if isinstance(reach, str) and reach.isdigit() else None
    if isinstance(reach, int) and not isinstance(reach, bool) and reach >= 0:
        paid_reach = reach
    values = {
        "workspace": link.workspace,
        "channel": link.channel,
        "day": day,
        "amount": amount,
        "currency": code,
        "results": row.results(link.result_action),
        "paid_reach": paid_reach,
        "note": (_("Meta ads: %(name)s") % {"name": row.campaign_name})[:500],
    }
    try:
        with transaction.atomic():
            SpendEntry.objects.update_or_create(
                campaign=link.campaign,
                source=SpendSource.META_ADS,
                external_id=external_id,
                defaults=values,
            )
    except IntegrityError:
        # Another sync of the same campaign saved this row a moment ago: it is there.
        log.info("ads sync: %s saved concurrently for campaign %s", external_id, link.pk)
    return code


def sync_all(today: date | None = None) -> list[tuple[int, Synced]]:
    """Every link, one after the other (the daily task). One link's failure is kept on it
    and does not stop the others."""
    done = []
    for link in AdSpendLink.objects.select_related("campaign", "workspace", "channel").order_by(
        "pk"
    ):
        try:
            done.append((link.pk, sync_ads(link, today)))
        except Exception:  # a bug must not stop every other campaign's spend
            log.exception("ads sync failed for campaign %s", link.pk)
    return done
