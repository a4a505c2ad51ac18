"""Inbox rules: the list in evaluation order (switch on/off, move up/down, delete), the
editor with its condition and action rows, and "Test this rule on the last 7 days".

Saving, deleting and ordering go through hubbub.inbox.rules_admin; the preview is
hubbub.inbox.rule_preview.preview, which runs the same code as the real thing without
writing anything, and works on the rule as typed, before it is saved.

Everything works without JavaScript (the add-row and preview buttons submit the form and
the page comes back with the rows as typed); with htmx, rows are added and the preview is
shown in place.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.inbox import rule_preview, rules, rules_admin
from hubbub.inbox.models import Rule
from hubbub.inbox.rules_context import RuleSpec
from hubbub.inbox.views import settings_rules_rows as rows
from hubbub.web.decorators import workspace_view

PREVIEW_DAYS = 7
PREVIEW_SHOWN = 50  # matches listed; the count says how many there were in all


def _rule(access: Access, rule_id: int) -> Rule:
    return get_object_or_404(Rule, pk=rule_id, workspace=access.workspace)


def _list_url(access: Access) -> HttpResponse:
    return redirect("inbox_settings:rules", slug=access.workspace.slug)


@workspace_view("inbox.view")
def rules_page(request: HttpRequest, access: Access) -> HttpResponse:
    since = timezone.now() - timedelta(days=PREVIEW_DAYS)
    listed = (
        Rule.objects.filter(workspace=access.workspace)
        .annotate(recent_hits=Count("hits", filter=Q(hits__created_at__gte=since)))
        .order_by("position", "id")  # Meta.ordering does not apply to GROUP BY queries
    )
    shown = [
        {
            "rule": rule,
            "conditions": len(rule.conditions or []),
            "actions": [_action_summary(a) for a in rule.actions or []],
        }
        for rule in listed
    ]
    return render(
        request,
        "inbox/settings_rules.html",
        {"rows": shown, "editable": access.can("inbox.configure")},
    )


def _action_summary(action: Any) -> str:
    if not isinstance(action, dict):
        return "?"
    kind = rows.action_kind(action)
    return str(rows.ACTION_KINDS.get(kind, (kind, "", ""))[0])


def _editor(
    request: HttpRequest,
    access: Access,
    rule: Rule | None,
    *,
    name: str,
    match_all: bool,
    stop: bool,
    enabled: bool,
    conditions: list[rows.ConditionRow],
    actions: list[rows.ActionRow],
    errors: list[str] | None = None,
    name_error: str = "",
    preview: rule_preview.Preview | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "inbox/settings_rule_edit.html",
        {
            "rule": rule,
            "name": name,
            "match_all": match_all,
            "stop": stop,
            "enabled": enabled,
            "conditions": conditions,
            "actions": actions,
            "errors": errors or [],
            "name_error": name_error,
            **_preview_context(access, preview),
            **rows.choices(access),
        },
        status=status,
    )


def _posted(request: HttpRequest) -> dict[str, Any]:
    conditions, actions = rows.rows_from_post(request.POST)
    return {
        "name": request.POST.get("name", "")[:200],
        "match_all": request.POST.get("match_all", "all") != "any",
        "stop": request.POST.get("stop") == "on",
        "enabled": request.POST.get("enabled") == "on",
        "conditions": conditions,
        "actions": actions,
    }


def _problems(access: Access, given: dict[str, Any]) -> list[str]:
    """Problems beside each row; those of the rule as a whole (no action, an action twice)
    in the list above the form."""
    rows.check_rows(access, given["conditions"], given["actions"])
    shown = {e for row in (*given["conditions"], *given["actions"]) for e in row.errors}
    everything = rules.validate(
        [c.as_json() for c in given["conditions"]],
        [a.as_json() for a in given["actions"]],
        access.workspace,
    )
    return [e for e in everything if e not in shown]


def _has_problems(given: dict[str, Any], overall: list[str]) -> bool:
    return bool(overall) or any(r.errors for r in (*given["conditions"], *given["actions"]))


def _edit(request: HttpRequest, access: Access, rule: Rule | None) -> HttpResponse:
    if request.method != "POST":
        if rule is not None:
            conditions, actions = rows.rows_from_rule(rule)
            return _editor(
                request,
                access,
                rule,
                name=rule.name,
                match_all=rule.match_all,
                stop=rule.stop,
                enabled=rule.enabled,
                conditions=conditions,
                actions=actions,
            )
        return _editor(
            request,
            access,
            None,
            name="",
            match_all=True,
            stop=False,
            enabled=True,
            conditions=[rows.blank_condition("keywords", 0)],
            actions=[rows.blank_action("tag", 0)],
        )
    given = _posted(request)
    # Without JavaScript, the add buttons submit the whole form: add the row, save nothing.
    adding = request.POST.get("add", "")
    add_field = request.POST.get("add_condition", "") if adding == "condition" else ""
    add_kind = request.POST.get("add_action", "") if adding == "action" else ""
    if add_field in rules.FIELDS or add_kind in rows.ACTION_KINDS:
        if add_field in rules.FIELDS:
            given["conditions"].append(rows.blank_condition(add_field))
        if add_kind in rows.ACTION_KINDS:
            given["actions"].append(rows.blank_action(add_kind))
        return _editor(request, access, rule, **given)
    overall = _problems(access, given)
    if _has_problems(given, overall):
        return _editor(request, access, rule, **given, errors=overall, status=400)
    try:
        saved = rules_admin.save_rule(
            access,
            given["name"],
            [c.as_json() for c in given["conditions"]],
            [a.as_json() for a in given["actions"]],
            match_all=given["match_all"],
            stop=given["stop"],
            enabled=given["enabled"],
            rule=rule,
        )
    except rules_admin.RuleInvalid as exc:
        return _editor(request, access, rule, **given, errors=exc.errors, status=400)
    except ActionError as exc:
        if exc.field == "name":
            return _editor(request, access, rule, **given, name_error=exc.message, status=400)
        return _editor(request, access, rule, **given, errors=[exc.message], status=400)
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
    return _list_url(access)


@workspace_view("inbox.configure")
def rule_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _edit(request, access, None)


@workspace_view("inbox.configure")
def rule_edit(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    return _edit(request, access, _rule(access, rule_id))


# --- preview ---------------------------------------------------------------------------------


def _preview_context(access: Access, preview: rule_preview.Preview | None) -> dict[str, Any]:
    if preview is None:
        return {"preview": None}
    tz = access.workspace.tz
    matches = [
        {
            "message": match.message,
            "at": match.message.created_at.astimezone(tz),
            "author": match.message.identity.handle if match.message.identity else "",
            "actions": [rules.describe(done) for done in match.actions],
        }
        for match in preview.matched[:PREVIEW_SHOWN]
    ]
    return {
        "preview": preview,
        "preview_matches": matches,
        "preview_count": len(preview.matched),
        "preview_more": max(0, len(preview.matched) - PREVIEW_SHOWN),
        "preview_days": PREVIEW_DAYS,
    }


@require_POST
@workspace_view("inbox.configure")
def rule_preview_view(request: HttpRequest, access: Access) -> HttpResponse:
    """Run the rule as typed on the last 7 days. htmx: the results panel only; otherwise
    the editor again, with the rows as typed and the results below."""
    rule_id = request.POST.get("rule_id", "")
    rule = _rule(access, int(rule_id)) if rule_id.isdigit() else None
    given = _posted(request)
    overall = _problems(access, given)
    preview = None
    if not _has_problems(given, overall):
        spec = RuleSpec(
            name=given["name"],
            conditions=[c.as_json() for c in given["conditions"]],
            actions=[a.as_json() for a in given["actions"]],
            match_all=given["match_all"],
            stop=given["stop"],
            # Round robin continues from the saved rule's pointer, as it would for real.
            round_robin_last_id=rule.round_robin_last_id if rule is not None else None,
            rule=rule,
        )
        preview = rule_preview.preview(spec, access.workspace, days=PREVIEW_DAYS)
    if request.htmx:  # type: ignore[attr-defined]
        problems = overall + [
            e for r in (*given["conditions"], *given["actions"]) for e in r.errors
        ]
        return render(
            request,
            "inbox/settings_rule_preview.html",
            {"errors": problems, **_preview_context(access, preview)},
        )
    return _editor(
        request,
        access,
        rule,
        **given,
        errors=overall,
        preview=preview,
        status=200 if preview is not None else 400,
    )


@require_GET
@workspace_view("inbox.configure")
def rule_row(request: HttpRequest, access: Access) -> HttpResponse:
    """htmx: one new condition or action row, appended to the editor."""
    field_name = request.GET.get("add_condition", "")
    kind = request.GET.get("add_action", "")
    context = rows.choices(access)
    if field_name in rules.FIELDS:
        return render(
            request,
            "inbox/settings_rule_condition.html",
            {"row": rows.blank_condition(field_name), **context},
        )
    if kind in rows.ACTION_KINDS:
        return render(
            request,
            "inbox/settings_rule_action.html",
            {"row": rows.blank_action(kind), **context},
        )
    raise Http404(_("No such kind of row."))


# --- list actions ----------------------------------------------------------------------------


@require_POST
@workspace_view("inbox.configure")
def rule_toggle(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    rule = _rule(access, rule_id)
    try:
        rules_admin.save_rule(
            access,
            rule.name,
            list(rule.conditions or []),
            list(rule.actions or []),
            match_all=rule.match_all,
            stop=rule.stop,
            enabled=not rule.enabled,
            rule=rule,
        )
    except ActionError as exc:
        messages.error(
            request,
            _("“%(name)s” cannot be switched: %(problem)s Edit the rule to fix it.")
            % {"name": rule.name, "problem": exc.message},
        )
    else:
        text = _("Rule “%(name)s” is on.") if rule.enabled else _("Rule “%(name)s” is off.")
        messages.success(request, text % {"name": rule.name})
    return _list_url(access)


@require_POST
@workspace_view("inbox.configure")
def rule_move(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    rule = _rule(access, rule_id)
    ordered = list(Rule.objects.filter(workspace=access.workspace).values_list("pk", flat=True))
    index = ordered.index(rule.pk)
    index += -1 if request.POST.get("direction") == "up" else 1
    if 0 <= index < len(ordered):
        rules_admin.move_rule(access, rule, index)
        messages.success(request, _("Rules reordered."))
    return _list_url(access)


@require_POST
@workspace_view("inbox.configure")
def rule_delete(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    rule = _rule(access, rule_id)
    rules_admin.delete_rule(access, rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return _list_url(access)
