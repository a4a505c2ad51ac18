"""Measure's pages, named "measure:<name>"."""

from __future__ import annotations

from django.urls import path

from hubbub.measure.views import campaign, overview

app_name = "measure"

M = "w/<slug:slug>/measure/"

urlpatterns = [
    path(M, overview.overview, name="overview"),
    path(M + "channels.csv", overview.channels_csv, name="channels_csv"),
    path(M + "posts.csv", overview.posts_csv, name="posts_csv"),
    path(M + "summary.csv", overview.summary_csv, name="summary_csv"),
    path(M + "campaigns/<int:campaign_id>/", campaign.campaign_page, name="campaign"),
    path(M + "campaigns/<int:campaign_id>/budget/", campaign.set_budget, name="budget"),
    path(M + "campaigns/<int:campaign_id>/goals/", campaign.set_goal, name="goal"),
    path(
        M + "campaigns/<int:campaign_id>/goals/<int:goal_id>/delete/",
        campaign.delete_goal,
        name="goal_delete",
    ),
    path(M + "campaigns/<int:campaign_id>/spend/", campaign.add_spend, name="spend"),
    path(
        M + "campaigns/<int:campaign_id>/spend/import/", campaign.import_spend, name="spend_import"
    ),
    path(
        M + "campaigns/<int:campaign_id>/spend/<int:spend_id>/delete/",
        campaign.delete_spend,
        name="spend_delete",
    ),
    path(M + "campaigns/<int:campaign_id>/ads/", campaign.link_ads, name="ads_link"),
    path(M + "campaigns/<int:campaign_id>/ads/delete/", campaign.unlink_ads, name="ads_unlink"),
    path(M + "campaigns/<int:campaign_id>/ads/sync/", campaign.sync_ads, name="ads_sync"),
]
