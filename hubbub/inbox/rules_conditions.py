"""Rule conditions: what each one checks, and what makes one invalid.

A condition is {"field": …, "op": …, "value": …}:

| field         | op                                       | value                                 |
|---------------|------------------------------------------|---------------------------------------|
| channel       | in, not_in                               | channel ids of the workspace          |
| kind          | in, not_in                               | "comment", "mention", "message"       |
| keywords      | contains_any, contains_all, not_contains | words or phrases                      |
| language      | in, not_in                               | "en", "fr", …                         |
| sentiment     | in, not_in                               | "negative", "neutral", "positive"     |
| followers     | gte, lte                                 | a number                              |
| business_hours| is                                       | true (open) / false (closed)          |
| priority      | in, gte, lte                             | 0 low … 3 urgent (or a list, for in)  |
| tag           | has, has_not                             | a tag name                            |
| text_length   | gte, lte                                 | a number of characters                |

Keywords are matched on whole words, ignoring case and accents ("cafe" finds "Café"), and
apostrophes separate words, so "appli" finds "l'appli" and "aujourd'hui" finds itself. A
phrase ("not working") matches those words in a row; a final * matches the start of a word
("rembours*" finds "remboursement"); "#" and "@" are ignored ("#refund" is "refund"); an
emoji is a word of its own. followers: an author whose count the network did not give
matches neither gte nor lte — unknown is not "small". business_hours reads the response
policy's calendar (hubbub.inbox.sla) at the moment the message was written.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hubbub.core.models import Workspace
from hubbub.inbox.models import Kind, Priority, Sentiment
from hubbub.inbox.rules_context import ConversationState, MessageView, Run, fold, tokens
from hubbub.networks.models import Channel
from hubbub.nlp import sentiment as nlp_sentiment

FIELDS: dict[str, dict[str, Any]] = {
    "channel": {"label": gettext_lazy("Channel"), "ops": ("in", "not_in")},
    "kind": {"label": gettext_lazy("Message type"), "ops": ("in", "not_in")},
    "keywords": {
        "label": gettext_lazy("Keywords"),
        "ops": ("contains_any", "contains_all", "not_contains"),
    },
    "language": {"label": gettext_lazy("Language"), "ops": ("in", "not_in")},
    "sentiment": {"label": gettext_lazy("Sentiment"), "ops": ("in", "not_in")},
    "followers": {"label": gettext_lazy("Author's followers"), "ops": ("gte", "lte")},
    "business_hours": {"label": gettext_lazy("During business hours"), "ops": ("is",)},
    "priority": {"label": gettext_lazy("Priority"), "ops": ("in", "gte", "lte")},
    "tag": {"label": gettext_lazy("Tag"), "ops": ("has", "has_not")},
    "text_length": {"label": gettext_lazy("Length of the text"), "ops": ("gte", "lte")},
}
MAX_KEYWORDS = 200
MAX_KEYWORD_LENGTH = 200


# --- evaluation ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _keyword_tokens(keyword: str) -> tuple[str, ...]:
    """A rule's keyword as tokens: the same few keywords meet every message of a batch."""
    return tuple(tokens(keyword))


def _keyword_found(view: MessageView, keyword: str) -> bool:
    prefix = keyword.rstrip().endswith("*")
    words = _keyword_tokens(keyword)
    if not words:
        return False
    if len(words) == 1 and not prefix:
        return words[0] in view.token_set
    needle = " " + " ".join(words) + ("" if prefix else " ")
    return needle in view.joined_tokens


def _number(value: Any) -> int:
    return int(value)


def _sentiment_of(view: MessageView) -> str:
    message = view.message
    if message.sentiment:
        return message.sentiment
    # Ingestion stores it; a message from before that still gets one.
    return nlp_sentiment.analyze(message.text, message.language)[0]


def _compare(op: str, actual: int | None, value: Any) -> bool:
    if actual is None:
        return False
    if op == "gte":
        return actual >= _number(value)
    if op == "lte":
        return actual <= _number(value)
    values = value if isinstance(value, list) else [value]
    return actual in {_number(v) for v in values}


def _membership(op: str, actual: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    inside = actual in values
    return inside if op == "in" else not inside


def matches(
    condition: dict[str, Any], view: MessageView, state: ConversationState, run: Run
) -> bool:
    """Whether the message (and its conversation, as the rules left it) meets the condition.
    The condition has been validated; anything else does not match."""
    field, op, value = condition.get("field"), condition.get("op"), condition["value"]
    message = view.message
    if field == "channel":
        return _membership(str(op), message.channel_id, [_number(v) for v in value])
    if field == "kind":
        return _membership(str(op), message.kind, value)
    if field == "language":
        return _membership(str(op), message.language, value)
    if field == "sentiment":
        return _membership(str(op), _sentiment_of(view), value)
    if field == "keywords":
        found = (_keyword_found(view, keyword) for keyword in value)  # stops at the answer
        if op == "contains_any":
            return any(found)
        if op == "contains_all":
            return all(found)
        return not any(found)  # not_contains
    if field == "followers":
        identity = message.identity
        return _compare(str(op), identity.followers_count if identity else None, value)
    if field == "business_hours":
        return run.calendar().is_open(message.created_at) is bool(value)
    if field == "priority":
        return _compare(str(op), state.priority, value)
    if field == "tag":
        has = fold(" ".join(str(value).split())) in state.tags
        return has if op == "has" else not has
    if field == "text_length":
        return _compare(str(op), len(message.text), value)
    return False


# --- validation ------------------------------------------------------------------------------


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _check_channel(value: Any, workspace: Workspace | None) -> str | None:
    if not isinstance(value, list) or not value:
        return _("choose at least one channel.")
    if any(_int(v) is None for v in value):
        return _("channels are given by their numbers.")
    ids = [int(v) for v in value]
    if workspace is not None:
        known = set(
            Channel.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True)
        )
        missing = [str(i) for i in ids if i not in known]
        if missing:
            return _("no channel %(ids)s in this workspace; choose among its channels.") % {
                "ids": ", ".join(missing)
            }
    return None


def _check_choices(value: Any, choices: list[str], what: str) -> str | None:
    values = _strings(value)
    if not values:
        return _("choose at least one %(what)s among %(choices)s.") % {
            "what": what,
            "choices": ", ".join(choices),
        }
    unknown = [v for v in values if v not in choices]
    if unknown:
        return _("unknown %(what)s %(values)s; use %(choices)s.") % {
            "what": what,
            "values": ", ".join(repr(v) for v in unknown),
            "choices": ", ".join(choices),
        }
    return None


def _check_language(value: Any) -> str | None:
    values = _strings(value)
    if not values:
        return _("choose at least one language, e.g. en or fr.")
    bad = [
        v for v in values if not (2 <= len(v) <= 3 and v.isascii() and v.isalpha() and v.islower())
    ]
    if bad:
        return _("%(values)s is not a language code; write two letters, e.g. en, fr, es.") % {
            "values": ", ".join(repr(v) for v in bad)
        }
    return None


def _check_keywords(value: Any) -> str | None:
    values = _strings(value)
    if not values or not any(v.strip() for v in values):
        return _("give at least one word or phrase.")
    if len(values) > MAX_KEYWORDS:
        return _("at most %(max)s words or phrases per condition.") % {"max": MAX_KEYWORDS}
    for keyword in values:
        if len(keyword) > MAX_KEYWORD_LENGTH:
            return _("%(keyword)s… is too long: at most %(max)s characters.") % {
                "keyword": keyword[:30],
                "max": MAX_KEYWORD_LENGTH,
            }
        if keyword.strip() and not tokens(keyword):
            return _("%(keyword)s has no letter, digit or emoji to look for.") % {
                "keyword": repr(keyword)
            }
    return None


def _check_count(value: Any, what: str) -> str | None:
    number = _int(value)
    if number is None or number < 0:
        return _("give the %(what)s as a whole number, 0 or more.") % {"what": what}
    return None


def _check_priority(op: str, value: Any) -> str | None:
    values = value if op == "in" and isinstance(value, list) else [value]
    numbers = [_int(v) for v in values]
    if not values or any(n not in Priority.values for n in numbers):
        return _("priority is one of %(choices)s.") % {
            "choices": ", ".join(f"{v} ({label})" for v, label in Priority.choices)
        }
    return None


def _check_tag(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return _("name the tag.")
    return None


CHECKS: dict[str, Callable[[str, Any, Workspace | None], str | None]] = {
    "channel": lambda op, value, ws: _check_channel(value, ws),
    "kind": lambda op, value, ws: _check_choices(value, list(Kind.values), _("message type")),
    "language": lambda op, value, ws: _check_language(value),
    "sentiment": lambda op, value, ws: _check_choices(
        value, list(Sentiment.values), _("sentiment")
    ),
    "keywords": lambda op, value, ws: _check_keywords(value),
    "followers": lambda op, value, ws: _check_count(value, _("number of followers")),
    "business_hours": lambda op, value, ws: (
        None if isinstance(value, bool) else _("say true (open) or false (closed).")
    ),
    "priority": lambda op, value, ws: _check_priority(op, value),
    "tag": lambda op, value, ws: _check_tag(value),
    "text_length": lambda op, value, ws: _check_count(value, _("number of characters")),
}


def validate_condition(index: int, condition: Any, workspace: Workspace | None) -> list[str]:
    """What is wrong with the condition at 1-based `index`, as sentences saying what to fix."""
    where = _("Condition %(n)s") % {"n": index}
    if not isinstance(condition, dict):
        return [_("%(where)s: write it as {field, op, value}.") % {"where": where}]
    field = condition.get("field")
    if field not in FIELDS:
        return [
            _("%(where)s: unknown field %(field)s; use one of %(fields)s.")
            % {"where": where, "field": repr(field), "fields": ", ".join(FIELDS)}
        ]
    where = _("%(where)s (%(what)s)") % {"where": where, "what": FIELDS[field]["label"]}
    ops = FIELDS[field]["ops"]
    op = condition.get("op")
    if op not in ops:
        return [
            _("%(where)s: unknown operator %(op)s; use %(ops)s.")
            % {"where": where, "op": repr(op), "ops": ", ".join(ops)}
        ]
    if "value" not in condition or condition["value"] in (None, "", []):
        return [_("%(where)s: the value is missing.") % {"where": where}]
    problem = CHECKS[field](str(op), condition["value"], workspace)
    return [_("%(where)s: %(problem)s") % {"where": where, "problem": problem}] if problem else []
