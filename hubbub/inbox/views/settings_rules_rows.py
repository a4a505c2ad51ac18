"""The rule editor's rows: turning the posted condition and action rows into the rule's JSON
(hubbub.inbox.rules_conditions and rules_actions describe it) and back into rows to show.

Each row is made for one field (a condition) or one kind of action, so it shows only the
inputs that make sense for it: "Add a condition" picks the field, and changing a field means
removing the row and adding another. Rows are posted as cond-<n>-… and act-<n>-…; their
order is the numeric order of <n> (rows added with htmx get a larger number).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from hubbub.core.access import Access
from hubbub.core.models import Membership
from hubbub.core.permissions import PERMISSIONS
from hubbub.inbox.models import Kind, Priority, Rule, SavedReply, Sentiment, Tag, Team
from hubbub.inbox.rules_actions import validate_action
from hubbub.inbox.rules_conditions import FIELDS, validate_condition
from hubbub.networks.models import Channel

OPS: dict[str, Any] = {
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains_any": _("contains any of"),
    "contains_all": _("contains all of"),
    "not_contains": _("contains none of"),
    "gte": _("is at least"),
    "lte": _("is at most"),
    "is": _("is"),
    "has": _("has"),
    "has_not": _("does not have"),
}

# The kinds of action row: key → (label, JSON type, assign mode).
ACTION_KINDS: dict[str, tuple[Any, str, str]] = {
    "tag": (_("Add a tag"), "tag", ""),
    "priority": (_("Set the priority"), "priority", ""),
    "assign_user": (_("Assign to a member"), "assign", "user"),
    "assign_team": (_("Assign to a team"), "assign", "team"),
    "assign_round_robin": (_("Assign in turn among members"), "assign", "round_robin"),
    "assign_round_robin_team": (_("Assign in turn within a team"), "assign", "round_robin"),
    "assign_on_duty": (_("Assign to the person on duty"), "assign", "on_duty"),
    "auto_reply": (_("Reply automatically (once per conversation)"), "auto_reply", ""),
    "close_spam": (_("Close as spam"), "close_spam", ""),
    "notify": (_("Notify"), "notify", ""),
}
MAX_ROWS = 50
ROW = re.compile(r"^(cond|act)-(\d{1,15})-(field|kind)$")


def new_index() -> int:
    """An index larger than any row rendered from a saved rule, growing with time."""
    return 1000 + time.time_ns() // 1_000_000 % 10**11


def _split(text: str) -> list[str]:
    """Keywords or languages typed one per line or separated by commas."""
    return [part.strip() for part in re.split(r"[\n,]", text) if part.strip()]


def _number(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text  # the rule's check says what is wrong


@dataclass
class ConditionRow:
    index: int
    field: str
    op: str = ""
    value: Any = None  # as the JSON holds it
    errors: list[str] = dc_field(default_factory=list)

    @property
    def label(self) -> Any:
        return FIELDS.get(self.field, {}).get("label", self.field)

    @property
    def ops(self) -> list[tuple[str, Any]]:
        return [(op, OPS.get(op, op)) for op in FIELDS.get(self.field, {}).get("ops", ())]

    @property
    def values(self) -> list[str]:
        """The value as strings, for selected options and checkboxes."""
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [] if self.value in (None, "") else [str(self.value)]

    @property
    def text(self) -> str:
        """The value for a text input: lists joined one per line (keywords) or by commas."""
        if isinstance(self.value, list):
            joiner = "\n" if self.field == "keywords" else ", "
            return joiner.join(str(v) for v in self.value)
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return "" if self.value is None else str(self.value)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "value": self.value}


@dataclass
class ActionRow:
    index: int
    kind: str
    data: dict[str, Any] = dc_field(default_factory=dict)  # the action's JSON
    errors: list[str] = dc_field(default_factory=list)

    @property
    def label(self) -> Any:
        return ACTION_KINDS.get(self.kind, (self.kind, "", ""))[0]

    @property
    def user_ids(self) -> list[str]:
        return [str(v) for v in self.data.get("user_ids") or []]

    def as_json(self) -> dict[str, Any]:
        return self.data


def condition_value(field_name: str, op: str, post: QueryDict, prefix: str) -> Any:
    many = post.getlist(prefix + "value")
    one = post.get(prefix + "value", "")
    if field_name == "channel":
        return [_number(v) for v in many if v]
    if field_name in ("kind", "sentiment"):
        return [v for v in many if v]
    if field_name == "priority":
        chosen = [_number(v) for v in many if v]
        if op in ("gte", "lte"):
            return chosen[0] if len(chosen) == 1 else chosen
        return chosen
    if field_name in ("keywords", "language"):
        values = _split(one)
        return [v.lower() for v in values] if field_name == "language" else values
    if field_name in ("followers", "text_length"):
        return _number(one)
    if field_name == "business_hours":
        return {"true": True, "false": False}.get(one, one)
    return one.strip()  # tag


def action_json(kind: str, post: QueryDict, prefix: str) -> dict[str, Any]:
    _label, kind_type, mode = ACTION_KINDS[kind]
    data: dict[str, Any] = {"type": kind_type}
    if mode:
        data["mode"] = mode
    get = post.get
    if kind == "tag":
        data["value"] = get(prefix + "value", "").strip()
    elif kind == "priority":
        data["value"] = _number(get(prefix + "value", ""))
    elif kind == "assign_user":
        data["user_id"] = _number(get(prefix + "user_id", ""))
    elif kind in ("assign_team", "assign_round_robin_team"):
        data["team_id"] = _number(get(prefix + "team_id", ""))
    elif kind == "assign_round_robin":
        data["user_ids"] = [_number(v) for v in post.getlist(prefix + "user_ids") if v]
    elif kind == "auto_reply":
        text, saved = get(prefix + "text", "").strip(), get(prefix + "saved_reply_id", "")
        if saved:
            data["saved_reply_id"] = _number(saved)
        if text or not saved:
            data["text"] = text
    elif kind == "notify":
        data["user_ids"] = [_number(v) for v in post.getlist(prefix + "user_ids") if v]
    return data


def action_kind(action: dict[str, Any]) -> str:
    """Which row shows a saved action."""
    kind = str(action.get("type", ""))
    if kind != "assign":
        return kind
    mode = action.get("mode")
    if mode == "round_robin":
        return "assign_round_robin_team" if action.get("team_id") else "assign_round_robin"
    return f"assign_{mode}"


def rows_from_post(post: QueryDict) -> tuple[list[ConditionRow], list[ActionRow]]:
    """The rows posted, in order, without those ticked "remove"."""
    found: dict[str, list[int]] = {"cond": [], "act": []}
    for key in post:
        match = ROW.match(key)
        if match:
            found[match.group(1)].append(int(match.group(2)))
    conditions: list[ConditionRow] = []
    for index in sorted(set(found["cond"]))[:MAX_ROWS]:
        prefix = f"cond-{index}-"
        name = post.get(prefix + "field", "")
        if name not in FIELDS or post.get(prefix + "remove"):
            continue
        op = post.get(prefix + "op", "")
        conditions.append(ConditionRow(index, name, op, condition_value(name, op, post, prefix)))
    actions: list[ActionRow] = []
    for index in sorted(set(found["act"]))[:MAX_ROWS]:
        prefix = f"act-{index}-"
        kind = post.get(prefix + "kind", "")
        if kind not in ACTION_KINDS or post.get(prefix + "remove"):
            continue
        actions.append(ActionRow(index, kind, action_json(kind, post, prefix)))
    return conditions, actions


def rows_from_rule(rule: Rule) -> tuple[list[ConditionRow], list[ActionRow]]:
    conditions = [
        ConditionRow(i, str(c.get("field", "")), str(c.get("op", "")), c.get("value"))
        for i, c in enumerate(rule.conditions or [])
        if isinstance(c, dict)
    ]
    actions = [
        ActionRow(i, action_kind(a), dict(a))
        for i, a in enumerate(rule.actions or [])
        if isinstance(a, dict) and action_kind(a) in ACTION_KINDS
    ]
    return conditions, actions


def blank_condition(field_name: str, index: int | None = None) -> ConditionRow:
    ops = FIELDS[field_name]["ops"]
    value: Any = True if field_name == "business_hours" else None
    return ConditionRow(new_index() if index is None else index, field_name, ops[0], value)


def blank_action(kind: str, index: int | None = None) -> ActionRow:
    _label, kind_type, mode = ACTION_KINDS[kind]
    data: dict[str, Any] = {"type": kind_type, **({"mode": mode} if mode else {})}
    return ActionRow(new_index() if index is None else index, kind, data)


def check_rows(access: Access, conditions: list[ConditionRow], actions: list[ActionRow]) -> None:
    """Each row's own problems, from the rules' checks, shown beside the row."""
    for n, c_row in enumerate(conditions, start=1):
        c_row.errors = validate_condition(n, c_row.as_json(), access.workspace)
    for n, a_row in enumerate(actions, start=1):
        a_row.errors = validate_action(n, a_row.as_json(), access.workspace)


def choices(access: Access) -> dict[str, Any]:
    """What the rows' selects offer, all from this workspace."""
    workspace = access.workspace
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    everyone = sorted(
        ((m.user.pk, m.user.display_name) for m in members), key=lambda p: p[1].lower()
    )
    answer = PERMISSIONS["inbox.reply"]
    responders = sorted(
        ((m.user.pk, m.user.display_name) for m in members if m.role in answer),
        key=lambda p: p[1].lower(),
    )
    return {
        "fields": [(name, spec["label"]) for name, spec in FIELDS.items()],
        "action_kinds": [(key, spec[0]) for key, spec in ACTION_KINDS.items()],
        "channels": [(c.pk, str(c)) for c in Channel.objects.filter(workspace=workspace)],
        "kinds": list(Kind.choices),
        "sentiments": list(Sentiment.choices),
        "priorities": list(Priority.choices),
        "tags": list(Tag.objects.filter(workspace=workspace).values_list("name", flat=True)),
        "teams": [(t.pk, t.name) for t in Team.objects.filter(workspace=workspace)],
        "saved_replies": [
            (r.pk, f"{r.title} ({r.language})")
            for r in SavedReply.objects.filter(workspace=workspace)
        ],
        "everyone": everyone,
        "responders": responders,
    }
