"""The inbox's settings pages and its reports, named "inbox_settings:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.inbox.views import (
    reports,
    settings_coverage,
    settings_policy,
    settings_replies,
    settings_rules,
    settings_sources,
    settings_team,
)

app_name = "inbox_settings"

S = "w/<slug:slug>/inbox/settings/"

urlpatterns = [
    # response targets
    path(S + "targets/", settings_policy.policy_page, name="policy"),
    path(
        S + "targets/holidays/<int:holiday_id>/delete/",
        settings_policy.holiday_delete,
        name="holiday_delete",
    ),
    path(
        S + "targets/overrides/<int:override_id>/delete/",
        settings_policy.override_delete,
        name="override_delete",
    ),
    path(
        S + "targets/overrides/<int:override_id>/move/",
        settings_policy.override_move,
        name="override_move",
    ),
    # reading: what is read from each channel, and "Read now"
    path(S + "reading/", settings_sources.sources_page, name="sources"),
    path(S + "reading/<int:source_id>/read/", settings_sources.source_poll, name="source_poll"),
    # saved replies
    path(S + "replies/", settings_replies.replies_page, name="replies"),
    path(S + "replies/new/", settings_replies.reply_new, name="reply_new"),
    path(S + "replies/<int:reply_id>/", settings_replies.reply_edit, name="reply_edit"),
    path(S + "replies/<int:reply_id>/delete/", settings_replies.reply_delete, name="reply_delete"),
    # teams and tags
    path(S + "teams/", settings_team.team_page, name="team"),
    path(S + "teams/<int:team_id>/", settings_team.team_edit, name="team_edit"),
    path(S + "teams/<int:team_id>/delete/", settings_team.team_delete, name="team_delete"),
    path(S + "tags/<int:tag_id>/", settings_team.tag_edit, name="tag_edit"),
    path(S + "tags/<int:tag_id>/delete/", settings_team.tag_delete, name="tag_delete"),
    # coverage
    path(S + "coverage/", settings_coverage.coverage_page, name="coverage"),
    path(S + "coverage/absences/", settings_coverage.absence_add, name="absence_add"),
    path(
        S + "coverage/shifts/<int:shift_id>/delete/",
        settings_coverage.shift_delete,
        name="shift_delete",
    ),
    path(
        S + "coverage/overrides/<int:duty_id>/delete/",
        settings_coverage.duty_delete,
        name="duty_delete",
    ),
    path(
        S + "coverage/absences/<int:absence_id>/delete/",
        settings_coverage.absence_delete,
        name="absence_delete",
    ),
]

urlpatterns += [
    path("w/<slug:slug>/inbox/reports/", reports.reports_page, name="reports"),
    path("w/<slug:slug>/inbox/reports.csv", reports.reports_csv, name="reports_csv"),
]

R = S + "rules/"
urlpatterns += [
    path(R, settings_rules.rules_page, name="rules"),
    path(R + "new/", settings_rules.rule_new, name="rule_new"),
    path(R + "preview/", settings_rules.rule_preview_view, name="rule_preview"),
    path(R + "row/", settings_rules.rule_row, name="rule_row"),
    path(R + "<int:rule_id>/", settings_rules.rule_edit, name="rule_edit"),
    path(R + "<int:rule_id>/toggle/", settings_rules.rule_toggle, name="rule_toggle"),
    path(R + "<int:rule_id>/move/", settings_rules.rule_move, name="rule_move"),
    path(R + "<int:rule_id>/delete/", settings_rules.rule_delete, name="rule_delete"),
]
