"""WordPress for real: Debian's WordPress on loopback (scripts/peers-wordpress.sh), connected
through Hubbub's connect action, posted to, commented on by other users, replied to, deleted.
What WordPress stores is read back through its own REST API, as an administrator would."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from hubbub.core.access import access_workspace
from hubbub.core.models import Workspace
from hubbub.networks.actions import check_channel
from hubbub.networks.base import ConnectorError
from hubbub.networks.models import Channel, Health
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.wordpress.connect import connect_wordpress
from hubbub.networks.wordpress.connector import WordPressConnector
from tests.peers.wordpress_site import WordPressSite, wordpress_site_fixture  # noqa: F401

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]

ALT = "A red square on white"


def connect(site: WordPressSite, alice: Any, who: str = "admin", **options: Any) -> Channel:
    user = site.users[who]
    # As WordPress shows it: four-letter groups separated by spaces.
    shown = " ".join(user.password[i : i + 4] for i in range(0, len(user.password), 4))
    return connect_wordpress(
        access_workspace(alice, "acme"), site.url, user.login, shown, **options
    )


def key() -> str:
    return f"peer-{time.time_ns()}"


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "carré rouge.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text=ALT, width=120, height=80)


def test_connect_then_publish_a_post_with_a_featured_image_then_delete_it(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace, png: MediaFile
) -> None:
    channel = connect(wordpress_site, alice)

    assert channel.external_id == wordpress_site.url
    assert channel.handle == channel.name == "Hubbub Test Blog"
    assert channel.profile_url == wordpress_site.url
    assert channel.config["api_root"] == f"{wordpress_site.url}/wp-json/"
    assert channel.config["user_id"] == wordpress_site.users["admin"].id
    assert channel.config["can_upload"] is True
    assert channel.credentials["application_password"] == wordpress_site.users["admin"].password

    text = (
        "Spring launch\n\nIt starts today: https://example.com/launch?x=1&y=2\n"
        "See <you> there & then."
    )
    part = OutgoingPart(text=text, idempotency_key=key(), media=(png,))
    connector = WordPressConnector(channel)
    ref = connector.publish(part)

    post = wordpress_site.get(f"/wp/v2/posts/{ref.external_id}", context="edit")
    assert post["status"] == "publish"
    assert post["link"] == ref.url
    assert post["title"]["raw"] == "Spring launch"
    assert post["content"]["raw"] == (
        '<p>It starts today: <a href="https://example.com/launch?x=1&amp;y=2">'
        "https://example.com/launch?x=1&amp;y=2</a><br>\nSee &lt;you&gt; there &amp; then.</p>"
    )
    assert post["author"] == wordpress_site.users["admin"].id
    media = wordpress_site.get(f"/wp/v2/media/{post['featured_media']}", context="edit")
    assert media["alt_text"] == ALT
    assert media["mime_type"] == "image/png"
    assert media["media_details"]["width"] == 120 and media["media_details"]["height"] == 80
    assert httpx.get(media["source_url"], timeout=30).content == png.path.read_bytes()
    # The public page shows the title, the text as written, and the image with its alt text.
    page = httpx.get(ref.url, timeout=30).text
    assert "Spring launch" in page and "See &lt;you&gt; there &amp; then." in page
    assert f'alt="{ALT}"' in page

    # After an attempt whose outcome was unknown, the part is found by its slug.
    assert connector.find_published(part) == ref
    assert connector.find_published(OutgoingPart(text=text, idempotency_key=key())) is None

    connector.delete(ref)
    assert wordpress_site.get(f"/wp/v2/posts/{ref.external_id}", context="edit")["status"] == (
        "trash"
    )
    connector.delete(ref)  # already in the trash: nothing to do, no error
    assert connector.find_published(part) is None  # the trash is not "published"


def test_draft_and_scheduled_posts(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    """A part reaching WordPress before its due time is scheduled there (status future);
    one due already is published, dated now; the draft option saves drafts."""
    channel = connect(wordpress_site, alice)
    connector = WordPressConnector(channel)
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)

    ahead = connector.publish(
        OutgoingPart(text="Sent ahead of its time", idempotency_key=key(), not_before=due)
    )
    late = connector.publish(
        OutgoingPart(
            text="Due an hour ago",
            idempotency_key=key(),
            not_before=datetime.now(UTC) - timedelta(hours=1),
        )
    )

    scheduled = wordpress_site.get(f"/wp/v2/posts/{ahead.external_id}", context="edit")
    assert scheduled["status"] == "future"
    assert scheduled["date_gmt"] == due.strftime("%Y-%m-%dT%H:%M:%S")
    published = wordpress_site.get(f"/wp/v2/posts/{late.external_id}", context="edit")
    assert published["status"] == "publish"  # not back-dated, not held
    assert abs(
        datetime.fromisoformat(published["date_gmt"]).replace(tzinfo=UTC) - datetime.now(UTC)
    ) < timedelta(minutes=2)

    channel.config = {**channel.config, "post_status": "draft", "categories": [1]}
    channel.save()
    part = OutgoingPart(text="For the editor", idempotency_key=key())
    draft_ref = WordPressConnector(channel).publish(part)
    draft = wordpress_site.get(f"/wp/v2/posts/{draft_ref.external_id}", context="edit")
    assert draft["status"] == "draft" and draft["categories"] == [1]
    assert WordPressConnector(channel).find_published(part) == draft_ref  # drafts are found too
    for ref in (ahead, late, draft_ref):
        connector.delete(ref)


def test_comments_are_read_with_a_cursor_and_answered(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    channel = connect(wordpress_site, alice)
    connector = WordPressConnector(channel)
    ref = connector.publish(OutgoingPart(text="Tell us what you think", idempotency_key=key()))
    post_id = int(ref.external_id)

    first = wordpress_site.post(
        "/wp/v2/comments",
        {"post": post_id, "content": "Love it &amp; <b>really</b> so\n\nSecond paragraph"},
        who="commenter",
    )
    page1 = connector.fetch_comments(ref, None)

    assert [i.external_id for i in page1.items] == [str(first["id"])]
    item = page1.items[0]
    assert item.text == "Love it & really so\n\nSecond paragraph"
    assert item.author.handle == "Commenter"
    assert item.author.external_id == str(wordpress_site.users["commenter"].id)
    assert item.created_at == datetime.fromisoformat(first["date_gmt"]).replace(tzinfo=UTC)
    assert item.url == first["link"] and item.in_reply_to == ref.external_id
    assert page1.cursor and page1.more is False

    # Two more from another person, likely within the same second as each other.
    more = [
        wordpress_site.post("/wp/v2/comments", {"post": post_id, "content": n}, who="editor")
        for n in ("Two", "Three")
    ]
    page2 = connector.fetch_comments(ref, page1.cursor)
    assert [i.external_id for i in page2.items] == [str(c["id"]) for c in more]
    assert [i.text for i in page2.items] == ["Two", "Three"]
    page3 = connector.fetch_comments(ref, page2.cursor)
    assert page3.items == [] and page3.cursor

    # A comment held for moderation is read at once (approved later, it keeps its date).
    held = wordpress_site.post(
        "/wp/v2/comments", {"post": post_id, "content": "Wait", "status": "hold"}, who="editor"
    )
    assert held["status"] == "hold"
    page_held = connector.fetch_comments(ref, page3.cursor)
    assert [(i.external_id, i.data["status"]) for i in page_held.items] == [
        (str(held["id"]), "hold")
    ]
    page3 = page_held

    # Reply to the first comment, as the inbox does: the post is the root, the comment the
    # parent, with the data the comment was read with.
    parent = PublishedRef(external_id=item.external_id, url=item.url, data=item.data)
    reply_part = OutgoingPart(
        text="Thank you! More at https://example.com",
        idempotency_key=key(),
        reply_to=ReplyTarget(root=ref, parent=parent),
        not_before=datetime.now(UTC),
    )
    reply = connector.publish(reply_part)

    stored = wordpress_site.get(f"/wp/v2/comments/{reply.external_id}", context="edit")
    assert stored["post"] == post_id and stored["parent"] == first["id"]
    assert stored["author"] == wordpress_site.users["admin"].id
    assert 'href="https://example.com"' in stored["content"]["raw"]
    assert reply.url == stored["link"]
    # The channel's own reply is not incoming; the cursor moves past it.
    page4 = connector.fetch_comments(ref, page3.cursor)
    assert page4.items == []
    assert connector.find_published(reply_part) == reply

    connector.delete(reply)
    assert (
        wordpress_site.get(f"/wp/v2/comments/{reply.external_id}", context="edit")["status"]
        == "trash"
    )
    connector.delete(ref)


def test_a_revoked_application_password_needs_a_reconnect(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    channel = connect(wordpress_site, alice)
    channel.credentials = {**channel.credentials, "application_password": "x" * 24}
    channel.save()

    with pytest.raises(ConnectorError) as caught:
        WordPressConnector(channel).publish(OutgoingPart(text="Nope", idempotency_key=key()))
    assert caught.value.needs_reconnect is True and caught.value.status == 401
    assert "reconnect" in caught.value.message

    check_channel(channel)
    channel.refresh_from_db()
    assert channel.health == Health.NEEDS_RECONNECT
    assert "application password" in channel.health_message


def test_connecting_with_a_wrong_password_or_a_user_who_cannot_publish_is_refused(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    from hubbub.core.access import ActionError

    owner = access_workspace(alice, "acme")
    with pytest.raises(ActionError) as wrong:
        connect_wordpress(
            owner, wordpress_site.url, "hubbub-admin", "abcd efgh ijkl mnop qrst uvwx"
        )
    assert wrong.value.field == "application_password"
    assert "did not accept the username and application password" in wrong.value.message

    with pytest.raises(ActionError) as contributor:
        connect(wordpress_site, alice, who="contributor")
    assert contributor.value.field == "username"
    assert "cannot publish posts" in contributor.value.message
    assert "contributor" in contributor.value.message
    assert not Channel.objects.filter(workspace=acme, network="wordpress").exists()


def test_a_site_without_pretty_permalinks_is_used_through_rest_route(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    """?rest_route=/ serves the same API on any WordPress: the form a site without pretty
    permalinks names in its Link header. Query parameters must travel beside rest_route."""
    channel = connect(wordpress_site, alice)
    channel.config = {**channel.config, "api_root": f"{wordpress_site.url}/?rest_route=/"}
    channel.save()
    connector = WordPressConnector(channel)
    part = OutgoingPart(text="Through rest_route", idempotency_key=key())

    ref = connector.publish(part)
    assert connector.find_published(part) == ref  # slug, status and context as parameters
    wordpress_site.post(
        "/wp/v2/comments", {"post": int(ref.external_id), "content": "Seen"}, who="editor"
    )
    assert [i.text for i in connector.fetch_comments(ref, None).items] == ["Seen"]
    connector.delete(ref)
    assert wordpress_site.get(f"/wp/v2/posts/{ref.external_id}", context="edit")["status"] == (
        "trash"
    )


def test_comments_closed_by_the_channel_option_refuse_replies(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    channel = connect(wordpress_site, alice, comment_status="closed")
    connector = WordPressConnector(channel)
    ref = connector.publish(OutgoingPart(text="No comments here", idempotency_key=key()))
    stored = wordpress_site.get(f"/wp/v2/posts/{ref.external_id}", context="edit")
    assert stored["comment_status"] == "closed"

    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            OutgoingPart(text="Reply", idempotency_key=key(), reply_to=ReplyTarget(ref, ref))
        )
    assert caught.value.permanent and "Comments are closed on this post" in caught.value.message
    connector.delete(ref)


def test_a_post_goes_through_hubbubs_publishing_pipeline(
    wordpress_site: WordPressSite, alice: Any, acme: Workspace
) -> None:
    """Written in Hubbub, scheduled for tomorrow, sent by the dispatcher when due (Hubbub's
    clock moved to tomorrow; WordPress's stays today), published on the site."""
    import time_machine

    from hubbub.core.access import Access
    from hubbub.core.roles import Role
    from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
    from hubbub.publishing.dispatcher import deliver
    from hubbub.publishing.models import Delivery, DeliveryStatus

    channel = connect(wordpress_site, alice)
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)
    planned = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    title = f"Tomorrow {key()}"
    draft = create_draft(
        owner, purpose="news", variants=[VariantInput(channel, [f"{title}\n\nSoon."])]
    )
    schedule_post(owner, draft, planned)
    delivery = Delivery.objects.get(post=draft)

    with time_machine.travel(planned, tick=True):
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.last_error
    ref = delivery.refs()[0]
    stored = wordpress_site.get(f"/wp/v2/posts/{ref.external_id}", context="edit")
    assert stored["status"] == "publish" and stored["title"]["raw"] == title
    assert delivery.published_url == stored["link"]
    WordPressConnector(channel).delete(ref)
