from __future__ import annotations

from django.urls import path

from hubbub.web.views import audit, brand, members, notifications, tokens, workspaces

app_name = "web"

urlpatterns = [
    path("", workspaces.home, name="home"),
    path("healthz", workspaces.healthz, name="healthz"),
    path("workspaces/new/", workspaces.workspace_new, name="workspace_new"),
    path("w/<slug:slug>/", workspaces.workspace_home, name="workspace"),
    path("w/<slug:slug>/settings/", workspaces.workspace_settings, name="workspace_settings"),
    path("w/<slug:slug>/settings/brand/", brand.brand_save, name="brand"),
    path("w/<slug:slug>/brand/logo.png", brand.brand_logo, name="brand_logo"),
    path("w/<slug:slug>/delete/", workspaces.workspace_delete, name="workspace_delete"),
    path("w/<slug:slug>/members/", members.member_list, name="members"),
    path("w/<slug:slug>/members/<int:member_id>/role/", members.member_role, name="member_role"),
    path(
        "w/<slug:slug>/members/<int:member_id>/remove/", members.member_remove, name="member_remove"
    ),
    path(
        "w/<slug:slug>/invitations/<int:invitation_id>/<str:verb>/",
        members.invitation_action,
        name="invitation_action",
    ),
    path("w/<slug:slug>/audit/", audit.audit_log, name="audit"),
    path("w/<slug:slug>/tokens/", tokens.token_list, name="tokens"),
    path("w/<slug:slug>/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
]
