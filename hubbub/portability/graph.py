"""The model graph of a workspace: every concrete model, how its rows reach their workspace,
and the order to load them in.

Nothing here lists the workspace's models by hand: a model is exported when a chain of
foreign keys leads from it to core.Workspace (a direct `workspace`, or e.g. PostSnapshot →
delivery → workspace, CampaignBudget → campaign → workspace). What is left out is listed in
EXCLUDED with the reason, and tests/portability/test_graph.py fails for a model that is
neither, so a model added later is exported or excluded on purpose, never forgotten.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models

WORKSPACE = "core.Workspace"

# Install-wide models: not a workspace's data. Keyed by app label and model name.
EXCLUDED: dict[str, str] = {
    "auth.Permission": "Django's permission table, the same in every install (hubbub migrate).",
    "auth.Group": "Unused by Hubbub: people's rights are their workspace memberships.",
    "contenttypes.ContentType": "Django's model table, the same in every install.",
    "sessions.Session": "Sign-in sessions of this install: people sign in again after a move.",
    "accounts.SignInLink": "One-time sign-in links valid for hours, issued again when needed.",
    "networks.OAuthApp": (
        "Hubbub's registration on a Mastodon server, tied to this install's address "
        "(HUBBUB_BASE_URL); the other install registers itself when a channel is reconnected."
    ),
}

# Unique columns other than keys. Each holds the hash of a secret link or token, or a random
# id; when the target install already has the value (a second copy of a workspace on the same
# install), the row gets a fresh random value: the copy must not answer the original's links.
FRESH_ON_CLASH: frozenset[tuple[str, str]] = frozenset(
    {
        ("core.Invitation", "token_hash"),
        ("core.ApiToken", "token_hash"),
        ("publishing.ReviewLink", "token_hash"),
        ("publishing.WorkspacePublishing", "ical_token"),
        ("webhooks.WebhookMessage", "webhook_id"),
    }
)
# Unique columns that the import handles on their own: the slug (--slug) and the e-mail
# address (an existing account with it is reused).
HANDLED_UNIQUE: frozenset[tuple[str, str]] = frozenset(
    {(WORKSPACE, "slug"), ("accounts.User", "email")}
)

# Paths relative to MEDIA_ROOT, always "<workspace slug>/…": rewritten when the workspace is
# imported under another slug. (No model has a FileField: files are stored by hand.)
MEDIA_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {("publishing.PostMedia", "path"), ("core.Brand", "logo")}
)

# Models whose JSON or text columns hold ids of other rows (references.py rewrites them):
# those models must be loaded first. "*" means every other model (the audit log names any).
JSON_REFERENCES: dict[str, tuple[str, ...]] = {
    "inbox.Rule": ("networks.Channel", "inbox.Team", "inbox.SavedReply"),
    "inbox.SavedView": ("networks.Channel", "inbox.Team", "inbox.Tag", "inbox.Customer"),
    "core.AuditEntry": ("*",),
}


class GraphError(Exception):
    """A model the export cannot place: a programming error, caught by the tests."""


def user_label() -> str:
    return str(apps.get_model(settings.AUTH_USER_MODEL)._meta.label)


@dataclass(frozen=True)
class Node:
    model: type[models.Model]
    # The lookup from a row to its workspace ("workspace", "delivery__workspace"); "pk" for
    # the workspace itself, "" for the users (exported as the members and the people rows
    # name, see export.py).
    path: str

    @property
    def label(self) -> str:
        return str(self.model._meta.label)

    @property
    def file_name(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}.jsonl"


def relations(model: type[models.Model]) -> list[models.ForeignKey[models.Model, models.Model]]:
    """The model's own foreign keys and one-to-one fields (the primary key included, as in
    CampaignBudget), in declaration order."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)  # OneToOneField is one
    ]


def many_to_many(
    model: type[models.Model],
) -> list[models.ManyToManyField[models.Model, models.Model]]:
    return [
        field
        for field in model._meta.local_many_to_many
        if isinstance(field, models.ManyToManyField)
    ]


def _path_to_workspace(model: type[models.Model], nullable: bool) -> str | None:
    """The shortest chain of foreign keys to core.Workspace, never through a user (users
    belong to several workspaces) nor an excluded model. Breadth-first, fields in
    declaration order, so a direct `workspace` always wins."""
    user = user_label()
    queue: deque[tuple[type[models.Model], str]] = deque([(model, "")])
    seen = {model._meta.label}
    while queue:
        current, path = queue.popleft()
        for field in relations(current):
            if field.null and not nullable:
                continue
            target = field.related_model
            assert isinstance(target, type)
            label = target._meta.label
            step = f"{path}__{field.name}" if path else field.name
            if label == WORKSPACE:
                return step
            if label in seen or label == user or label in EXCLUDED:
                continue
            seen.add(label)
            queue.append((target, step))
    return None


def workspace_path(model: type[models.Model]) -> str | None:
    # A chain of required keys first: a row always has it, and only the workspace's rows match.
    return _path_to_workspace(model, nullable=False) or _path_to_workspace(model, nullable=True)


def unclassified() -> list[str]:
    """Models neither exported (no way to their workspace) nor excluded: each must be one."""
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if label in EXCLUDED or label in (WORKSPACE, user_label()):
            continue
        if workspace_path(model) is None:
            missing.append(label)
    return missing


def _dependencies(model: type[models.Model], exported: set[str]) -> set[str]:
    label = model._meta.label
    deps = {
        field.related_model._meta.label  # type: ignore[union-attr]
        for field in [*relations(model), *many_to_many(model)]
    }
    extra = JSON_REFERENCES.get(label, ())
    deps |= exported if "*" in extra else set(extra)
    deps.discard(label)  # a self-reference is loaded in a second pass (restore.py)
    return deps & exported


@cache
def plan() -> tuple[Node, ...]:
    """Every exported model, in an order where what a row points to is loaded before it:
    the users, the workspace, then the rest (topological over foreign keys, many-to-many
    and JSON_REFERENCES). A cycle is broken at a nullable key, which restore.py fills in
    after every row is in."""
    missing = unclassified()
    if missing:
        raise GraphError(
            "These models are neither exported nor excluded: "
            + ", ".join(missing)
            + ". Give them a foreign key to their workspace or list them in "
            "hubbub.portability.graph.EXCLUDED with the reason."
        )
    user = user_label()
    nodes: dict[str, Node] = {user: Node(apps.get_model(user), "")}
    nodes[WORKSPACE] = Node(apps.get_model(WORKSPACE), "pk")
    for model in apps.get_models():
        label = model._meta.label
        if label not in EXCLUDED and label not in nodes:
            path = workspace_path(model)
            assert path is not None
            nodes[label] = Node(model, path)
    exported = set(nodes)
    deps = {label: _dependencies(node.model, exported) for label, node in nodes.items()}
    deps[user] = set()  # User.last_workspace is nullable: filled in the second pass
    deps[WORKSPACE] = {user}
    order: list[str] = []
    remaining = list(nodes)
    while remaining:
        ready = [label for label in remaining if not deps[label] - set(order)]
        if not ready:
            ready = [_break_cycle(remaining, deps, nodes, set(order))]
        order.extend(ready)
        remaining = [label for label in remaining if label not in ready]
    return tuple(nodes[label] for label in order)


def _break_cycle(
    remaining: list[str], deps: dict[str, set[str]], nodes: dict[str, Node], done: set[str]
) -> str:
    """The first model whose unmet dependencies are all through nullable keys."""
    for label in remaining:
        unmet = deps[label] - done
        required = {
            field.related_model._meta.label  # type: ignore[union-attr]
            for field in relations(nodes[label].model)
            if not field.null
        }
        if not unmet & required and not (set(JSON_REFERENCES.get(label, ())) & unmet):
            return label
    raise GraphError(f"No order loads these models: {', '.join(remaining)}.")


def node(label: str) -> Node:
    for found in plan():
        if found.label == label:
            return found
    raise KeyError(label)


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """Columns holding secrets encrypted with the install's key (hubbub.core.crypto): by
    convention their names end in `_encrypted`."""
    return [f.name for f in model._meta.concrete_fields if f.name.endswith("_encrypted")]
