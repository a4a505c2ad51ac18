"""The inbox over HTTP: conversations, their messages, replies, notes, assignment, status,
tags, priority, bulk actions, moderation of messages, and customers.

Every rule lives in hubbub.inbox.actions (and the list in hubbub.inbox.queries); these
handlers only turn JSON into the actions' inputs and their results into answers. Each
handler checks the permission before it looks anything up, so a role that may not act
learns nothing about which ids exist; another workspace's id is answered 404.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import create_model

from hubbub.accounts.models import User
from hubbub.api.auth import api_access
from hubbub.api.inbox_schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    ConversationDetailOut,
    ConversationOut,
    ConversationPageOut,
    ConversationQuery,
    CustomerOut,
    DueOut,
    MessageOut,
    MessagePageOut,
    NoteIn,
    NoteOut,
    PageQuery,
    PriorityIn,
    ReplyIn,
    StatusIn,
    TagsIn,
    conversation_fields,
    customer_identities,
    message_out,
    note_out,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.inbox import actions, csv_export, queries, sla
from hubbub.inbox.business_hours import Calendar
from hubbub.inbox.models import Conversation, Customer, Message, SavedReply, Team
from hubbub.inbox.queries import Filters

router = Router(tags=["inbox"])

C = "/workspaces/{slug}/conversations"
MESSAGES_IN_DETAIL = 100


# --- lookups, scoped to the caller's workspace (another workspace's id is not found) --------


def _conversation(access: Access, conversation_id: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("channel", "assignee", "team", "identity"),
        pk=conversation_id,
        workspace=access.workspace,
    )


def _message(access: Access, message_id: int) -> Message:
    return get_object_or_404(
        Message.objects.select_related("channel", "identity", "sent_by", "delivery"),
        pk=message_id,
        workspace=access.workspace,
    )


def _in_workspace(access: Access, model: type, pk: int | None, field: str, what: str) -> object:
    """An object named in a body: a 400 saying which field, not a 404 of the URL."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, workspace=access.workspace).first()  # type: ignore[attr-defined]
    if found is None:
        raise ActionError(f"{what} {pk} is not one of this workspace's.", field=field)
    return found


# --- answers --------------------------------------------------------------------------------


def _due(
    conversation: Conversation, tz: ZoneInfo, calendar: Calendar | None = None
) -> DueOut | None:
    due = sla.remaining(conversation, timezone.now(), calendar)
    if due is None:
        return None
    return DueOut(
        kind=due.kind,
        due_at=due.due_at.astimezone(tz),
        seconds_left=due.seconds_left,
        business_seconds_left=due.business_seconds_left,
        breached=due.breached,
    )


def _conversation_out(
    access: Access, conversation: Conversation, calendar: Calendar | None = None
) -> ConversationOut:
    conversation.workspace = access.workspace  # no query for the time zone and the policy
    tz = access.workspace.tz
    return ConversationOut(
        **conversation_fields(conversation, tz, _due(conversation, tz, calendar))
    )


def _fresh(access: Access, conversation: Conversation) -> ConversationOut:
    return _conversation_out(access, _conversation(access, conversation.pk))


def _message_answer(access: Access, message: Message) -> MessageOut:
    return message_out(_message(access, message.pk), access.workspace.tz)


def _detail(access: Access, conversation: Conversation) -> ConversationDetailOut:
    tz: ZoneInfo = access.workspace.tz
    latest = list(
        conversation.messages.select_related("identity", "sent_by", "delivery").order_by(
            "-created_at", "-id"
        )[:MESSAGES_IN_DETAIL]
    )
    notes = conversation.notes.select_related("author").prefetch_related("mentions")
    now = timezone.now()
    replying = None
    if conversation.replying_until and conversation.replying_until > now:
        user = conversation.replying_user
        replying = user.email if user is not None else None
    return ConversationDetailOut(
        **_conversation_out(access, conversation).model_dump(),
        messages=[message_out(m, tz) for m in reversed(latest)],
        notes=[note_out(n, tz) for n in notes],
        replying=replying,
    )


# --- conversations --------------------------------------------------------------------------


@router.get(C, response=answers(200, ConversationPageOut), summary="Conversations, filtered")
def list_conversations(
    request: HttpRequest, slug: str, params: Query[ConversationQuery]
) -> ConversationPageOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    filters = Filters.from_query(request.GET, access.user, strict=True)
    qs = queries.conversations(access, filters, order=params.order)
    page = queries.page(qs, order=params.order, cursor=params.cursor, limit=params.limit)
    calendar = sla.calendar_for(access.workspace)  # one calendar for the whole page
    return ConversationPageOut(
        items=[_conversation_out(access, c, calendar) for c in page.items],
        limit=params.limit,
        next_cursor=page.next_cursor,
    )


# The list's filters and order, without its paging: an export holds every matching row.
ConversationCsvQuery = create_model(
    "ConversationCsvQuery",
    __base__=Schema,
    **{
        name: (info.annotation, info)
        for name, info in ConversationQuery.model_fields.items()
        if name not in ("cursor", "limit")
    },  # type: ignore[call-overload]
)


@router.get(
    C + ".csv",
    response=answers(200, None),
    summary="Conversations, filtered, as CSV (streamed)",
    description=(
        "The same filters and order as the list, every matching conversation (no pages). "
        "Columns: " + ", ".join(csv_export.COLUMNS) + ". Times in the workspace's time zone "
        "(ISO 8601 with offset); text a spreadsheet would run as a formula starts with '."
    ),
    openapi_extra={
        "responses": {
            200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
        }
    },
)
def export_conversations(
    request: HttpRequest,
    slug: str,
    params: Query[ConversationCsvQuery],  # type: ignore[valid-type]
) -> StreamingHttpResponse:
    access = api_access(request, slug)
    access.require("inbox.view")
    filters = Filters.from_query(request.GET, access.user, strict=True)
    order = str(getattr(params, "order", "recent"))  # a model built above: mypy cannot see it
    lines = csv_export.export_conversations(access, filters, order=order)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_export.export_filename(access)}"'
    return response


@router.get(
    C + "/{int:conversation_id}",
    response=answers(200, ConversationDetailOut),
    summary="One conversation, with its latest messages, notes and due target",
)
def get_conversation(
    request: HttpRequest, slug: str, conversation_id: int
) -> ConversationDetailOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    return _detail(access, _conversation(access, conversation_id))


@router.get(
    C + "/{int:conversation_id}/messages",
    response=answers(200, MessagePageOut),
    summary="A conversation's messages, oldest first",
)
def list_messages(
    request: HttpRequest, slug: str, conversation_id: int, params: Query[PageQuery]
) -> MessagePageOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    conversation = _conversation(access, conversation_id)
    messages = conversation.messages.select_related("identity", "sent_by", "delivery")
    tz = access.workspace.tz
    page = messages.order_by("created_at", "id")[params.offset : params.offset + params.limit]
    return MessagePageOut(
        total=messages.count(),
        limit=params.limit,
        offset=params.offset,
        items=[message_out(m, tz) for m in page],
    )


@router.post(
    C + "/{int:conversation_id}/replies",
    response=answers(201, MessageOut),
    summary="Reply on the network (through the delivery queue, exactly once)",
)
def reply(
    request: HttpRequest, slug: str, conversation_id: int, payload: ReplyIn
) -> Status[MessageOut]:
    access = api_access(request, slug)
    access.require("inbox.reply")
    conversation = _conversation(access, conversation_id)
    to_message = None
    if payload.to_message_id is not None:
        to_message = Message.objects.filter(
            pk=payload.to_message_id, conversation=conversation
        ).first()
        if to_message is None:
            raise ActionError(
                f"Message {payload.to_message_id} is not in this conversation: list them with "
                "GET .../messages.",
                field="to_message_id",
            )
    saved = _in_workspace(
        access, SavedReply, payload.saved_reply_id, "saved_reply_id", "Saved reply"
    )
    message = actions.reply(
        access,
        conversation,
        payload.text,
        to_message=to_message,
        saved_reply=saved,  # type: ignore[arg-type]
    )
    return Status(201, _message_answer(access, message))


@router.post(
    C + "/{int:conversation_id}/notes",
    response=answers(201, NoteOut),
    summary="Add an internal note (@name tells a colleague)",
)
def add_note(
    request: HttpRequest, slug: str, conversation_id: int, payload: NoteIn
) -> Status[NoteOut]:
    access = api_access(request, slug)
    access.require("inbox.reply")
    note = actions.add_note(access, _conversation(access, conversation_id), payload.text)
    return Status(201, note_out(note, access.workspace.tz))


@router.post(
    C + "/{int:conversation_id}/assign",
    response=answers(200, ConversationOut),
    summary="Assign to a member and/or a team (null: nobody)",
)
def assign(
    request: HttpRequest, slug: str, conversation_id: int, payload: AssignIn
) -> ConversationOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    conversation = _conversation(access, conversation_id)
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(
            pk=payload.user_id, memberships__workspace=access.workspace
        ).first()
        if user is None:
            raise ActionError(
                f"User {payload.user_id} is not a member of this workspace: list them with "
                "GET members.",
                field="user_id",
            )
    team = _in_workspace(access, Team, payload.team_id, "team_id", "Team")
    actions.assign(access, conversation, user, team)  # type: ignore[arg-type]
    return _fresh(access, conversation)


@router.post(
    C + "/{int:conversation_id}/status",
    response=answers(200, ConversationOut),
    summary="Set the status: open, pending or closed",
)
def set_status(
    request: HttpRequest, slug: str, conversation_id: int, payload: StatusIn
) -> ConversationOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    conversation = _conversation(access, conversation_id)
    actions.set_status(access, conversation, payload.status)
    return _fresh(access, conversation)


@router.post(
    C + "/{int:conversation_id}/tags",
    response=answers(200, ConversationOut),
    summary="Add and remove tags by name",
)
def set_tags(
    request: HttpRequest, slug: str, conversation_id: int, payload: TagsIn
) -> ConversationOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    conversation = _conversation(access, conversation_id)
    actions.set_tags(access, conversation, payload.add, payload.remove)
    return _fresh(access, conversation)


@router.post(
    C + "/{int:conversation_id}/priority",
    response=answers(200, ConversationOut),
    summary="Set the priority: 0 low, 1 normal, 2 high, 3 urgent",
)
def set_priority(
    request: HttpRequest, slug: str, conversation_id: int, payload: PriorityIn
) -> ConversationOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    conversation = _conversation(access, conversation_id)
    actions.set_priority(access, conversation, payload.priority)
    return _fresh(access, conversation)


@router.post(
    C + "/bulk",
    response=answers(200, BulkOut),
    summary="One operation on many conversations (each reported on its own)",
)
def bulk(request: HttpRequest, slug: str, payload: BulkIn) -> BulkOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    if not payload.ids:
        raise ActionError("Give the ids of the conversations to change.", field="ids")
    if len(payload.ids) > queries.MAX_LIMIT:
        raise ActionError(
            f"At most {queries.MAX_LIMIT} conversations at once: send several requests.",
            field="ids",
        )
    result = actions.bulk(access, payload.ids, payload.op, payload.value)
    return BulkOut(done=result.done, errors=result.errors)


# --- messages on the network ----------------------------------------------------------------

M = "/workspaces/{slug}/messages/{int:message_id}"


@router.post(M + "/like", response=answers(200, MessageOut), summary="Like a message")
def like(request: HttpRequest, slug: str, message_id: int) -> MessageOut:
    access = api_access(request, slug)
    access.require("inbox.reply")
    return _message_answer(access, actions.like(access, _message(access, message_id)))


@router.post(M + "/hide", response=answers(200, MessageOut), summary="Hide a comment")
def hide(request: HttpRequest, slug: str, message_id: int) -> MessageOut:
    access = api_access(request, slug)
    access.require("inbox.moderate")
    return _message_answer(access, actions.hide(access, _message(access, message_id), True))


@router.post(M + "/unhide", response=answers(200, MessageOut), summary="Show a hidden comment")
def unhide(request: HttpRequest, slug: str, message_id: int) -> MessageOut:
    access = api_access(request, slug)
    access.require("inbox.moderate")
    return _message_answer(access, actions.hide(access, _message(access, message_id), False))


@router.post(
    M + "/delete",
    response=answers(200, MessageOut),
    summary="Delete on the network (the inbox keeps it, marked deleted)",
)
def delete(request: HttpRequest, slug: str, message_id: int) -> MessageOut:
    access = api_access(request, slug)
    access.require("inbox.moderate")
    message = actions.delete_on_network(access, _message(access, message_id))
    return _message_answer(access, message)


# --- customers ------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/customers/{int:customer_id}",
    response=answers(200, CustomerOut),
    summary="A customer: their identities and conversations on every channel",
)
def get_customer(request: HttpRequest, slug: str, customer_id: int) -> CustomerOut:
    access = api_access(request, slug)
    access.require("inbox.view")
    customer = get_object_or_404(Customer, pk=customer_id, workspace=access.workspace)
    filters = Filters(customer=customer.pk)
    latest = queries.page(queries.conversations(access, filters), limit=50).items
    calendar = sla.calendar_for(access.workspace)
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        email=customer.email,
        notes=customer.notes,
        identities=customer_identities(customer),
        conversations=[_conversation_out(access, c, calendar) for c in latest],
    )
