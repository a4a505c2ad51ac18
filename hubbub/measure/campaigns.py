"""A campaign's goals, budget and spend, and its report: each goal's actual beside its target
with a projection to the campaign's end, spend against the budget, cost per result, organic
against paid reach. Shared by the campaign's results page, the API and the CSV import.

- Goals: one target per metric (GoalMetric), over the campaign's dates.
- Budget: an amount in one currency. Spend in another currency is refused with what to do
  (convert it first): Hubbub does not guess exchange rates.
- Spend: an amount on a day, optionally for a channel, with the results and paid reach the ad
  platform counted. Entered by hand or imported from CSV (`import_spend`: bad lines reported
  by number, the good ones kept).
- The report's period is the campaign's dates (from its first post when it has no start; to
  today when it has no end), in the workspace's time zone. The projection of a count is its
  pace so far carried to the end (actual * days in all / days gone); a rate is not projected.
- Cost per result: spend ÷ the results the ad platform counted, or, when no spend entry says,
  ÷ the first goal's actual (what the campaign is for).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.measure import formulas, reports
from hubbub.measure.models import (
    CampaignBudget,
    CampaignGoal,
    GoalMetric,
    SpendEntry,
    SpendSource,
)
from hubbub.measure.periods import Period
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("1000000000")
SPEND_COLUMNS = ("date", "amount", "currency", "channel", "results", "reach", "note")
MAX_IMPORT_LINES = 20_000


def _mine(access: Access, campaign: Campaign) -> None:
    access.require("campaigns.manage")
    if campaign.workspace_id != access.workspace.pk:
        raise ActionError(_("That campaign belongs to another workspace."))


def _audit(
    access: Access,
    action: str,
    campaign: Campaign,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The audit log's line for a change to a campaign's goals, budget or spend."""
    record(
        action,
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=campaign,
        before=before,
        after=after,
    )


def _amount(text: Any, field_name: str = "amount") -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ActionError(
            _("%(value)s is not an amount: write it like 1250.50.") % {"value": text},
            field=field_name,
        ) from None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise ActionError(
            _("An amount is 0 or more and under a billion: %(value)s is not.") % {"value": text},
            field=field_name,
        )
    return value.quantize(Decimal("0.01"))


def _currency(text: str) -> str:
    code = text.strip().upper()
    if not CURRENCY.match(code):
        raise ActionError(
            _("%(value)s is not a currency code: use three letters, e.g. EUR or USD.")
            % {"value": text},
            field="currency",
        )
    return code


def currency_of(campaign: Campaign) -> str | None:
    """The campaign's currency: its budget's, else that of the spend already entered."""
    budget = CampaignBudget.objects.filter(campaign=campaign).first()
    if budget is not None:
        return budget.currency
    first = SpendEntry.objects.filter(campaign=campaign).order_by("pk").first()
    return first.currency if first is not None else None


def set_budget(access: Access, campaign: Campaign, amount: Any, currency: str) -> CampaignBudget:
    _mine(access, campaign)
    value, code = _amount(amount), _currency(currency)
    other = SpendEntry.objects.filter(campaign=campaign).exclude(currency=code).first()
    if other is not None:
        raise ActionError(
            _(
                "Spend is already entered in %(theirs)s: set the budget in %(theirs)s, or "
                "remove that spend first."
            )
            % {"theirs": other.currency},
            field="currency",
        )
    with transaction.atomic():
        budget, _created = CampaignBudget.objects.update_or_create(
            campaign=campaign,
            defaults={"amount": value, "currency": code, "updated_at": timezone.now()},
        )
        _audit(
            access,
            "campaign.budget",
            campaign,
            after={"amount": str(value), "currency": code},
        )
    return budget


def set_goal(access: Access, campaign: Campaign, metric: str, target: Any) -> CampaignGoal:
    _mine(access, campaign)
    if metric not in GoalMetric.values:
        raise ActionError(
            _("Choose what the goal counts: %(choices)s.")
            % {"choices": ", ".join(GoalMetric.values)},
            field="metric",
        )
    value = _amount(target, "target")
    if value <= 0:
        raise ActionError(_("A target is more than 0."), field="target")
    with transaction.atomic():
        goal, _created = CampaignGoal.objects.update_or_create(
            campaign=campaign, metric=metric, defaults={"target": value}
        )
        _audit(
            access,
            "campaign.goal",
            campaign,
            after={"metric": metric, "target": str(value)},
        )
    return goal


def delete_goal(access: Access, goal: CampaignGoal) -> None:
    _mine(access, goal.campaign)
    with transaction.atomic():
        _audit(
            access,
            "campaign.goal_delete",
            goal.campaign,
            before={"metric": goal.metric, "target": str(goal.target)},
        )
        goal.delete()


@dataclass(frozen=True)
class SpendInput:
    day: date
    amount: Any
    currency: str = ""  # empty: the campaign's
    channel_id: int | None = None
    results: int | None = None
    paid_reach: int | None = None
    note: str = ""


def _spend(
    access: Access, campaign: Campaign, given: SpendInput, currency: str | None
) -> SpendEntry:
    """A checked, unsaved entry (the import checks every line before saving any)."""
    amount = _amount(given.amount)
    code = _currency(given.currency) if given.currency.strip() else currency
    if code is None:
        raise ActionError(
            _("Say which currency: set the campaign's budget, or give the currency."),
            field="currency",
        )
    if currency is not None and code != currency:
        raise ActionError(
            _(
                "This campaign counts in %(ours)s, not %(theirs)s: convert the amount to "
                "%(ours)s first."
            )
            % {"ours": currency, "theirs": code},
            field="currency",
        )
    today = timezone.now().astimezone(access.workspace.tz).date()
    if given.day > today + timedelta(days=1):
        raise ActionError(
            _("%(day)s is in the future: spend is entered once it is spent.")
            % {"day": given.day.isoformat()},
            field="day",
        )
    if (
        given.channel_id is not None
        and not Channel.objects.filter(pk=given.channel_id, workspace=access.workspace).exists()
    ):
        raise ActionError(_("That channel is not one of this workspace's."), field="channel")
    for name, value in (("results", given.results), ("paid_reach", given.paid_reach)):
        if value is not None and value < 0:
            raise ActionError(_("A count is 0 or more."), field=name)
    return SpendEntry(
        workspace=access.workspace,
        campaign=campaign,
        channel_id=given.channel_id,
        day=given.day,
        amount=amount,
        currency=code,
        results=given.results,
        paid_reach=given.paid_reach,
        note=given.note.strip()[:500],
    )


def add_spend(access: Access, campaign: Campaign, given: SpendInput) -> SpendEntry:
    _mine(access, campaign)
    entry = _spend(access, campaign, given, currency_of(campaign))
    with transaction.atomic():
        entry.save()
        record(
            "campaign.spend",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=campaign,
            after={
                "day": entry.day.isoformat(),
                "amount": str(entry.amount),
                "currency": entry.currency,
            },
        )
    return entry


def delete_spend(access: Access, entry: SpendEntry) -> None:
    _mine(access, entry.campaign)
    with transaction.atomic():
        _audit(
            access,
            "campaign.spend_delete",
            entry.campaign,
            before={"day": entry.day.isoformat(), "amount": str(entry.amount)},
        )
        entry.delete()


@dataclass
class Imported:
    added: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what to fix)


def _count(text: str, name: str) -> int | None:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if not text.isdigit():
        raise ActionError(
            _("%(name)s must be a whole number: %(value)s is not.") % {"name": name, "value": text}
        )
    return int(text)


def import_spend(access: Access, campaign: Campaign, text: str) -> Imported:
    """Spend from CSV: a header naming at least date and amount (also currency, channel —
    a handle of this workspace —, results, reach, note). Each bad line is reported with its
    number and what to fix; the good lines are added."""
    _mine(access, campaign)
    result = Imported()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    unknown = [name for name in header if name and name not in SPEND_COLUMNS]
    if "date" not in header or "amount" not in header or unknown:
        raise ActionError(
            _(
                "The first line must name the columns: date and amount, and optionally "
                "%(optional)s (found: %(found)s)."
            )
            % {
                "optional": ", ".join(SPEND_COLUMNS[2:]),
                "found": ", ".join(header) or _("nothing"),
            },
            field="file",
        )
    handles = {
        c.handle.lower().lstrip("@"): c.pk
        for c in Channel.objects.filter(workspace=access.workspace)
    }
    currency = currency_of(campaign)
    entries: list[SpendEntry] = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_IMPORT_LINES + 1:
            result.problems.append((number, _("Too many lines: import at most 20,000 at once.")))
            break
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        try:
            try:
                day = date.fromisoformat(values.get("date", ""))
            except ValueError:
                raise ActionError(
                    _("%(value)s is not a date: write it as YYYY-MM-DD.")
                    % {"value": values.get("date", "")}
                ) from None
            channel_id = None
            if values.get("channel"):
                channel_id = handles.get(values["channel"].lower().lstrip("@"))
                if channel_id is None:
                    raise ActionError(
                        _("No channel %(handle)s in this workspace.")
                        % {"handle": values["channel"]}
                    )
            entry = _spend(
                access,
                campaign,
                SpendInput(
                    day=day,
                    amount=values.get("amount", ""),
                    currency=values.get("currency", ""),
                    channel_id=channel_id,
                    results=_count(values.get("results", ""), "results"),
                    paid_reach=_count(values.get("reach", ""), "reach"),
                    note=values.get("note", ""),
                ),
                currency,
            )
        except ActionError as exc:
            result.problems.append((number, exc.message))
            continue
        entry.source = SpendSource.CSV
        currency = currency or entry.currency
        entries.append(entry)
    with transaction.atomic():
        SpendEntry.objects.bulk_create(entries)
        if entries:
            _audit(
                access,
                "campaign.spend",
                campaign,
                after={"imported": len(entries), "problems": len(result.problems)},
            )
    result.added = len(entries)
    return result


# --- the report ------------------------------------------------------------------------------


@dataclass
class GoalProgress:
    goal: CampaignGoal
    actual: float | int | None
    projected: float | int | None
    share: float | None  # actual / target * 100


@dataclass
class CampaignReport:
    period: Period
    days_gone: int
    totals: reports.Totals
    goals: list[GoalProgress]
    budget: CampaignBudget | None
    currency: str | None
    spent: Decimal
    left: Decimal | None
    results: int | None  # what the cost per result divides by
    results_from: str  # "ads" (the spend entries') or the goal metric
    cost_per_result: Decimal | None
    organic_reach: int | None
    paid_reach: int | None


def campaign_period(campaign: Campaign, zone: Any, today: date) -> Period:
    first = campaign.starts_on
    if first is None:
        earliest = (
            campaign.posts.filter(deliveries__published_at__isnull=False)
            .order_by("deliveries__published_at")
            .values_list("deliveries__published_at", flat=True)
            .first()
        )
        first = earliest.astimezone(zone).date() if isinstance(earliest, datetime) else today
    last = campaign.ends_on or max(today, first)
    return Period(first, max(first, last), zone)


def actual_of(metric: str, totals: reports.Totals, followers: tuple[int | None, int | None]) -> Any:
    if metric == GoalMetric.NEW_FOLLOWERS:
        return formulas.follower_growth(*followers)
    if metric in ("engagements", "engagement_rate_reach"):
        return totals.figures[metric]
    return totals.counts.get(metric)


def report(campaign: Campaign) -> CampaignReport:
    workspace = campaign.workspace
    zone = workspace.tz
    today = timezone.now().astimezone(zone).date()
    period = campaign_period(campaign, zone, today)
    totals = reports.totals(reports.Scope(workspace.pk, campaign_id=campaign.pk), period)
    # New followers over the campaign's dates: the workspace's channels (a follower is not
    # won by one post).
    followers = reports.followers(reports.Scope(workspace.pk), period)
    days_gone = max(0, min(period.days, (today - period.first).days + 1))
    goals = []
    for goal in CampaignGoal.objects.filter(campaign=campaign):
        actual = actual_of(goal.metric, totals, followers)
        projected = None
        if actual is not None and goal.metric != GoalMetric.ENGAGEMENT_RATE and days_gone:
            projected = round(actual * period.days / days_gone)
        share = float(actual) / float(goal.target) * 100 if actual is not None else None
        goals.append(GoalProgress(goal, actual, projected, share))
    budget = CampaignBudget.objects.filter(campaign=campaign).first()
    spend = SpendEntry.objects.filter(campaign=campaign)
    sums = spend.aggregate(spent=Sum("amount"), results=Sum("results"), reach=Sum("paid_reach"))
    # SQLite sums decimals as floats: back to cents.
    spent = Decimal(str(sums["spent"] or 0)).quantize(Decimal("0.01"))
    results: int | None = sums["results"]
    results_from = "ads"
    if results is None and goals and goals[0].goal.metric != GoalMetric.ENGAGEMENT_RATE:
        actual = goals[0].actual
        results = int(actual) if actual is not None else None
        results_from = goals[0].goal.metric
    return CampaignReport(
        period=period,
        days_gone=days_gone,
        totals=totals,
        goals=goals,
        budget=budget,
        currency=currency_of(campaign),
        spent=spent,
        left=(budget.amount - spent) if budget is not None else None,
        results=results,
        results_from=results_from,
        cost_per_result=formulas.cost_per_result(spent if spent else None, results),
        organic_reach=totals.counts.get("reach"),
        paid_reach=sums["reach"],
    )
