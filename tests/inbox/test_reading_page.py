"""The "Reading" settings page: what is read from each channel, when, what went wrong and what
to do; the channels that cannot be read and why; and "Read now"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.messages import get_messages

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import polling
from hubbub.inbox.models import InboxSource, Message, SourceKind
from hubbub.networks.base import AuthError, TransientError
from hubbub.networks.models import Channel, Health
from tests.conftest import signed_in
from tests.inbox import conftest_ingest
from tests.inbox.conftest_ingest import NOW, InboxNetwork, make_channel, published_post, said

channel, clock, network = conftest_ingest.channel, conftest_ingest.clock, conftest_ingest.network

PAGE = "/w/acme/inbox/settings/reading/"
VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}


@dataclass
class Node:
    """Just enough of an HTML tree to find elements and read their text."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def get_text(self, strip: bool = False) -> str:
        text = "".join(c if isinstance(c, str) else c.get_text() for c in self.children)
        return text.strip() if strip else text

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def walk(self) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                found += [child, *child.walk()]
        return found

    def find_all(
        self, tag: str | None = None, attrs: dict[str, str] | None = None, **more: str
    ) -> list[Node]:
        want = {**(attrs or {}), **more}
        return [
            n
            for n in self.walk()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in want.items())
        ]

    def find(
        self, tag: str | None = None, attrs: dict[str, str] | None = None, **more: str
    ) -> Node | None:
        found = self.find_all(tag, attrs, **more)
        return found[0] if found else None

    def one(self, tag: str | None = None, attrs: dict[str, str] | None = None, **more: str) -> Node:
        found = self.find(tag, attrs, **more)
        assert found is not None, (tag, attrs, more)
        return found

    @property
    def th(self) -> Node:
        return self.find_all("th")[0]

    @property
    def td(self) -> Node:
        return self.find_all("td")[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: bytes) -> Node:
    builder = _Builder()
    builder.feed(html.decode())
    return builder.root


def page(user: User) -> Node:
    response = signed_in(user).get(PAGE)
    assert response.status_code == 200
    return parse(response.content)


def source(channel: Channel, kind: str) -> InboxSource:
    return InboxSource.objects.get(channel=channel, kind=kind)


def row_of(soup: Node, src: InboxSource) -> Node:
    found = soup.find(id=f"source-{src.pk}")
    assert found is not None, f"no row for {src}"
    return found


def cell(row: Node, testid: str) -> str:
    found = row.find(attrs={"data-testid": testid})
    assert found is not None, testid
    return " ".join(found.get_text().split())


@pytest.fixture
def read_once(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller
) -> Channel:
    """The channel's mentions read at NOW (13:00 in Paris); its messages failing twice."""
    network.mentions["me"] = [said("@me hi", "m1")]
    published_post(channel, "post-1", NOW - timedelta(hours=3))
    polling.ensure_sources(channel)
    polling.poll_source(source(channel, SourceKind.MENTIONS))
    InboxSource.objects.filter(channel=channel, kind=SourceKind.MESSAGES).update(
        last_error="Inboxbook is down", error_count=2, next_poll_at=NOW + timedelta(minutes=4)
    )
    return channel


def test_each_source_says_when_it_was_read_and_will_be(read_once: Channel, alice: User):
    soup = page(alice)
    mentions = row_of(soup, source(read_once, SourceKind.MENTIONS))
    assert cell(mentions, "last-read") == "2026-11-20 13:00"  # Paris, UTC+1 in November
    assert cell(mentions, "next-read") == "2026-11-20 13:01"
    assert cell(mentions, "cursor") == "yes"
    assert cell(mentions, "error-count") == "0"
    assert mentions.find(attrs={"data-testid": "last-error"}) is None

    messages = row_of(soup, source(read_once, SourceKind.MESSAGES))
    assert "not yet" in messages.get_text()
    assert cell(messages, "cursor") == "no"
    assert cell(messages, "last-error") == "Inboxbook is down"
    assert cell(messages, "error-count") == "2"
    assert "tries again by itself" in cell(messages, "advice")
    assert cell(messages, "next-read") == "2026-11-20 13:04"


def test_comments_are_shown_with_their_post(read_once: Channel, alice: User) -> None:
    comments = source(read_once, SourceKind.COMMENTS)
    row = row_of(page(alice), comments)
    assert "Comments on a post" in row.get_text()
    post_id = comments.channel.deliveries.get().post_id  # type: ignore[attr-defined]
    link = row.one(attrs={"data-testid": "post-link"})
    assert link["href"] == f"/w/acme/posts/{post_id}/"
    assert link.get_text(strip=True) == "launch"  # the post's purpose
    network_link = row.one(attrs={"data-testid": "post-network-link"})
    assert network_link["href"] == "https://inbox.example/me/post-1"
    assert cell(row, "next-read") == "due now"


def test_comments_of_older_posts_are_counted_not_listed(
    channel: Channel, network: type[InboxNetwork], clock: time_machine.Traveller, alice: User
) -> None:
    published_post(channel, "post-old", NOW - timedelta(days=3))
    polling.ensure_sources(channel)
    InboxSource.objects.filter(kind=SourceKind.COMMENTS).update(
        active_until=NOW - timedelta(minutes=1)
    )
    soup = page(alice)
    assert soup.find(attrs={"data-kind": "comments"}) is None
    assert "The comments of 1 older post are no longer read." in soup.get_text()


def test_a_channel_that_needs_reconnecting_says_what_to_do(
    read_once: Channel, alice: User, network: type[InboxNetwork]
) -> None:
    network.fail_next("mentions", AuthError("Inboxbook refused the credentials"))
    polling.poll_source(source(read_once, SourceKind.MENTIONS))  # marks it for reconnecting
    read_once.refresh_from_db()
    assert read_once.health == Health.NEEDS_RECONNECT

    soup = page(alice)
    problem = soup.one(attrs={"data-testid": "channel-problem"}).get_text()
    assert "Reading has stopped" in problem and "Reconnect the channel" in problem
    mentions = row_of(soup, source(read_once, SourceKind.MENTIONS))
    assert cell(mentions, "next-read") == "after reconnecting"
    assert "Reconnect the channel on the Channels page" in cell(mentions, "advice")
    assert mentions.find(attrs={"data-testid": "read-now"}) is None


def test_channels_that_cannot_be_read_say_why(
    acme: Workspace, alice: User, network: type[InboxNetwork], clock: time_machine.Traveller
) -> None:
    make_channel(acme, "pins", network="pinterest")
    demo = make_channel(acme, "demo")
    demo.config = {"demo": True}
    demo.save()
    gone = make_channel(acme, "gone")
    gone.disconnected_at = NOW
    gone.save()

    rows = {
        " ".join(r.th.get_text().split()): " ".join(r.td.get_text().split())
        for r in page(alice).find_all(attrs={"data-testid": "unreadable-row"})
    }

    assert rows["Pinterest · @pins"].startswith(
        "Pinterest does not let Hubbub read comments, mentions or direct messages; "
        "Hubbub can use it for:"
    )
    assert "images" in rows["Pinterest · @pins"]
    assert rows["Inboxbook · @demo"] == "A demo channel: it has no account on the network to read."
    assert rows["Inboxbook · @gone"].startswith("Disconnected")


def test_network_text_is_escaped(read_once: Channel, alice: User) -> None:
    InboxSource.objects.filter(channel=read_once, kind=SourceKind.MESSAGES).update(
        last_error="<script>alert(1)</script>"
    )
    response = signed_in(alice).get(PAGE)
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_the_settings_menu_links_to_the_page(read_once: Channel, alice: User) -> None:
    soup = page(alice)
    link = soup.find("a", href=PAGE)
    assert link is not None and link.get_text(strip=True) == "Reading"
    assert link.get("aria-current") == "page"


# --- read now ----------------------------------------------------------------------------


def test_read_now_reads_the_source_at_once(
    read_once: Channel, alice: User, network: type[InboxNetwork]
) -> None:
    messages = source(read_once, SourceKind.MESSAGES)
    network.messages["me"] = [said("psst", "d1", conversation_id="t1")]
    client = signed_in(alice)
    assert row_of(page(alice), messages).find(attrs={"data-testid": "read-now"}) is not None

    response = client.post(f"{PAGE}{messages.pk}/read/")

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#source-{messages.pk}"
    assert Message.objects.filter(external_id="d1").exists()
    messages.refresh_from_db()
    assert (messages.last_error, messages.error_count, messages.cursor) == ("", 0, "d1")
    said_ = [str(m) for m in get_messages(response.wsgi_request)]
    assert said_ == ["Read direct messages: 1 new message."]


def test_read_now_that_fails_records_and_says_the_error(
    read_once: Channel, alice: User, network: type[InboxNetwork]
) -> None:
    mentions = source(read_once, SourceKind.MENTIONS)
    network.fail_next("mentions", TransientError("Inboxbook is overloaded"))
    response = signed_in(alice).post(f"{PAGE}{mentions.pk}/read/")
    said_ = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(said_) == 1 and "Inboxbook is overloaded" in said_[0]
    mentions.refresh_from_db()
    assert mentions.last_error == "Inboxbook is overloaded"
    assert mentions.error_count == 1


def test_read_now_waits_for_a_reconnect(
    read_once: Channel, alice: User, network: type[InboxNetwork]
) -> None:
    Channel.objects.filter(pk=read_once.pk).update(health=Health.NEEDS_RECONNECT)
    mentions = source(read_once, SourceKind.MENTIONS)
    calls = len(network.calls)
    response = signed_in(alice).post(f"{PAGE}{mentions.pk}/read/")
    said_ = [str(m) for m in get_messages(response.wsgi_request)]
    assert "needs reconnecting" in said_[0]
    assert len(network.calls) == calls  # the network was not asked


def test_members_who_may_not_configure_see_the_page_without_the_button(
    read_once: Channel, acme: Workspace, make_user
) -> None:
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    soup = page(analyst)
    assert soup.find(attrs={"data-testid": "source-row"}) is not None
    assert soup.find(attrs={"data-testid": "read-now"}) is None
    mentions = source(read_once, SourceKind.MENTIONS)
    assert signed_in(analyst).post(f"{PAGE}{mentions.pk}/read/").status_code == 403
