"""A campaign's results: its goals (actual beside target, with a projection to the end), its
budget and spend (cost per result, organic against paid reach), and the forms to set them,
add spend by hand or import it from CSV. The figures come from hubbub.measure.campaigns."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.numbers import number, percent
from hubbub.measure import adspend, campaigns, formulas
from hubbub.measure.models import AdSpendLink, CampaignGoal, GoalMetric, SpendEntry
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from hubbub.web.decorators import workspace_view

MAX_UPLOAD = 2 * 1024 * 1024


def _campaign(access: Access, campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign, pk=campaign_id, workspace=access.workspace)


def _back(access: Access, campaign: Campaign) -> HttpResponse:
    return redirect("measure:campaign", access.workspace.slug, campaign.pk)


def _run(request: HttpRequest, action: Any) -> bool:
    try:
        action()
    except ActionError as exc:
        messages.error(request, exc.message)
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return False
    return True


def _int(text: str) -> int | None:
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ActionError(_("%(value)s is not a whole number.") % {"value": text}) from None


@require_GET
@workspace_view("measure.view")
def campaign_page(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    found = campaigns.report(campaign)
    unit = {
        g.value: ("percent" if g.value == "engagement_rate_reach" else "count") for g in GoalMetric
    }
    goals = [
        {
            "progress": p,
            "label": GoalMetric(p.goal.metric).label,
            "actual": "—"
            if p.actual is None
            else (percent(p.actual) if unit[p.goal.metric] == "percent" else number(p.actual)),
            "projected": "—" if p.projected is None else number(p.projected),
            "share": None if p.share is None else round(p.share, 1),
        }
        for p in found.goals
    ]
    context: dict[str, Any] = {
        "campaign": campaign,
        "report": found,
        "goals": goals,
        "metrics": GoalMetric.choices,
        "spend": SpendEntry.objects.filter(campaign=campaign).select_related("channel"),
        "channels": Channel.objects.filter(workspace=access.workspace).order_by(
            "network", "handle"
        ),
        "cost_formula": formulas.FORMULAS["cost_per_result"].text,
        "results_label": (
            _("results counted by the ad platforms")
            if found.results_from == "ads"
            else GoalMetric(found.results_from).label
        ),
        "today": date.today().isoformat(),
        "ads": _ads_context(request, access, campaign),
    }
    return render(request, "measure/campaign.html", context)


def _ads_context(request: HttpRequest, access: Access, campaign: Campaign) -> dict[str, Any]:
    """The "Facebook/Instagram ads" section. Meta is called only when a manager asks for the
    lists (?ads_channel=, then &ads_account=), never on an ordinary view of the page."""
    link = AdSpendLink.objects.filter(campaign=campaign).select_related("channel").first()
    found: dict[str, Any] = {
        "link": link,
        "errors": link.last_error.splitlines() if link is not None else [],
        "choosing": False,
    }
    if not access.can("campaigns.manage"):
        return found
    channel_id = request.GET.get("ads_channel", "")
    account_id = request.GET.get("ads_account", "")
    chosen = set(link.ad_campaign_ids) if link is not None else set()
    action = link.result_action if link is not None else adspend.default_action(campaign)
    found.update(
        {
            "channels": adspend.facebook_channels(access),
            "channel_id": channel_id,
            "account_id": account_id,
            "chosen": chosen,
            "action": action,
            "actions": sorted({*adspend.COMMON_ACTIONS, action}),
            "choosing": bool(channel_id),
        }
    )
    try:
        if channel_id:
            found["accounts"] = adspend.list_ad_accounts(access, channel_id)
        if channel_id and account_id:
            found["ad_campaigns"] = adspend.list_ad_campaigns(access, channel_id, account_id)
    except ActionError as exc:
        found["problem"] = exc.message
    return found


@require_POST
@workspace_view("campaigns.manage")
def set_budget(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    if _run(
        request,
        lambda: campaigns.set_budget(
            access, campaign, request.POST.get("amount", ""), request.POST.get("currency", "")
        ),
    ):
        messages.success(request, _("Budget saved."))
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def set_goal(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    if _run(
        request,
        lambda: campaigns.set_goal(
            access, campaign, request.POST.get("metric", ""), request.POST.get("target", "")
        ),
    ):
        messages.success(request, _("Goal saved."))
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def delete_goal(
    request: HttpRequest, access: Access, campaign_id: int, goal_id: int
) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    goal = get_object_or_404(CampaignGoal, pk=goal_id, campaign=campaign)
    if _run(request, lambda: campaigns.delete_goal(access, goal)):
        messages.success(request, _("Goal removed."))
    return _back(access, campaign)


def _spend_input(request: HttpRequest) -> campaigns.SpendInput:
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        raise ActionError(
            _("Give the day the money was spent (YYYY-MM-DD)."), field="day"
        ) from None
    return campaigns.SpendInput(
        day=day,
        amount=request.POST.get("amount", ""),
        currency=request.POST.get("currency", ""),
        channel_id=_int(request.POST.get("channel", "")),
        results=_int(request.POST.get("results", "")),
        paid_reach=_int(request.POST.get("paid_reach", "")),
        note=request.POST.get("note", ""),
    )


@require_POST
@workspace_view("campaigns.manage")
def add_spend(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    if _run(request, lambda: campaigns.add_spend(access, campaign, _spend_input(request))):
        messages.success(request, _("Spend added."))
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def delete_spend(
    request: HttpRequest, access: Access, campaign_id: int, spend_id: int
) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    entry = get_object_or_404(SpendEntry, pk=spend_id, campaign=campaign)
    if _run(request, lambda: campaigns.delete_spend(access, entry)):
        messages.success(request, _("Spend removed."))
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def import_spend(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file to import."))
        return _back(access, campaign)
    if upload.size is not None and upload.size > MAX_UPLOAD:
        messages.error(request, _("The file is over 2 MB: split it and import each part."))
        return _back(access, campaign)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text: save it as a UTF-8 CSV."))
        return _back(access, campaign)
    result: list[campaigns.Imported] = []
    if _run(request, lambda: result.append(campaigns.import_spend(access, campaign, text))):
        found = result[0]
        messages.success(
            request,
            ngettext("%(n)d spend line imported.", "%(n)d spend lines imported.", found.added)
            % {"n": found.added},
        )
        for line, problem in found.problems[:50]:
            messages.error(
                request, _("Line %(line)d: %(problem)s") % {"line": line, "problem": problem}
            )
        if len(found.problems) > 50:
            messages.error(
                request,
                ngettext(
                    "%(n)d more line was not imported.",
                    "%(n)d more lines were not imported.",
                    len(found.problems) - 50,
                )
                % {"n": len(found.problems) - 50},
            )
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def link_ads(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    if _run(
        request,
        lambda: adspend.link_ads(
            access,
            campaign,
            channel_id=request.POST.get("channel", ""),
            ad_account_id=request.POST.get("ad_account", ""),
            ad_campaign_ids=request.POST.getlist("ad_campaigns"),
            result_action=request.POST.get("result_action", ""),
        ),
    ):
        messages.success(request, _("Ads linked: use Sync now to read their spend."))
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def unlink_ads(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    link = get_object_or_404(AdSpendLink, campaign=campaign)
    if _run(request, lambda: adspend.unlink_ads(access, link)):
        messages.success(
            request, _("Ads unlinked. The spend already read stays; remove it line by line.")
        )
    return _back(access, campaign)


@require_POST
@workspace_view("campaigns.manage")
def sync_ads(request: HttpRequest, access: Access, campaign_id: int) -> HttpResponse:
    campaign = _campaign(access, campaign_id)
    link = get_object_or_404(AdSpendLink.objects.select_related("channel"), campaign=campaign)
    result: list[adspend.Synced] = []
    if _run(request, lambda: result.append(adspend.sync_now(access, link))):
        synced = result[0]
        messages.success(
            request,
            ngettext("%(n)d line of ad spend read.", "%(n)d lines of ad spend read.", synced.saved)
            % {"n": synced.saved},
        )
        for problem in synced.problems[:20]:
            messages.error(request, problem)
    return _back(access, campaign)
