"""Meta's webhooks at /hooks/meta/: the verification handshake, signed notifications only,
and Page comments, Messenger messages, Instagram comments and mentions landing in the inbox
as the same messages polling would store (payloads shaped like the examples of Meta's
"Webhooks for Pages", "Webhooks for Instagram" and Messenger Platform references)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import respx
from django.test import Client

from hubbub.core.models import Workspace
from hubbub.inbox.ingest import ingest, join_key
from hubbub.inbox.models import Conversation, Direction, InboxSource, Message, SourceKind
from hubbub.networks import meta_webhooks
from hubbub.networks.facebook import reading
from hubbub.networks.facebook.webhooks import subscribe_page
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.facebook.conftest import GRAPH, PAGE_ID, PAGE_TOKEN, POST_ID, error
from tests.networks.facebook.conftest import make_channel as make_page
from tests.networks.instagram.conftest import IG_ID, USERNAME
from tests.networks.instagram.conftest import make_channel as make_instagram
from tests.networks.recorded import form

URL = "/hooks/meta/"
SECRET = "meta-app-secret"
VERIFY = "hubbub-verify-4f1c"
COMMENT_ID = "122100000000000001_987654321098765"
DANA = {"id": "6543210987654321", "name": "Dana Kowalski"}
PSID = "24745216345137108"
MEDIA_ID = "17920238422030506"


@pytest.fixture(autouse=True)
def meta_app(settings: Any) -> None:
    settings.HUBBUB_META_CLIENT_SECRET = SECRET
    settings.HUBBUB_META_WEBHOOK_VERIFY_TOKEN = VERIFY


@pytest.fixture
def graph_api(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["graph.facebook.com"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def page(acme: Workspace) -> Channel:
    return make_page(acme)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def push(payload: Any, *, signature: str | None = None, raw: bytes | None = None) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"X-Hub-Signature-256": signature if signature is not None else sign(body)}
    return Client().post(URL, data=body, content_type="application/json", headers=headers)


def comment_change(verb: str, message: str = "", **extra: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": DANA,
        "post": {"status_type": "added_photos", "is_published": True, "id": POST_ID},
        "message": message,
        "post_id": POST_ID,
        "comment_id": COMMENT_ID,
        "created_time": 1_790_000_000,
        "item": "comment",
        "parent_id": POST_ID,
        "verb": verb,
        **extra,
    }
    return {"field": "feed", "value": value}


def page_payload(*changes: dict[str, Any], page_id: str = PAGE_ID, time: int = 1_790_000_100):
    return {"object": "page", "entry": [{"id": page_id, "time": time, "changes": list(changes)}]}


def the_comment() -> Message:
    return Message.objects.get(external_id=COMMENT_ID)


# --- handshake and signature ------------------------------------------------------------------


def test_the_handshake_answers_the_challenge_with_our_verify_token(db):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}

    answer = Client().get(URL, query)

    assert answer.status_code == 200
    assert answer.content == b"1158201444"
    assert answer["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
    ],
)
def test_the_handshake_is_refused_otherwise(db, query):
    assert Client().get(URL, query).status_code == 403


def test_no_verify_token_configured_refuses_every_handshake(db, settings):
    settings.HUBBUB_META_WEBHOOK_VERIFY_TOKEN = ""
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}

    assert Client().get(URL, query).status_code == 403


@pytest.mark.parametrize(
    "signature", ["", "sha256=" + "0" * 64, "sha1=abc", sign(b"another body"), None]
)
def test_a_notification_not_signed_with_the_app_secret_is_refused(page, signature):
    payload = page_payload(comment_change("add", "Forged"))
    body = json.dumps(payload).encode()
    if signature is None:
        signature = sign(body, "not-the-app-secret")

    answer = push(payload, signature=signature)

    assert answer.status_code == 403
    assert not Message.objects.exists()


def test_without_an_app_secret_nothing_is_accepted(page, settings):
    settings.HUBBUB_META_CLIENT_SECRET = ""
    payload = page_payload(comment_change("add", "Hello"))
    body = json.dumps(payload).encode()

    assert push(payload, signature=sign(body, "")).status_code == 403
    assert not Message.objects.exists()


def test_a_signed_body_that_is_not_json_is_a_400_that_says_so(page):
    raw = b'{"object": "page", "entry": [}'

    answer = push(None, raw=raw)

    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error"]


def test_only_get_and_post_are_answered(db):
    assert Client().put(URL).status_code == 405


# --- Page comments ----------------------------------------------------------------------------


def test_a_new_comment_becomes_an_inbound_message_on_its_post(page):
    answer = push(page_payload(comment_change("add", "Is the shop open on Sunday?")))

    assert answer.status_code == 200
    assert answer.json() == {"entries": 1, "used": 1, "ignored": 0, "failed": 0}
    message = the_comment()
    assert message.text == "Is the shop open on Sunday?"
    assert message.direction == Direction.INBOUND and message.kind == "comment"
    assert message.created_at == datetime.fromtimestamp(1_790_000_000, tz=UTC)
    assert message.identity is not None and message.identity.name == "Dana Kowalski"
    conversation = message.conversation
    assert conversation.thread_key == join_key(POST_ID, DANA["id"])
    assert conversation.status == "open" and conversation.message_count == 1


def test_an_edit_and_a_removal_are_reflected_on_the_message(page):
    push(page_payload(comment_change("add", "Your coffee is cold")))

    push(page_payload(comment_change("edited", "Your coffee is cold!!"), time=1_790_000_500))
    edited = the_comment()
    assert edited.text == "Your coffee is cold!!"
    assert edited.original_text == "Your coffee is cold"
    assert edited.edited_at == datetime.fromtimestamp(1_790_000_500, tz=UTC)

    # Meta's removal names the comment only (older payloads: the remover as sender_id).
    removal = comment_change("remove")
    del removal["value"]["message"], removal["value"]["from"]
    removal["value"]["sender_id"] = PAGE_ID
    push(page_payload(removal, time=1_790_000_900))
    removed = the_comment()
    assert removed.deleted_at == datetime.fromtimestamp(1_790_000_900, tz=UTC)
    assert removed.text == "Your coffee is cold!!"  # what it said is kept for the record
    assert Message.objects.count() == 1


def test_a_repeated_notification_stores_nothing_twice(page):
    payload = page_payload(comment_change("add", "Hello?"))

    push(payload)
    push(payload)  # Meta retries what it thinks was not received

    assert Message.objects.count() == 1
    assert Conversation.objects.get().message_count == 1


def test_a_pushed_comment_and_the_same_comment_polled_are_one_message(page):
    push(page_payload(comment_change("add", "Lovely latte art")))
    graph_comment = {
        "id": COMMENT_ID,
        "message": "Lovely latte art",
        "created_time": "2026-09-21T13:46:40+0000",
        "from": DANA,
        "permalink_url": f"https://www.facebook.com/{COMMENT_ID}",
    }
    ((_key, polled),) = list(reading._incoming([graph_comment], POST_ID))

    result = ingest(page, "comments", [polled], post_ref=PublishedRef(external_id=POST_ID))

    assert result.created == 0
    pushed = the_comment()
    assert pushed.data == polled.data and pushed.in_reply_to == polled.in_reply_to
    assert Conversation.objects.count() == 1


def test_a_reply_to_a_comment_keeps_the_comment_it_answers(page):
    reply = comment_change("add", "Same question here", parent_id=COMMENT_ID)
    reply["value"]["comment_id"] = "122100000000000001_111"

    push(page_payload(reply))

    message = Message.objects.get(external_id="122100000000000001_111")
    assert message.in_reply_to == COMMENT_ID
    assert message.data["parent_id"] == COMMENT_ID and message.data["post_id"] == POST_ID


def test_the_pages_own_comments_and_other_feed_changes_are_left_out(page):
    own = comment_change("add", "Thanks Dana!", **{"from": {"id": PAGE_ID, "name": "Acme"}})
    reaction = {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": POST_ID}}

    answer = push(page_payload(own, reaction))

    assert answer.status_code == 200
    assert not Message.objects.exists()


def test_the_post_as_polling_knows_it_gives_the_conversation_its_address(page):
    InboxSource.objects.create(
        workspace=page.workspace,
        channel=page,
        kind=SourceKind.COMMENTS,
        ref_external_id=POST_ID,
        ref_data={"external_id": POST_ID, "url": "https://www.facebook.com/acme/posts/1"},
        next_poll_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    push(page_payload(comment_change("add", "Where is this?")))

    assert the_comment().conversation.root_url == "https://www.facebook.com/acme/posts/1"


def test_every_workspace_that_connected_the_page_gets_the_comment(page, globex):
    other = make_page(globex)

    push(page_payload(comment_change("add", "Hello both")))

    assert {m.channel_id for m in Message.objects.all()} == {page.pk, other.pk}


def test_a_disconnected_channel_gets_nothing(page):
    Channel.objects.filter(pk=page.pk).update(disconnected_at=datetime(2026, 1, 1, tzinfo=UTC))

    answer = push(page_payload(comment_change("add", "Anyone?")))

    assert answer.json()["ignored"] == 1
    assert not Message.objects.exists()


def test_an_entry_for_an_unknown_page_is_ignored_and_the_others_go_through(page):
    payload = page_payload(comment_change("add", "For a Page nobody connected"), page_id="999")
    payload["entry"] += page_payload(comment_change("add", "For Acme"))["entry"]

    answer = push(payload)

    assert answer.status_code == 200
    assert answer.json() == {"entries": 2, "used": 1, "ignored": 1, "failed": 0}
    assert [m.text for m in Message.objects.all()] == ["For Acme"]


def test_an_entry_that_fails_is_logged_and_the_others_still_go_through(page, monkeypatch, caplog):
    real = ingest
    calls: list[str] = []

    def flaky(channel, kind, items, **kw):
        calls.append(items[0].text)
        if items[0].text == "Breaks":
            raise RuntimeError("database went away")
        return real(channel, kind, items, **kw)

    monkeypatch.setattr(meta_webhooks, "ingest", flaky)
    payload = page_payload(comment_change("add", "Breaks"), time=1)
    second = comment_change("add", "Works")
    second["value"]["comment_id"] = "122100000000000001_222"
    payload["entry"] += page_payload(second)["entry"]

    with caplog.at_level(logging.WARNING, logger="hubbub.networks.meta_webhooks"):
        answer = push(payload)

    assert answer.status_code == 200
    assert answer.json()["failed"] == 1 and answer.json()["used"] == 1
    assert [m.text for m in Message.objects.all()] == ["Works"]
    (record,) = [r for r in caplog.records if "could not be used" in r.getMessage()]
    assert PAGE_ID in record.getMessage() and "Breaks" in record.getMessage()
    assert SECRET not in record.getMessage() and PAGE_TOKEN not in record.getMessage()


def test_an_object_hubbub_does_not_read_is_answered_200_and_logged(db, caplog):
    with caplog.at_level(logging.WARNING, logger="hubbub.networks.meta_webhooks"):
        answer = push({"object": "permissions", "entry": [{"id": "1", "time": 1}]})

    assert answer.status_code == 200 and answer.json()["failed"] == 1
    assert "could not be used" in caplog.text


# --- Messenger --------------------------------------------------------------------------------


def messenger(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": 1_790_000_000_000, "messaging": list(events)}],
    }


def dm(mid: str, text: str, *, echo: bool = False, ts: int = 1_790_000_000_123) -> dict[str, Any]:
    sender, recipient = (PAGE_ID, PSID) if echo else (PSID, PAGE_ID)
    message: dict[str, Any] = {"mid": mid, "text": text}
    if echo:
        message["is_echo"] = True
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": ts,
        "message": message,
    }


def test_a_messenger_message_opens_a_conversation_with_the_person(page):
    answer = push(messenger(dm("m_AAA", "Do you deliver to Lyon?")))

    assert answer.status_code == 200
    message = Message.objects.get(external_id="m_AAA")
    assert message.kind == "message" and message.direction == Direction.INBOUND
    assert message.text == "Do you deliver to Lyon?"
    assert message.created_at == datetime.fromtimestamp(1_790_000_000.123, tz=UTC)
    assert message.conversation.thread_key == PSID


def test_the_pages_answer_written_in_metas_inbox_is_outbound_in_the_same_conversation(page):
    push(messenger(dm("m_AAA", "Do you deliver to Lyon?")))

    push(messenger(dm("m_BBB", "Yes, in two days", echo=True, ts=1_790_000_060_000)))

    answer = Message.objects.get(external_id="m_BBB")
    assert answer.direction == Direction.OUTBOUND
    conversation = Conversation.objects.get()
    assert conversation.message_count == 2 and conversation.status == "pending"


def test_a_messenger_edit_and_an_attachment(page):
    push(messenger(dm("m_AAA", "Helo")))
    edit = {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": 1_790_000_030_000,
        "message_edit": {"mid": "m_AAA", "text": "Hello", "num_edit": 1},
    }
    photo = dm("m_CCC", "")
    photo["message"]["attachments"] = [{"type": "image", "payload": {"url": "https://x.test/a"}}]
    read = {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "read": {"watermark": 1}}

    push(messenger(edit, photo, read))

    assert Message.objects.get(external_id="m_AAA").text == "Hello"
    assert Message.objects.get(external_id="m_CCC").text == "[image]"
    assert Message.objects.count() == 2


def test_a_messenger_message_polled_and_pushed_is_one_message_and_keeps_the_name(page):
    from hubbub.networks.facebook import messenger as polling

    graph_message = {
        "id": "m_AAA",
        "message": "Do you deliver to Lyon?",
        "created_time": "2026-09-21T13:46:40+0000",
        "from": {"id": PSID, "name": "Dana Kowalski"},
        "to": {"data": [{"id": PAGE_ID, "name": "Acme Coffee"}]},
    }
    made = polling._incoming(graph_message, "t_123", PAGE_ID)
    assert made is not None
    ingest(page, "messages", [made[1]])

    push(messenger(dm("m_AAA", "Do you deliver to Lyon?"), dm("m_DDD", "Any news?")))

    assert Message.objects.count() == 2 and Conversation.objects.count() == 1
    newer = Message.objects.get(external_id="m_DDD")
    assert newer.identity is not None and newer.identity.handle == "Dana Kowalski"
    assert newer.data["psid"] == PSID == newer.data["conversation_id"]


# --- Instagram --------------------------------------------------------------------------------


@pytest.fixture
def instagram(acme: Workspace) -> Channel:
    return make_instagram(acme)


def ig_payload(*changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [{"id": IG_ID, "time": 1_790_000_000, "changes": list(changes)}],
    }


def ig_comment(comment_id: str, text: str, username: str = "dana.k", **extra: Any):
    value = {
        "from": {"id": "17841405309211844", "username": username},
        "media": {"id": MEDIA_ID, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
        **extra,
    }
    return {"field": "comments", "value": value}


def test_an_instagram_comment_lands_on_its_media(instagram):
    answer = push(ig_payload(ig_comment("17865799348089039", "Which beans are these?")))

    assert answer.status_code == 200
    message = Message.objects.get(external_id="17865799348089039")
    assert message.kind == "comment" and message.text == "Which beans are these?"
    assert message.data == {
        "id": "17865799348089039",
        "kind": "comment",
        "media_id": MEDIA_ID,
        "parent_id": "",
    }
    assert message.identity is not None and message.identity.handle == "@dana.k"
    assert message.conversation.thread_key == join_key(MEDIA_ID, "17841405309211844")


def test_the_accounts_own_instagram_comments_are_left_out(instagram):
    push(ig_payload(ig_comment("17865799348089040", "Thank you!", username=USERNAME)))

    assert not Message.objects.exists()


def test_an_instagram_mention_is_looked_up_and_stored_as_a_mention(
    instagram, graph_api, django_capture_on_commit_callbacks
):
    lookup = graph_api.get(f"{GRAPH}/{IG_ID}").respond(
        200,
        json={
            "mentioned_comment": {
                "id": "17894227972186120",
                "text": "@acmecoffee best flat white in town",
                "timestamp": "2026-09-21T13:00:00+0000",
                "media": {"id": "17999", "permalink": "https://www.instagram.com/p/XYZ/"},
            },
            "id": IG_ID,
        },
    )
    mention = {
        "field": "mentions",
        "value": {"media_id": "17999", "comment_id": "17894227972186120"},
    }

    with django_capture_on_commit_callbacks(execute=True):
        answer = push(ig_payload(mention))

    assert answer.status_code == 200
    fields = lookup.calls.last.request.url.params["fields"]
    assert fields.startswith("mentioned_comment.comment_id(17894227972186120)")
    message = Message.objects.get(external_id="17894227972186120")
    assert message.kind == "mention" and message.text == "@acmecoffee best flat white in town"
    assert message.url == "https://www.instagram.com/p/XYZ/"


def test_a_caption_mention_is_stored_like_a_tagged_media(
    instagram, graph_api, django_capture_on_commit_callbacks
):
    graph_api.get(f"{GRAPH}/{IG_ID}").respond(
        200,
        json={
            "mentioned_media": {
                "id": "18000",
                "caption": "Morning at @acmecoffee",
                "timestamp": "2026-09-21T08:00:00+0000",
                "username": "dana.k",
                "permalink": "https://www.instagram.com/p/ABC/",
            },
            "id": IG_ID,
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        push(ig_payload({"field": "mentions", "value": {"media_id": "18000"}}))

    message = Message.objects.get(external_id="18000")
    assert message.kind == "mention" and message.data["kind"] == "tag"
    assert message.identity is not None and message.identity.handle == "@dana.k"


# --- subscribing a Page -----------------------------------------------------------------------


def test_subscribing_a_page_installs_the_app_for_feed_and_messages(page, graph_api):
    route = graph_api.post(f"{GRAPH}/{PAGE_ID}/subscribed_apps").respond(
        200, json={"success": True}
    )

    assert subscribe_page(page) == ["feed", "messages"]

    sent = form(route.calls.last.request)
    assert sent["subscribed_fields"] == ["feed,messages"]
    assert sent["access_token"] == [PAGE_TOKEN]


def test_without_messenger_permission_the_page_is_subscribed_to_feed_alone(page, graph_api):
    route = graph_api.post(f"{GRAPH}/{PAGE_ID}/subscribed_apps").mock(
        side_effect=[
            respx.MockResponse(403, json=error("(#200) Requires pages_messaging permission", 200)),
            respx.MockResponse(200, json={"success": True}),
        ]
    )

    assert subscribe_page(page) == ["feed"]
    assert form(route.calls.last.request)["subscribed_fields"] == ["feed"]


def test_an_instagram_channel_subscribes_its_linked_page(instagram, graph_api):
    route = graph_api.post(f"{GRAPH}/{PAGE_ID}/subscribed_apps").respond(
        200, json={"success": True}
    )

    subscribe_page(instagram)

    assert route.called


def test_after_connect_subscribes_the_page_and_never_fails_the_connection(page, graph_api, caplog):
    from hubbub.networks.hooks import after_connect

    route = graph_api.post(f"{GRAPH}/{PAGE_ID}/subscribed_apps").respond(
        403, json=error("(#200) Requires pages_manage_metadata permission", 200)
    )

    with caplog.at_level(logging.WARNING, logger="hubbub.networks.hooks"):
        after_connect(page)  # refused: logged, not raised

    assert route.call_count == 2  # feed and messages, then feed alone
    assert "webhooks not set up" in caplog.text
    assert PAGE_TOKEN not in caplog.text


def test_a_mention_that_cannot_be_read_is_logged(
    instagram, graph_api, django_capture_on_commit_callbacks, caplog
):
    graph_api.get(f"{GRAPH}/{IG_ID}").respond(
        400, json=error("(#10) Comments are disabled on this media", 10)
    )
    mention = {"field": "mentions", "value": {"media_id": "17999", "comment_id": "1789"}}

    with (
        caplog.at_level(logging.WARNING, logger="hubbub.networks.tasks_hooks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = push(ig_payload(mention))

    assert answer.status_code == 200
    assert not Message.objects.exists()
    assert "1789" in caplog.text and "could not be read" in caplog.text
