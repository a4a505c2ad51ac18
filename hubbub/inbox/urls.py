"""The inbox's pages, named "inbox:<name>"; settings pages are in urls_settings.py."""

from __future__ import annotations

from django.urls import path

from hubbub.inbox.views import conversation, customers, inbox

app_name = "inbox"

C = "w/<slug:slug>/inbox/<int:conversation_id>/"

urlpatterns = [
    path("w/<slug:slug>/inbox/", inbox.inbox_list, name="list"),
    path("w/<slug:slug>/inbox/new-rows/", inbox.new_rows, name="new_rows"),
    path("w/<slug:slug>/inbox/bulk/", inbox.bulk, name="bulk"),
    path("w/<slug:slug>/inbox/export.csv", inbox.export, name="export"),
    path("w/<slug:slug>/inbox/views/", inbox.saved_view_save, name="saved_view_save"),
    path(
        "w/<slug:slug>/inbox/views/<int:view_id>/delete/",
        inbox.saved_view_delete,
        name="saved_view_delete",
    ),
    path(C, conversation.conversation_page, name="conversation"),
    path(C + "reply/", conversation.reply, name="reply"),
    path(C + "note/", conversation.note, name="note"),
    path(C + "assign/", conversation.assign, name="assign"),
    path(C + "status/", conversation.status, name="status"),
    path(C + "tags/", conversation.tags, name="tags"),
    path(C + "priority/", conversation.priority, name="priority"),
    path(C + "replying/", conversation.replying, name="replying"),
    path(
        "w/<slug:slug>/inbox/messages/<int:message_id>/<slug:op>/",
        conversation.message_action,
        name="message_action",
    ),
    path(
        "w/<slug:slug>/inbox/customers/<int:customer_id>/",
        customers.customer_page,
        name="customer",
    ),
    path(
        "w/<slug:slug>/inbox/customers/<int:customer_id>/link/",
        customers.customer_link,
        name="customer_link",
    ),
]
