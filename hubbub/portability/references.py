"""Ids kept in JSON or text columns instead of foreign keys, rewritten on import to the ids the
rows got in the other install (graph.JSON_REFERENCES makes those rows load first).

Found by reading the models (grep for `_id` in JSONFields and query strings):

- inbox.Rule: conditions on "channel" hold channel ids; actions hold user_id, user_ids,
  team_id and saved_reply_id (hubbub.inbox.rules_actions).
- inbox.SavedView: its query string's channel, assignee, team, customer and tag (a tag is
  an id or a name) (hubbub.inbox.queries).
- core.AuditEntry: object_type and object_id name the row a change was made to.

Left as they are, on purpose: what history recorded (RuleHit.actions, an audit entry's
before/after, a digest's summary, an alert's facts) says what was true then, in the words
of then; the ids of other networks (published refs, cursors) are not ours to change. An id
of a row that is not in the export is kept too: it named no row of the workspace then (rules
skip people who are not members), and names none of the restored workspace now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

# (model label, old id) → new id, or None when the row was not imported.
Lookup = Callable[[str, Any], Any]

USER = "accounts.User"
CHANNEL = "networks.Channel"
TEAM = "inbox.Team"
TAG = "inbox.Tag"
CUSTOMER = "inbox.Customer"
SAVED_REPLY = "inbox.SavedReply"


def _one(lookup: Lookup, label: str, value: Any) -> Any:
    """The new id, in the type it was stored in (3 or "3"); a value that is not an id of a
    row imported (a name, a gone row) is kept."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    if isinstance(value, str) and not value.isdigit():
        return value
    new = lookup(label, int(value))
    if new is None:
        return value
    return str(new) if isinstance(value, str) else new


def _many(lookup: Lookup, label: str, values: Any) -> Any:
    if not isinstance(values, list):
        return values
    return [_one(lookup, label, v) for v in values]


def rule(fields: dict[str, Any], lookup: Lookup) -> None:
    conditions = fields.get("conditions")
    if isinstance(conditions, list):
        for condition in conditions:
            if isinstance(condition, dict) and condition.get("field") == "channel":
                condition["value"] = _many(lookup, CHANNEL, condition.get("value"))
    actions = fields.get("actions")
    if isinstance(actions, list):
        for action in actions:
            if not isinstance(action, dict):
                continue
            for key, label in (("user_id", USER), ("team_id", TEAM)):
                if key in action:
                    action[key] = _one(lookup, label, action[key])
            if "saved_reply_id" in action:
                action["saved_reply_id"] = _one(lookup, SAVED_REPLY, action["saved_reply_id"])
            if "user_ids" in action:
                action["user_ids"] = _many(lookup, USER, action["user_ids"])


QUERY_IDS = {"channel": CHANNEL, "assignee": USER, "team": TEAM, "customer": CUSTOMER, "tag": TAG}


def saved_view(fields: dict[str, Any], lookup: Lookup) -> None:
    query = fields.get("query")
    if not isinstance(query, str):
        return
    pairs = parse_qsl(query, keep_blank_values=True)
    rewritten = [
        (key, _one(lookup, QUERY_IDS[key], value) if key in QUERY_IDS else value)
        for key, value in pairs
    ]
    if rewritten != pairs:
        fields["query"] = urlencode(rewritten)


def audit_entry(fields: dict[str, Any], lookup: Lookup, by_model_name: dict[str, str]) -> None:
    """`by_model_name` maps a model name to its label when only one exported model has it
    (AuditEntry keeps the model name alone: an ambiguous one is left as it was)."""
    label = by_model_name.get(str(fields.get("object_type", "")))
    if label is not None:
        fields["object_id"] = _one(lookup, label, fields.get("object_id", ""))


REWRITERS: dict[str, Callable[[dict[str, Any], Lookup], None]] = {
    "inbox.Rule": rule,
    "inbox.SavedView": saved_view,
}
