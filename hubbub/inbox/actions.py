"""The inbox's actions, shared by the web pages, the API and the CLI: each checks the
permission and the workspace, makes the change, records it in the audit log and keeps the
response-time targets (hubbub.inbox.sla) in step.

They live in actions_*.py by subject; import them from here.
"""

from hubbub.inbox.actions_conversation import (
    BULK_OPS,
    BulkResult,
    add_note,
    assign,
    bulk,
    mentioned,
    set_priority,
    set_status,
    set_tags,
)
from hubbub.inbox.actions_network import delete_on_network, hide, like
from hubbub.inbox.actions_reply import (
    DUPLICATE_WINDOW,
    REPLYING_LEASE,
    auto_reply,
    message_ref,
    reply,
    start_replying,
    stop_replying,
    thread_root,
)
from hubbub.inbox.actions_settings import (
    delete_saved_reply,
    delete_tag,
    delete_team,
    delete_view,
    save_reply,
    save_tag,
    save_team,
    save_view,
)
from hubbub.inbox.customers import (
    link_identity,
    merge_customers,
    unlink_identity,
    update_customer,
)

__all__ = [
    "BULK_OPS",
    "DUPLICATE_WINDOW",
    "REPLYING_LEASE",
    "BulkResult",
    "add_note",
    "assign",
    "auto_reply",
    "bulk",
    "delete_on_network",
    "delete_saved_reply",
    "delete_tag",
    "delete_team",
    "delete_view",
    "hide",
    "like",
    "link_identity",
    "mentioned",
    "merge_customers",
    "message_ref",
    "reply",
    "save_reply",
    "save_tag",
    "save_team",
    "save_view",
    "set_priority",
    "set_status",
    "set_tags",
    "start_replying",
    "stop_replying",
    "thread_root",
    "unlink_identity",
    "update_customer",
]
