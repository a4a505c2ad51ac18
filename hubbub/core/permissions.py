"""The one table of who may do what. Every view, API endpoint and CLI action asks it.

Permissions are plain strings "<area>.<verb>". Later capabilities add their rows here, so
the whole policy stays readable in one place (and tests iterate over it).
"""

from __future__ import annotations

from hubbub.core.roles import Role

OWN, MAN, EDI, MOD, ANA, CLI = (
    Role.OWNER,
    Role.MANAGER,
    Role.EDITOR,
    Role.MODERATOR,
    Role.ANALYST,
    Role.CLIENT_VIEWER,
)
EVERYONE = frozenset({OWN, MAN, EDI, MOD, ANA, CLI})

PERMISSIONS: dict[str, frozenset[str]] = {
    # workspace
    "workspace.view": EVERYONE,
    "workspace.edit": frozenset({OWN, MAN}),
    "workspace.delete": frozenset({OWN}),
    # members
    "members.view": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "members.invite": frozenset({OWN, MAN}),
    "members.change_role": frozenset({OWN, MAN}),
    "members.remove": frozenset({OWN, MAN}),
    # channels
    "channels.view": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "channels.connect": frozenset({OWN, MAN}),
    "channels.disconnect": frozenset({OWN, MAN}),
    # publishing: editors write, schedule and cancel their own posts (posts.edit_any: anyone's)
    "posts.view": EVERYONE,
    "posts.create": frozenset({OWN, MAN, EDI}),
    "posts.edit": frozenset({OWN, MAN, EDI}),
    "posts.edit_any": frozenset({OWN, MAN}),
    "posts.schedule": frozenset({OWN, MAN, EDI}),
    "posts.cancel": frozenset({OWN, MAN, EDI}),
    "publishing.pause": frozenset({OWN, MAN}),
    # approvals: who approves a given post is named by the workflow's steps (roles or people);
    # this row only says which roles may ever be named.
    "posts.approve": EVERYONE,
    "posts.share_review": frozenset({OWN, MAN, EDI}),  # external reviewer links
    "approvals.manage": frozenset({OWN, MAN}),  # the workflow, approved hours
    "queue.manage": frozenset({OWN, MAN}),  # channels' weekly queue slots
    "campaigns.manage": frozenset({OWN, MAN}),
    "webhooks.manage": frozenset({OWN, MAN}),
    # inbox: moderators answer the public; analysts read conversations and reports
    "inbox.view": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "inbox.reply": frozenset({OWN, MAN, EDI, MOD}),  # reply, assign, tag, status, notes
    "inbox.moderate": frozenset({OWN, MAN, MOD}),  # hide or delete on the network
    "inbox.configure": frozenset({OWN, MAN}),  # targets, rules, saved replies, rota, teams
    "inbox.reports": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "alerts.manage": frozenset({OWN, MAN}),
    # listening: everyone but the client reads mentions and charts; analysts and moderators
    # correct sentiment and turn mentions into conversations; owners and managers set up
    # queries and sources and are the ones alerts are for
    "listening.view": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "listening.triage": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "listening.configure": frozenset({OWN, MAN}),  # alert destinations (Slack, Matrix, e-mail)
    # measure: reports are for everyone, clients included (what agencies send them)
    "measure.view": EVERYONE,
    # e-mailing reports on schedule (to members and outside addresses) and the brand they
    # carry are decided by those who answer for what the workspace sends out
    "measure.report": frozenset({OWN, MAN, ANA}),
    # curate and create: everyone but the client reads feeds, the library and suggestions;
    # those who write posts subscribe to feeds and add to the library; what binds everyone
    # (approved library content, personas, templates, guardrails, links) is set by those who
    # answer for the brand
    "curation.view": frozenset({OWN, MAN, EDI, MOD, ANA}),
    "curation.edit": frozenset({OWN, MAN, EDI}),
    "library.approve": frozenset({OWN, MAN}),
    "personas.manage": frozenset({OWN, MAN}),
    "graphics.manage": frozenset({OWN, MAN}),
    "guardrails.manage": frozenset({OWN, MAN}),
    "links.manage": frozenset({OWN, MAN}),
    # governance
    "audit.view": frozenset({OWN}),
    "tokens.manage": frozenset({OWN, MAN, EDI, MOD, ANA}),
}


class UnknownPermission(KeyError):
    pass


def role_can(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        # ANA typo must fail loudly in tests, never silently deny or allow.
        raise UnknownPermission(permission) from None


def permissions_of(role: str) -> list[str]:
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)
