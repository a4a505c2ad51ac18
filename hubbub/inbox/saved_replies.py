"""Saved replies: filling their placeholders, and picking the one in the customer's language.

Placeholders are {first_name}, {name}, {handle} (the customer), {agent} (who answers) and
{channel} (the network). Anything else in braces is left exactly as typed: a saved reply
with "{order number}" or a stray "{" must never fail to send.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, SavedReply

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def values(conversation: Conversation, agent: User | None) -> dict[str, Callable[[], str]]:
    """What each placeholder becomes (computed only when the text uses it)."""
    identity = conversation.identity
    customer = conversation.customer

    def name() -> str:
        if customer is not None and customer.name.strip():
            return customer.name.strip()
        if identity is not None:
            return identity.name.strip() or identity.handle
        return ""

    def first_name() -> str:
        if customer is not None and customer.name.strip():
            return customer.name.split()[0]
        return identity.first_name if identity is not None else ""

    def agent_name() -> str:
        # A rule's auto-reply has no agent: it speaks for the brand.
        return agent.display_name if agent is not None else conversation.workspace.name

    return {
        "first_name": first_name,
        "name": name,
        "handle": lambda: identity.handle if identity is not None else "",
        "agent": agent_name,
        "channel": lambda: conversation.channel.network_label,
    }


def render(text: str, conversation: Conversation, agent: User | None) -> str:
    """The text with its known placeholders filled; unknown ones are kept as typed."""
    known = values(conversation, agent)

    def fill(match: re.Match[str]) -> str:
        value = known.get(match.group(1))
        return value() if value is not None else match.group(0)

    return PLACEHOLDER.sub(fill, text)


def pick_saved_reply(workspace: Workspace, title: str, language: str) -> SavedReply | None:
    """The saved reply called `title` in `language` ("fr", "en"; a regional tag such as
    "fr-CA" counts as "fr"), else the same reply in another language (the workspace's own
    first), else None."""
    replies = list(SavedReply.objects.filter(workspace=workspace, title=title))
    if not replies:
        return None
    wanted = (language or "").split("-")[0].lower()
    order = [wanted, workspace.language, *(code for code, _name in settings.LANGUAGES)]
    for code in order:
        for reply in replies:
            if reply.language == code:
                return reply
    return replies[0]


def language_for(conversation: Conversation) -> str:
    """The language to answer in: the customer's latest message's, else the workspace's."""
    return conversation.language or conversation.workspace.language
