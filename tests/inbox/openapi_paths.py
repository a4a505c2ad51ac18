"""The inbox's API paths, checked by tests/api/test_openapi.py (EXPECTED is merged there)."""

from __future__ import annotations

W = "/api/workspaces/{slug}"
C = f"{W}/conversations/{{conversation_id}}"
M = f"{W}/messages/{{message_id}}"

EXPECTED: dict[str, set[str]] = {
    f"{W}/conversations": {"get"},
    f"{W}/conversations.csv": {"get"},
    C: {"get"},
    f"{C}/messages": {"get"},
    f"{C}/replies": {"post"},
    f"{C}/notes": {"post"},
    f"{C}/assign": {"post"},
    f"{C}/status": {"post"},
    f"{C}/tags": {"post"},
    f"{C}/priority": {"post"},
    f"{W}/conversations/bulk": {"post"},
    f"{M}/like": {"post"},
    f"{M}/hide": {"post"},
    f"{M}/unhide": {"post"},
    f"{M}/delete": {"post"},
    f"{W}/customers/{{customer_id}}": {"get"},
    f"{W}/saved-replies": {"get", "post"},
    f"{W}/saved-replies/{{reply_id}}": {"put", "delete"},
    f"{W}/response-policy": {"get", "put"},
    f"{W}/inbox/reports": {"get"},
    f"{W}/inbox/reports.csv": {"get"},
    f"{W}/rules": {"get", "post"},
    f"{W}/rules/preview": {"post"},
    f"{W}/rules/{{rule_id}}": {"get", "put", "delete"},
    f"{W}/rules/{{rule_id}}/preview": {"post"},
}
