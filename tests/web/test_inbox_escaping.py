"""Network text on the inbox pages: escaped, isolated from the page's direction, links only
when they are http(s), and a 100,000-character comment shown whole (folded, not cut)."""

from __future__ import annotations

import pytest
from django.test import Client

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.inbox.models import Conversation, Identity, Message, Tag
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox import conftest_actions, conftest_pages
from tests.inbox.conftest_actions import NOW
from tests.inbox.conftest_pages import conversation, message, minutes
from tests.web.conftest import count

chan = conftest_pages.chan
inbox_network = conftest_pages.inbox_network
clock = conftest_actions.clock

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
RLO = "\u202eevil\u202c"  # RIGHT-TO-LEFT OVERRIDE … POP DIRECTIONAL FORMATTING
ZWJ = "pay\u200bpal"  # a zero-width space inside a word
LONG = "A" * 99_992 + " the end"  # 100,000 characters


@pytest.fixture
def client(alice: User, acme: Workspace, clock) -> Client:
    return signed_in(alice)


@pytest.fixture
def hostile(chan: Channel, acme: Workspace) -> Conversation:
    c = conversation(
        chan, f"{SCRIPT} {IMG}", handle=f"@{RLO}", name=f"{IMG}{RLO}", at=NOW - minutes(9)
    )
    Identity.objects.filter(conversations=c).update(profile_url="javascript:alert(1)")
    message(c, ZWJ, at=NOW - minutes(8), external_id="zw")
    Message.objects.filter(conversation=c, external_id="zw").update(url="javascript:alert(2)")
    message(c, LONG, at=NOW - minutes(7), external_id="long")
    c.tags.add(Tag.objects.create(workspace=acme, name="<b>bold</b>", colour="red;x:y"))
    Conversation.objects.filter(pk=c.pk).update(root_url="javascript:alert(3)")
    return c


def test_the_list_escapes_and_isolates_network_text(client, hostile: Conversation) -> None:
    page = client.get("/w/acme/inbox/").content.decode()
    assert SCRIPT not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert f"<bdi>&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;{RLO}</bdi>" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "--tag: #6b7280" in page  # a colour that is not one is not written into a style
    assert 'dir="auto" data-testid="excerpt"' in page


def test_the_conversation_escapes_and_keeps_every_character(client, hostile: Conversation) -> None:
    page = client.get(f"/w/acme/inbox/{hostile.pk}/").content.decode()
    assert SCRIPT not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "javascript:" not in page  # neither the profile, the message nor the thread link
    # Zero-width and direction characters are kept as text, inside isolated elements.
    assert ZWJ in page
    assert "Contains invisible or direction-changing characters: U+200B" in page
    assert "pay⟦U+200B⟧pal" in page
    assert f"<bdi>@{RLO}</bdi>" in page
    # The long comment is whole in the page, folded behind "show all".
    assert LONG in page
    assert count(client.get(f"/w/acme/inbox/{hostile.pk}/"), "show-all") == 1
    assert "Show all (100000 characters)" in page or "Show all (100,000 characters)" in page
