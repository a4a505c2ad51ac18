"""Rule actions: doing them (or, in a dry run, saying what they would do), and what makes
one invalid.

An action is {"type": …, …}:

- {"type": "tag", "value": "billing"}: adds the tag (created if the workspace lacks it).
- {"type": "assign", "mode": "user", "user_id": 3} | {"mode": "team", "team_id": 2} |
  {"mode": "round_robin", "user_ids": [3, 4]} or {"mode": "round_robin", "team_id": 2} |
  {"mode": "on_duty"} (hubbub.inbox.coverage; several on duty share by round robin; nobody
  on duty: round robin among the moderators, else among everyone who may answer, and the
  hit says so). A conversation that already has an assignee (or, for "team", a team) keeps
  it: a customer's follow-up must not take the conversation away from whoever handles it.
  Round robin skips people who are inactive, no longer members, not allowed to answer, or
  absent; it goes to the next person by id after Rule.round_robin_last, so everyone gets a
  turn in order.
- {"type": "priority", "value": 0-3}.
- {"type": "auto_reply", "text": "…"} or {"saved_reply_id": 7} (the same saved reply in the
  customer's language when there is one): sent by hubbub.inbox.actions.auto_reply, at most
  once per conversation.
- {"type": "close_spam"}: closes the conversation and tags it "spam".
- {"type": "notify", "user_ids": [3]}: those members in-app and by e-mail, and the alert
  destinations subscribed to "inbox.rule_notify" (hubbub.notify.alerts).

Each action returns what it did as a dict for RuleHit.actions — the same dict whether it ran
or was simulated, so a preview can be compared with what happened; `describe()` turns one
into a sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.notifications import notify
from hubbub.core.permissions import PERMISSIONS
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation, Kind, Priority, SavedReply, Status, Tag, Team
from hubbub.inbox.rules_context import ConversationState, MessageView, RuleSpec, Run, fold
from hubbub.networks.base import Capability
from hubbub.networks.registry import connector_class

log = logging.getLogger(__name__)

TYPES: dict[str, Any] = {
    "tag": gettext_lazy("Add a tag"),
    "assign": gettext_lazy("Assign"),
    "priority": gettext_lazy("Set the priority"),
    "auto_reply": gettext_lazy("Reply automatically (once per conversation)"),
    "close_spam": gettext_lazy("Close as spam"),
    "notify": gettext_lazy("Notify"),
}
ASSIGN_MODES: dict[str, Any] = {
    "user": gettext_lazy("to a member"),
    "team": gettext_lazy("to a team"),
    "round_robin": gettext_lazy("in turn (round robin)"),
    "on_duty": gettext_lazy("to the person on duty"),
}
SPAM_TAG = "spam"
TAG_MAX = 60
REPLY_MAX = 5000
NOTIFY_EVENT = "inbox.rule_notify"

Done = dict[str, Any]
Action = dict[str, Any]


# --- helpers ---------------------------------------------------------------------------------


def _skip(action: Action, reason: str, **extra: Any) -> Done:
    done: Done = {"type": action["type"]}
    if "mode" in action:
        done["mode"] = action["mode"]
    return {**done, **extra, "skipped": reason}


def _tag_name(value: Any) -> str:
    return " ".join(str(value).split())


def _add_tag(name: str, state: ConversationState, run: Run) -> None:
    key = fold(name)
    if key in state.tags:
        return
    state.tags[key] = name
    state.changed.add("tags")
    if run.dry:
        return
    workspace = run.workspace
    tag = run.tag(name)
    if tag is None:
        try:
            with transaction.atomic():  # two workers may create it at once
                tag = Tag.objects.create(workspace=workspace, name=name)
        except IntegrityError:
            tag = Tag.objects.get(workspace=workspace, name__iexact=name)
        run.remember_tag(tag)
    if state.tag_ids is not None:
        state.tag_ids.add(tag.pk)
    if run.pending is not None:
        run.pending.tag_rows[(state.conversation.pk, tag.pk)] = None
    else:
        state.conversation.tags.add(tag)


def _update(state: ConversationState, run: Run, **fields: Any) -> None:
    """Write fields of the conversation (live only) and keep the object in step."""
    for name, value in fields.items():
        setattr(state.conversation, name, value)
    if run.pending is not None:
        run.pending.changed(state.conversation, fields)
    elif not run.dry:
        Conversation.objects.filter(pk=state.conversation.pk).update(**fields)


# --- tag, priority, close as spam ---------------------------------------------------------------


def do_tag(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    name = _tag_name(action["value"])
    _add_tag(name, state, run)
    return {"type": "tag", "value": name}


def do_priority(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    value = int(action["value"])
    if state.priority != value:
        state.priority = value
        state.changed.add("priority")
        _update(state, run, priority=value, updated_at=run.when(view.message))
    return {"type": "priority", "value": value}


def do_close_spam(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    at = run.when(view.message)
    _add_tag(SPAM_TAG, state, run)
    if state.status != Status.CLOSED:
        state.status = Status.CLOSED
        state.changed.add("closed")
        _update(
            state,
            run,
            status=Status.CLOSED,
            closed_at=at,
            updated_at=at,
            replying_user=None,
            replying_until=None,
        )
    return {"type": "close_spam"}


# --- assign --------------------------------------------------------------------------------------


def _next_in_turn(candidates: list[int], last: int | None) -> int:
    ordered = sorted(set(candidates))
    if last is not None:
        for candidate in ordered:
            if candidate > last:
                return candidate
    return ordered[0]


def _moderator_ids(workspace: Workspace, among: set[int]) -> list[int]:
    return list(
        Membership.objects.filter(
            workspace=workspace, role=Role.MODERATOR, user_id__in=among
        ).values_list("user_id", flat=True)
    )


def _take_turn(spec: RuleSpec, run: Run, candidates: list[int]) -> int:
    """The next person in turn; moves the rule's pointer (saved when live)."""
    if run.dry or spec.rule is None:
        last = run.last_assigned(spec)
    else:
        # Locked: two workers applying the same rule must not both pick the same person.
        from hubbub.inbox.models import Rule

        last = (
            Rule.objects.select_for_update()
            .filter(pk=spec.rule.pk)
            .values_list("round_robin_last_id", flat=True)
            .first()
        )
    chosen = _next_in_turn(candidates, last)
    run.round_robin[spec.key] = chosen
    if not run.dry and spec.rule is not None:
        from hubbub.inbox.models import Rule

        Rule.objects.filter(pk=spec.rule.pk).update(round_robin_last_id=chosen)
        spec.rule.round_robin_last_id = chosen
    return chosen


def _tell_assignee(user: User, spec: RuleSpec, state: ConversationState, run: Run) -> None:
    if run.dry:
        return
    from hubbub.inbox.actions_common import conversation_url, who

    conversation = state.conversation
    rule_name, name, workspace = spec.name, who(conversation), run.workspace
    url = conversation_url(conversation)

    def send() -> None:
        notify(
            [user],
            workspace,
            "inbox.assigned",
            lambda: (
                _("The rule %(rule)s assigned you the conversation with %(who)s.")
                % {"rule": rule_name, "who": name}
            ),
            url,
        )

    transaction.on_commit(send)


def do_assign(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    mode = action.get("mode")
    at = run.when(view.message)
    if mode == "team":
        if state.team_id is not None:
            return _skip(action, "already_assigned")
        team = Team.objects.filter(workspace=run.workspace, pk=int(action["team_id"])).first()
        if team is None:
            return _skip(action, "unavailable")
        state.team_id = team.pk
        state.changed.add("team")
        _update(state, run, team_id=team.pk, updated_at=at)
        return {"type": "assign", "mode": "team", "team_id": team.pk, "team": team.name}
    if state.assignee_id is not None:
        return _skip(action, "already_assigned")
    coverage = run.coverage(at)
    available = {i for i in coverage.members if not coverage.is_absent(i, at)}
    done: Done = {"type": "assign", "mode": mode}
    if mode == "user":
        chosen = int(action["user_id"])
        if chosen not in available:
            return _skip(action, "unavailable", user_id=chosen)
    else:
        if mode == "on_duty":
            candidates = [u.pk for u in coverage.on_duty(at)]
            if not candidates:
                candidates = _moderator_ids(run.workspace, available)
                done["fallback"] = "moderators"
                if not candidates:
                    candidates = sorted(available)
                    done["fallback"] = "members"
        elif action.get("team_id"):
            candidates = list(
                Team.objects.filter(workspace=run.workspace, pk=action["team_id"]).values_list(
                    "members", flat=True
                )
            )
        else:
            candidates = [int(i) for i in action.get("user_ids") or []]
        candidates = [c for c in candidates if c in available]
        if not candidates:
            return _skip(action, "nobody_available")
        chosen = _take_turn(spec, run, candidates)
    user = coverage.members[chosen]
    state.assignee_id = chosen
    state.changed.add("assignee")
    _update(state, run, assignee_id=chosen, updated_at=at)
    _tell_assignee(user, spec, state, run)
    return {**done, "user_id": chosen, "user": user.display_name}


# --- auto-reply ----------------------------------------------------------------------------------


def cannot_reply(conversation: Conversation) -> bool:
    """Whether an auto-reply is impossible on this conversation's channel (disconnected, or
    the network takes no replies / direct messages from Hubbub) — the checks
    hubbub.inbox.actions.auto_reply makes, so that a preview says the same."""
    channel = conversation.channel
    if not channel.is_connected:
        return True
    try:
        capabilities = connector_class(channel.network).capabilities
    except Exception:  # an unknown network: nothing can be sent there
        return True
    needed = Capability.DIRECT_MESSAGES if conversation.kind == Kind.MESSAGE else Capability.REPLY
    return needed not in capabilities


def _reply_text(
    action: Action, view: MessageView, state: ConversationState, run: Run
) -> str | None:
    if action.get("text"):
        return str(action["text"])
    reply = SavedReply.objects.filter(
        workspace=run.workspace, pk=int(action["saved_reply_id"])
    ).first()
    if reply is None:
        return None
    from hubbub.inbox.saved_replies import language_for, pick_saved_reply

    language = view.message.language or language_for(state.conversation)
    chosen = pick_saved_reply(run.workspace, reply.title, language) or reply
    return chosen.text


def do_auto_reply(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    if state.auto_replied:
        return _skip(action, "already_replied")
    text = _reply_text(action, view, state, run)
    if text is None:
        return _skip(action, "saved_reply_missing")
    conversation = state.conversation
    if cannot_reply(conversation):
        return _skip(action, "cannot_reply")
    from hubbub.inbox.saved_replies import render

    rendered = render(text, conversation, None).strip()
    if not run.dry:
        from hubbub.inbox.actions import auto_reply

        assert spec.rule is not None  # live runs apply saved rules only
        if run.pending is not None:
            run.pending.flush()  # auto_reply reads the conversation as the database has it
        if auto_reply(conversation, text, spec.rule) is None:
            replied = (
                Conversation.objects.filter(pk=conversation.pk, auto_replied_at__isnull=False)
            ).exists()
            state.auto_replied = replied
            return _skip(action, "already_replied" if replied else "cannot_reply")
    state.auto_replied = True
    return {"type": "auto_reply", "text": rendered}


# --- notify --------------------------------------------------------------------------------------


def do_notify(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    ids = [int(i) for i in action.get("user_ids") or []]
    users = list(
        User.objects.filter(
            pk__in=ids, is_active=True, memberships__workspace=run.workspace
        ).order_by("pk")
    )
    done = {
        "type": "notify",
        "user_ids": [u.pk for u in users],
        "users": [u.display_name for u in users],
    }
    if run.dry:
        return done
    from hubbub.inbox.actions_common import conversation_url, who
    from hubbub.inbox.text import excerpt

    rule_name, name = spec.name, who(state.conversation)
    quote = excerpt(view.message.text, 200)
    url, workspace = conversation_url(state.conversation), run.workspace

    def text() -> str:
        return _("Rule %(rule)s: %(who)s wrote “%(text)s”") % {
            "rule": rule_name,
            "who": name,
            "text": quote,
        }

    def send() -> None:
        from hubbub.notify.alerts import send as send_alert

        send_alert(workspace, NOTIFY_EVENT, text, url, users)

    transaction.on_commit(send)
    return done


PERFORM: dict[str, Callable[[Action, RuleSpec, MessageView, ConversationState, Run], Done]] = {
    "tag": do_tag,
    "assign": do_assign,
    "priority": do_priority,
    "auto_reply": do_auto_reply,
    "close_spam": do_close_spam,
    "notify": do_notify,
}


def perform(
    action: Action, spec: RuleSpec, view: MessageView, state: ConversationState, run: Run
) -> Done:
    return PERFORM[action["type"]](action, spec, view, state, run)


# --- describing what was done ---------------------------------------------------------------------


def describe(done: Done) -> str:
    """One done (or would-be) action as a sentence, for the conversation's history and the
    preview."""
    kind, skipped = done.get("type"), done.get("skipped")
    if kind == "tag":
        return _("Tagged %(tag)s") % {"tag": done.get("value", "")}
    if kind == "priority":
        value = done.get("value")
        label = dict(Priority.choices).get(value, value) if isinstance(value, int) else value
        return _("Priority set to %(priority)s") % {"priority": label}
    if kind == "close_spam":
        return _("Closed as spam")
    if kind == "notify":
        people = ", ".join(done.get("users") or [])
        if people:
            return _("Notified %(people)s and the alert destinations") % {"people": people}
        return _("Notified the alert destinations")
    if kind == "auto_reply":
        if skipped == "already_replied":
            return _("No automatic reply: this conversation already had one")
        if skipped == "cannot_reply":
            return _("No automatic reply: Hubbub cannot reply on this channel")
        if skipped == "saved_reply_missing":
            return _("No automatic reply: the saved reply was deleted")
        return _("Replied automatically: %(text)s") % {"text": done.get("text", "")}
    if kind == "assign":
        if skipped == "already_assigned":
            return _("Not reassigned: the conversation already had an assignee")
        if skipped == "unavailable":
            return _("Not assigned: that member or team is not available")
        if skipped == "nobody_available":
            return _("Not assigned: nobody available")
        if done.get("mode") == "team":
            return _("Assigned to the team %(team)s") % {"team": done.get("team", "")}
        if done.get("fallback") == "moderators":
            return _("Assigned to %(user)s (nobody on duty: in turn among the moderators)") % {
                "user": done.get("user", "")
            }
        if done.get("fallback") == "members":
            return _("Assigned to %(user)s (nobody on duty: in turn among the members)") % {
                "user": done.get("user", "")
            }
        return _("Assigned to %(user)s") % {"user": done.get("user", "")}
    return str(kind)


# --- validation ----------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _people_problem(ids: Any, workspace: Workspace | None, must_answer: bool) -> str | None:
    """What is wrong with a list of user ids (None: nothing)."""
    if not isinstance(ids, list) or any(_int(i) is None for i in ids):
        return _("give the people as a list of member numbers.")
    if workspace is None:
        return None
    wanted = [int(i) for i in ids]
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace=workspace, user_id__in=wanted).select_related(
            "user"
        )
    }
    for user_id in wanted:
        membership = members.get(user_id)
        if membership is None:
            return _("user %(id)s is not a member of this workspace.") % {"id": user_id}
        if not membership.user.is_active:
            return _("%(who)s's account is deactivated.") % {"who": membership.user.display_name}
        if must_answer and membership.role not in PERMISSIONS["inbox.reply"]:
            return _("%(who)s's role (%(role)s) cannot answer conversations.") % {
                "who": membership.user.display_name,
                "role": Role(membership.role).label,
            }
    return None


def _team_problem(team_id: Any, workspace: Workspace | None) -> str | None:
    number = _int(team_id)
    if number is None:
        return _("choose a team.")
    if workspace is not None and not Team.objects.filter(workspace=workspace, pk=number).exists():
        return _("there is no team %(id)s in this workspace.") % {"id": team_id}
    return None


def _check_assign(action: Action, workspace: Workspace | None) -> str | None:
    mode = action.get("mode")
    if mode not in ASSIGN_MODES:
        return _("choose how to assign: %(modes)s.") % {"modes": ", ".join(ASSIGN_MODES)}
    if mode == "user":
        if _int(action.get("user_id")) is None:
            return _("choose the member to assign.")
        return _people_problem([action["user_id"]], workspace, must_answer=True)
    if mode == "team":
        return _team_problem(action.get("team_id"), workspace)
    if mode == "round_robin":
        if action.get("team_id"):
            return _team_problem(action["team_id"], workspace)
        ids = action.get("user_ids")
        if not ids:
            return _("choose the members who take turns, or a team.")
        return _people_problem(ids, workspace, must_answer=True)
    return None  # on_duty: the rota decides


def _check_auto_reply(action: Action, workspace: Workspace | None) -> str | None:
    text, saved = action.get("text"), action.get("saved_reply_id")
    if text and saved:
        return _("give either a text or a saved reply, not both.")
    if saved:
        number = _int(saved)
        if number is None:
            return _("choose a saved reply.")
        if (
            workspace is not None
            and not SavedReply.objects.filter(workspace=workspace, pk=number).exists()
        ):
            return _("there is no saved reply %(id)s in this workspace.") % {"id": saved}
        return None
    if not isinstance(text, str) or not text.strip():
        return _("write the reply, or choose a saved reply.")
    if len(text) > REPLY_MAX:
        return _("the reply is %(n)s characters long; keep it to %(max)s.") % {
            "n": len(text),
            "max": REPLY_MAX,
        }
    return None


def _check_tag(action: Action) -> str | None:
    name = _tag_name(action.get("value") or "")
    if not name:
        return _("name the tag to add.")
    if len(name) > TAG_MAX:
        return _("a tag is at most %(max)s characters long.") % {"max": TAG_MAX}
    return None


def _check_priority(action: Action) -> str | None:
    if _int(action.get("value")) not in Priority.values:
        return _("priority is one of %(choices)s.") % {
            "choices": ", ".join(f"{v} ({label})" for v, label in Priority.choices)
        }
    return None


CHECKS: dict[str, Callable[[Action, Workspace | None], str | None]] = {
    "tag": lambda action, ws: _check_tag(action),
    "assign": _check_assign,
    "priority": lambda action, ws: _check_priority(action),
    "auto_reply": _check_auto_reply,
    "close_spam": lambda action, ws: None,
    "notify": lambda action, ws: _people_problem(action.get("user_ids") or [], ws, False),
}
ONCE = ("assign", "priority", "auto_reply", "close_spam")  # twice in one rule contradicts


def validate_action(index: int, action: Any, workspace: Workspace | None) -> list[str]:
    where = _("Action %(n)s") % {"n": index}
    if not isinstance(action, dict):
        return [_("%(where)s: write it as {type, …}.") % {"where": where}]
    kind = action.get("type")
    if kind not in TYPES:
        return [
            _("%(where)s: unknown action %(type)s; use one of %(types)s.")
            % {"where": where, "type": repr(kind), "types": ", ".join(TYPES)}
        ]
    problem = CHECKS[kind](action, workspace)
    where = _("%(where)s (%(what)s)") % {"where": where, "what": TYPES[kind]}
    return [_("%(where)s: %(problem)s") % {"where": where, "problem": problem}] if problem else []


def validate_actions(actions: Any, workspace: Workspace | None) -> list[str]:
    if not isinstance(actions, list) or not actions:
        return [_("Add at least one action: what should the rule do?")]
    errors: list[str] = []
    for index, action in enumerate(actions, start=1):
        errors += validate_action(index, action, workspace)
    kinds = [a.get("type") for a in actions if isinstance(a, dict)]
    for kind in ONCE:
        if kinds.count(kind) > 1:
            errors.append(
                _("%(action)s appears %(n)s times; keep one.")
                % {"action": TYPES[kind], "n": kinds.count(kind)}
            )
    return errors
