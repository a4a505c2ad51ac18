"""The inbox part of `hubbub demo`: response targets, tags, a team, saved replies, a rota,
saved views, a rules set, and ten days of conversations (hubbub.inbox.demo_scripts).

Settings are made through the same actions people use (the audit log shows them). The
conversations come in through ingestion itself (hubbub.inbox.ingest.ingest), as a poll
would bring them, so their targets, language and sentiment are computed by the real code;
what the team did next (answers, closing, assignment, tags, notes) is seed data written
with the times it happened, as hubbub.core.demo writes the publishing calendar.

Nothing here sends anything. Answers are outbound messages with no Post or Delivery (a demo
channel has no account to publish with); the rules are created after the conversations are
in, so they act on none of them, and the after-hours auto-reply rule is created disabled.
Demo channels (config {"demo": true}) are never polled (hubbub.inbox.polling._pollable).

Safe to rerun: each part is made only when the workspace does not have it yet.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import sla
from hubbub.inbox.actions import (
    link_identity,
    mentioned,
    save_reply,
    save_tag,
    save_team,
    save_view,
    update_customer,
)
from hubbub.inbox.business_hours import Calendar
from hubbub.inbox.coverage import local_instant
from hubbub.inbox.coverage_admin import save_absence, save_shift
from hubbub.inbox.demo_scripts import (
    PEOPLE,
    SCRIPTS,
    SERVERS,
    TAG_COLOURS,
    TAGS,
    TEAM,
    Pair,
    Script,
)
from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import (
    Conversation,
    Direction,
    Identity,
    Message,
    Note,
    Rule,
    SavedReply,
    SavedView,
    Shift,
    Status,
    Tag,
    TargetOverride,
    Team,
)
from hubbub.inbox.policy_admin import OverrideInput, add_holiday, save_override, save_policy
from hubbub.inbox.rules_admin import save_rule
from hubbub.inbox.saved_replies import render
from hubbub.networks.incoming import Author, Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models import Delivery, DeliveryStatus, PostKind
from hubbub.publishing.models.deliveries import ref_from_json

log = logging.getLogger(__name__)

HOURS = {str(day): [["09:00", "18:00"]] for day in range(1, 6)}  # Monday to Friday
FIRST_RESPONSE, RESOLUTION, WARN = 60, 8 * 60, 15
NEGATIVE_FIRST_RESPONSE = 30
HOLIDAYS: dict[str, list[tuple[int, int, str]]] = {
    "en": [(1, 1, "New Year's Day"), (7, 4, "Independence Day"), (12, 25, "Christmas Day")],
    "fr": [
        (1, 1, "Jour de l'an"),
        (5, 1, "Fête du Travail"),
        (7, 14, "Fête nationale"),
        (12, 25, "Noël"),
    ],
}

# Saved replies: a title per workspace language, then the text in English and in French (the
# same title in both languages makes the pair the inbox picks from).
REPLIES: dict[str, tuple[Pair, Pair]] = {
    "thanks": (
        ("Thanks for the love", "Merci pour le compliment"),
        (
            "Thank you so much, {first_name}! That made the whole roastery smile. ☕ — {agent}",
            "Merci beaucoup, {first_name} ! Toute la brûlerie a souri. ☕ — {agent}",
        ),
    ),
    "order": (
        ("Looking into your order", "Suivi de commande"),
        (
            "Hi {first_name}, I'm sorry about this. Could you send us your order number in a "
            "direct message? I'll look into it right away. — {agent}",
            "Bonjour {first_name}, désolé·e pour ce souci. Pouvez-vous nous envoyer votre "
            "numéro de commande en message privé ? Je m'en occupe tout de suite. — {agent}",
        ),
    ),
    "after_hours": (
        ("After hours", "Hors horaires"),
        (
            "Hi {first_name}, thanks for your message! Our team is offline right now: we answer "
            "Monday to Friday, 9 am to 6 pm, and will get back to you first thing.",
            "Bonjour {first_name}, merci pour votre message ! L'équipe est absente pour le "
            "moment : nous répondons du lundi au vendredi, de 9 h à 18 h, et revenons vers vous "
            "dès l'ouverture.",
        ),
    ),
}
VIEWS: list[tuple[Pair, str]] = [
    (("My open conversations", "Mes conversations ouvertes"), "status=open&assignee=me"),
    (("Past due", "En retard"), "due=breached"),
]
ABSENCE_NOTE: Pair = ("Coffee expo in Chicago", "Salon du café à Paris")
CUSTOMER_NOTE: Pair = (
    "Owns the Little Fern café; wholesale lead (about 10 kg a week).",
    "Gérante du café La Fougère ; piste pour la vente aux pros (environ 10 kg par semaine).",
)


def fill_inbox(workspace: Workspace, owner: User) -> None:
    """Called by hubbub.core.demo.create_demo for each demo workspace.

    The inbox is filled once create_demo's transaction has committed: ingestion runs the
    response-time targets and the rules after its own commit, and inside create_demo's one
    transaction they would all wait until its end, after the demo's rules exist (which must
    act on none of the demo's messages). Outside any transaction each ingestion commits and
    runs them at once, exactly as a poll does."""
    transaction.on_commit(lambda: create_inbox(workspace, owner))


@dataclass
class Demo:
    workspace: Workspace
    lang: int  # index into the pairs: 0 English, 1 French
    now: datetime
    calendar: Calendar
    channels: dict[str, Channel]
    members: dict[str, User]  # by role
    owner: Access
    tags: dict[str, Tag]
    team: Team

    @property
    def today(self) -> date:
        return self.now.astimezone(self.workspace.tz).date()

    def at(self, day: date, hhmm: str) -> datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        return local_instant(day, time(hours, minutes), self.workspace.tz)


def create_inbox(workspace: Workspace, owner: User, now: datetime | None = None) -> None:
    """Fill the demo workspace's inbox (each part only if missing; see the docstring)."""
    now = now or timezone.now()
    access = Access(user=owner, workspace=workspace, role=Role.OWNER, via="cli")
    lang = 1 if workspace.language == "fr" else 0
    members = _members(workspace, owner)
    _policy(access, lang, now)
    tags = _tags(access, lang)
    team = _team(access, lang, members)
    replies = _saved_replies(access, lang)
    _rota(access, lang, members, now)
    _views(access, lang)
    channels = {
        c.network: c
        for c in Channel.objects.filter(workspace=workspace, config__demo=True).order_by("pk")
    }
    demo = Demo(
        workspace, lang, now, sla.calendar_for(workspace), channels, members, access, tags, team
    )
    if channels and not Conversation.objects.filter(channel__in=channels.values()).exists():
        for script in SCRIPTS:
            _play(demo, script)
        _link_customer(demo, "priya")
        # What the minute's check would have recorded by now: the breach of the old
        # unanswered conversation (and its alert, to its assignee).
        sla.check_targets(now)
    if not Rule.objects.filter(workspace=workspace).exists():
        _rules(access, lang, tags, replies)


# --- settings ------------------------------------------------------------------------------


def _members(workspace: Workspace, owner: User) -> dict[str, User]:
    found: dict[str, User] = {}
    for membership in Membership.objects.filter(workspace=workspace).select_related("user"):
        found.setdefault(membership.role, membership.user)
    return {role: found.get(role, owner) for role in (Role.MANAGER, Role.EDITOR, Role.MODERATOR)}


def _policy(access: Access, lang: int, now: datetime) -> None:
    """Monday to Friday 9:00 to 18:00; 1 h to answer, 8 h to resolve; 30 min to answer an
    unhappy customer; the country's main public holidays."""
    workspace = access.workspace
    if TargetOverride.objects.filter(policy__workspace=workspace).exists():
        return
    save_policy(
        access,
        time_zone="",
        hours=HOURS,
        business_hours_only=True,
        first_response_minutes=FIRST_RESPONSE,
        resolution_minutes=RESOLUTION,
        warn_before_minutes=WARN,
    )
    year = now.astimezone(workspace.tz).year
    for each in (year, year + 1):
        for month, day, name in HOLIDAYS["fr" if lang else "en"]:
            add_holiday(access, date(each, month, day), name)
    save_override(
        access, OverrideInput(sentiment="negative", first_response_minutes=NEGATIVE_FIRST_RESPONSE)
    )


def _tags(access: Access, lang: int) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    for key, names in TAGS.items():
        tag = Tag.objects.filter(workspace=access.workspace, name__iexact=names[lang]).first()
        tags[key] = tag or save_tag(access, names[lang], TAG_COLOURS[key])
    return tags


def _team(access: Access, lang: int, members: dict[str, User]) -> Team:
    team = Team.objects.filter(workspace=access.workspace, name__iexact=TEAM[lang]).first()
    if team is not None:
        return team
    people = {members[Role.MODERATOR].pk, members[Role.EDITOR].pk}
    return save_team(access, TEAM[lang], sorted(people))


def _saved_replies(access: Access, lang: int) -> dict[str, SavedReply]:
    """Each reply in English and French; returns those in the workspace's language."""
    mine: dict[str, SavedReply] = {}
    for key, (titles, texts) in REPLIES.items():
        for index, language in enumerate(("en", "fr")):
            reply = SavedReply.objects.filter(
                workspace=access.workspace, title=titles[lang], language=language
            ).first()
            if reply is None:
                reply = save_reply(access, titles[lang], language, texts[index])
            if index == lang:
                mine[key] = reply
    return mine


def _rota(access: Access, lang: int, members: dict[str, User], now: datetime) -> None:
    """The moderator 9:00 to 17:00 and the editor 12:00 to 18:00 on weekdays; the editor is away
    at a trade fair from next Monday to Wednesday (their conversations are handed over when
    it begins)."""
    workspace = access.workspace
    if Shift.objects.filter(workspace=workspace).exists():
        return
    moderator, editor = members[Role.MODERATOR], members[Role.EDITOR]
    for weekday in range(1, 6):
        save_shift(access, moderator, weekday, time(9, 0), time(17, 0))
        if editor.pk != moderator.pk:
            save_shift(access, editor, weekday, time(12, 0), time(18, 0))
    today = now.astimezone(workspace.tz).date()
    monday = today + timedelta(days=8 - today.isoweekday())
    start = local_instant(monday, time(0, 0), workspace.tz)
    end = local_instant(monday + timedelta(days=3), time(0, 0), workspace.tz)
    save_absence(access, editor, start, end, ABSENCE_NOTE[lang], now=now)


def _views(access: Access, lang: int) -> None:
    if SavedView.objects.filter(workspace=access.workspace).exists():
        return
    for names, query in VIEWS:
        save_view(access, names[lang], query, shared=True)


def _rules(access: Access, lang: int, tags: dict[str, Tag], replies: dict[str, SavedReply]) -> None:
    """Spam first (and stop), refunds, unhappy customers, and the after-hours answer —
    disabled: demo channels cannot send, and a rule must never try."""
    keywords = {"field": "keywords", "op": "contains_any"}
    save_rule(
        access,
        ("Spam: close it", "Spam : fermer")[lang],
        [{**keywords, "value": ["crypto giveaway", "free followers", "abonnés gratuits"]}],
        [{"type": "close_spam"}],
        stop=True,
    )
    save_rule(
        access,
        ("Refunds: billing, high priority", "Remboursements : facturation, priorité haute")[lang],
        [
            {
                **keywords,
                "value": ["refund*", "money back", "charged twice", "rembours*", "débité"],
            }
        ],
        [{"type": "tag", "value": tags["billing"].name}, {"type": "priority", "value": 2}],
    )
    save_rule(
        access,
        ("Unhappy customers: whoever is on duty", "Clients mécontents : la permanence")[lang],
        [{"field": "sentiment", "op": "in", "value": ["negative"]}],
        [{"type": "assign", "mode": "on_duty"}],
    )
    save_rule(
        access,
        ("After hours: automatic answer", "Hors horaires : réponse automatique")[lang],
        [{"field": "business_hours", "op": "is", "value": False}],
        [{"type": "auto_reply", "saved_reply_id": replies["after_hours"].pk}],
        enabled=False,
    )


# --- conversations ---------------------------------------------------------------------------


def _seed(*parts: object) -> int:
    return int(hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest(), 16)


def _rkey(seed: int) -> str:
    """A Bluesky record key (13 characters of base32-sortable)."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    return "3l" + "".join(alphabet[(seed >> (5 * i)) & 31] for i in range(11))


def _author(demo: Demo, network: str, key: str) -> Author:
    person = PEOPLE[key]
    user, name = person.user[demo.lang], person.name[demo.lang]
    seed = _seed("person", demo.lang, key)
    if network == "bluesky":
        handle = f"{user}.bsky.social"
        did = "did:plc:" + "".join(_rkey(seed >> (55 * i)) for i in range(2))[:24]
        return Author(
            external_id=did,
            handle=handle,
            name=name,
            profile_url=f"https://bsky.app/profile/{handle}",
            followers_count=person.followers,
        )
    servers = SERVERS[demo.lang]
    server = servers[seed % len(servers)]
    return Author(
        external_id=str(100_000_000_000_000_000 + seed % 10**17),
        handle=f"@{user}@{server}",
        name=name,
        profile_url=f"https://{server}/@{user}",
        followers_count=person.followers,
    )


def _published(channel: Channel) -> list[tuple[PublishedRef, datetime]]:
    """The channel's published posts (the demo calendar's), oldest first."""
    found = []
    for refs, published_at in (
        Delivery.objects.filter(
            channel=channel, status=DeliveryStatus.PUBLISHED, post__kind=PostKind.POST
        )
        .order_by("published_at", "pk")
        .values_list("published_refs", "published_at")
    ):
        if refs and isinstance(refs[0], dict) and published_at is not None:
            found.append((ref_from_json(refs[0]), published_at))
    return found


def _start(demo: Demo, script: Script, channel: Channel) -> datetime | None:
    """When the script's first message was written (None: it cannot be placed)."""
    kind = script.when[0]
    now, today = demo.now, demo.today
    if kind == "post":
        posts = _published(channel)
        index, minutes = int(script.when[1]), int(script.when[2])
        if index >= len(posts):
            return None
        return posts[index][1] + timedelta(minutes=minutes)
    if kind == "day":
        days = int(script.when[1])
        day = today + timedelta(days=days)
        # On a weekday: the weekend's story is told once ("weekend"). Older days move to the
        # Monday after, recent ones to the Friday before (never into the future).
        step = timedelta(days=1 if days <= -5 else -1)
        while day.isoweekday() > 5:
            day += step
        return demo.at(day, str(script.when[2]))
    if kind == "ago":
        return now - timedelta(minutes=int(script.when[1]))
    if kind == "weekend":
        # The latest Saturday whose Monday answer (and closing) already happened.
        for back in range(1, 11):
            day = today - timedelta(days=back)
            start = demo.at(day, "15:20")
            if day.isoweekday() == 6 and demo.calendar.next_open(start) + timedelta(hours=2) < now:
                return start
        return None
    # "breach": a few days old, with its first-response due time an hour past at least,
    # and recent enough for the periodic check to look at (sla.CATCH_UP).
    for back in range(2, 7):
        start = demo.at(today - timedelta(days=back), "11:05")
        due = demo.calendar.add(start, FIRST_RESPONSE)
        if now - sla.CATCH_UP + timedelta(hours=1) < due <= now - timedelta(hours=1):
            return start
    return None


def _incoming(
    demo: Demo,
    channel: Channel,
    script: Script,
    text: str,
    at: datetime,
    number: int,
    in_reply_to: str,
) -> Incoming:
    author = _author(demo, channel.network, script.author)
    seed = _seed(demo.workspace.slug, script.key, number)
    if channel.network == "bluesky":
        rkey = _rkey(seed)
        uri = f"at://{author.external_id}/app.bsky.feed.post/{rkey}"
        data: dict[str, Any] = {"uri": uri, "cid": f"bafyrei{seed % 10**40:040d}"}
        return Incoming(
            external_id=uri,
            text=text,
            author=author,
            created_at=at,
            url=f"https://bsky.app/profile/{author.handle}/post/{rkey}",
            in_reply_to=in_reply_to,
            data=data,
        )
    # Mastodon ids are snowflakes: milliseconds since 1970 shifted left 16 bits, plus noise.
    status_id = str((int(at.timestamp() * 1000) << 16) + seed % 65536)
    user, _at, server = author.handle.lstrip("@").partition("@")
    data = {"visibility": "public"}
    if script.source == "messages":
        data = {
            "visibility": "direct",
            "conversation_id": f"demo-{demo.workspace.slug}-{script.key}",
        }
    return Incoming(
        external_id=status_id,
        text=text,
        author=author,
        created_at=at,
        url=f"https://{server}/@{user}/{status_id}",
        in_reply_to=in_reply_to,
        data=data,
    )


def _brand(channel: Channel) -> str:
    return "@" + channel.handle.lstrip("@")


def _play(demo: Demo, script: Script) -> None:
    """Play one conversation: its messages in time order, then what the team did."""
    channel = demo.channels.get(script.network)
    if channel is None:
        return
    start = _start(demo, script, channel)
    if start is None:
        return
    post_ref = None
    if script.source == "comments":
        post_ref = _published(channel)[int(script.when[1])][0]
    conversation: Conversation | None = None
    at, last_id = start, post_ref.external_id if post_ref else ""
    for number, step in enumerate(script.steps):
        if number:
            base = demo.calendar.next_open(at) if step.after_open else at
            at = min(base + timedelta(minutes=step.after), demo.now)
        text = step.text[demo.lang].replace("{brand}", _brand(channel))
        if step.by:
            if conversation is None:
                return
            _answer(demo, conversation, demo.members[step.by], text, at, f"{script.key}-{number}")
            continue
        item = _incoming(demo, channel, script, text, at, number, last_id)
        result = ingest(channel, script.source, [item], post_ref=post_ref)
        if not result.message_ids:
            log.warning("demo inbox: %s was not ingested: %s", script.key, result.errors)
            return
        message = Message.objects.select_related("conversation").get(pk=result.message_ids[-1])
        conversation, last_id = message.conversation, message.external_id
    if conversation is None:
        return
    _afterwards(demo, script, conversation, start, at)


def _answer(
    demo: Demo, conversation: Conversation, member: User, text: str, at: datetime, key: str
) -> None:
    """Our reply, as the inbox records one that went out (without its Post and Delivery:
    nothing is sent from a demo channel)."""
    conversation.refresh_from_db()
    answered = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .first()
    )
    Message.objects.create(
        workspace=demo.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        kind=conversation.kind,
        external_id=f"demo-reply-{demo.workspace.slug}-{key}",
        in_reply_to=answered.external_id if answered else "",
        sent_by=member,
        text=render(text, conversation, member),
        created_at=at,
        received_at=at,
        language=answered.language if answered else "",
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") + 1,
        last_message_at=at,
        waiting_since=None,
        status=Case(When(status=Status.OPEN, then=Value(Status.PENDING)), default=F("status")),
        updated_at=at,
    )
    conversation.refresh_from_db()
    sla.on_first_response(conversation, at)


def _afterwards(
    demo: Demo, script: Script, conversation: Conversation, start: datetime, last: datetime
) -> None:
    """Assignment, tags, priority, the manager's note, and closing."""
    values: dict[str, Any] = {}
    if script.assign:
        member = demo.members[script.assign]
        values["assignee"] = member
        if demo.team.members.filter(pk=member.pk).exists():
            values["team"] = demo.team
    if script.priority is not None:
        values["priority"] = script.priority
    if values:
        Conversation.objects.filter(pk=conversation.pk).update(**values)
    if script.tags:
        conversation.tags.add(*(demo.tags[key] for key in script.tags))
    if script.note is not None:
        _note(
            demo, conversation, script.note[demo.lang], start + timedelta(minutes=script.note_after)
        )
    conversation.refresh_from_db()
    if script.close is not None:
        closed = min(last + timedelta(minutes=script.close), demo.now)
        Conversation.objects.filter(pk=conversation.pk).update(
            status=Status.CLOSED, closed_at=closed, updated_at=closed
        )
        conversation.refresh_from_db()
        sla.on_closed(conversation, closed)
    elif values or script.tags:
        sla.recompute(conversation)  # targets may depend on tags and priority


def _note(demo: Demo, conversation: Conversation, text: str, at: datetime) -> None:
    """The manager's internal note, @mentioning a colleague by their e-mail's local part."""
    manager = demo.members[Role.MANAGER]
    for role, word in ((Role.MODERATOR, "{moderator}"), (Role.EDITOR, "{editor}")):
        text = text.replace(word, demo.members[role].email.split("@")[0])
    access = Access(user=manager, workspace=demo.workspace, role=Role.MANAGER, via="cli")
    note = Note.objects.create(
        conversation=conversation, author=manager, text=text, created_at=min(at, demo.now)
    )
    note.mentions.set(mentioned(access, text))


def _link_customer(demo: Demo, key: str) -> None:
    """The person who wrote on both networks: one customer with two identities."""
    person = PEOPLE[key]
    identities = [
        Identity.objects.filter(
            workspace=demo.workspace,
            network=network,
            external_id=_author(demo, network, key).external_id,
        ).first()
        for network in ("bluesky", "mastodon")
    ]
    first, second = identities
    if first is None or second is None:
        return
    customer = link_identity(demo.owner, first.customer, second)
    update_customer(
        demo.owner,
        customer,
        person.name[demo.lang],
        f"{person.user[demo.lang]}@example.com",
        CUSTOMER_NOTE[demo.lang],
    )
