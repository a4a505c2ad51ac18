"""Feeds and the library over the API, as a script uses them: subscribe (and a refusal with
its reason), list with unread counts, pause, items and read marks, save to the library,
library items in and out (JSON and an image upload), approval, CSV and OPML."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.curation.models import Feed, FeedItem, LibraryItem
from tests.api.conftest import Api, token_api
from tests.curation.feed_server import FeedServer, answer, rss, rss_item, server

__all__ = ["server"]

pytestmark = pytest.mark.django_db
W = "/workspaces/acme"


@pytest.fixture
def api(alice, acme: Workspace) -> Api:
    return token_api(alice, acme)


@pytest.fixture
def article(acme: Workspace) -> FeedItem:
    feed = Feed.objects.create(workspace=acme, url="https://journal.example/rss", title="Journal")
    return FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k1",
        url="https://journal.example/a1",
        title="Coffee prices rise",
        author="Jeanne Roy",
        published_at=timezone.now(),
    )


@pytest.mark.usefixtures("private_networks_allowed")
def test_subscribe_list_pause_and_unsubscribe(server: FeedServer, api: Api) -> None:
    server.routes["/rss"] = answer(rss(rss_item("https://c.example/1", "Beans")).encode())
    created = api.post(f"{W}/feeds", {"url": server.url("/rss"), "topic": "Coffee"})
    assert created.status_code == 201, created.content
    feed = created.json()
    assert (feed["title"], feed["topic"], feed["last_found"]) == ("Coffee Weekly", "Coffee", 1)
    assert api.get(f"{W}/feeds").json()[0]["unread"] == 1
    paused = api.patch(f"{W}/feeds/{feed['id']}", {"is_active": False}).json()
    assert paused["is_active"] is False and paused["topic"] == "Coffee"
    assert api.delete(f"{W}/feeds/{feed['id']}").status_code == 204
    assert Feed.objects.count() == 0


def test_a_private_feed_address_is_a_400_with_the_reason(api: Api) -> None:
    response = api.post(f"{W}/feeds", {"url": "http://192.168.1.10/rss"})
    assert response.status_code == 400
    assert "private or local address" in response.json()["detail"]


def test_items_read_marks_and_save_to_library(api: Api, article: FeedItem) -> None:
    listed = api.get(f"{W}/feed-items", unread="true").json()
    assert [i["id"] for i in listed] == [article.pk]
    assert listed[0]["share"] == f"feed:{article.pk}"
    assert api.post(f"{W}/feed-items/read", {"item_ids": [article.pk]}).json() == {"count": 1}
    assert api.get(f"{W}/feed-items", unread="true").json() == []
    saved = api.post(f"{W}/feed-items/{article.pk}/save")
    assert saved.status_code == 201
    assert (saved.json()["kind"], saved.json()["source_author"]) == ("article", "Jeanne Roy")


def test_library_items_in_out_and_approved(api: Api, bob, acme: Workspace) -> None:
    created = api.post(
        f"{W}/library",
        {"kind": "snippet", "title": "Thanks", "text": "Thank you!", "tags": ["care"]},
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["tags"] == ["care"] and item["approved"] is False
    assert api.post(f"{W}/library/{item['id']}/approve", {"approved": True}).json()["approved"]
    editor = token_api(bob, acme)
    refused = editor.post(f"{W}/library/{item['id']}/approve", {"approved": False})
    assert refused.status_code == 403
    found = api.get(f"{W}/library", q="thank", tag="care").json()
    assert [f["id"] for f in found] == [item["id"]]
    bad = api.post(f"{W}/library", {"kind": "link", "title": "x", "url": "ftp://x"})
    assert bad.status_code == 400 and bad.json()["field"] == "url"


def test_an_image_is_uploaded_as_multipart(api: Api, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, format="PNG")
    out.seek(0)
    out.name = "red.png"
    response = Client().post(
        f"/api{W}/library",
        {"file": out, "kind": "image", "title": "Red", "alt_text": "A red square", "tags": "a b"},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["media_path"].endswith(".png")
    assert LibraryItem.objects.get().width == 20


def test_csv_and_opml_round_trips(api: Api, article: FeedItem) -> None:
    content = b"kind,title,text,url,tags,language\nsnippet,Hi,Hello,,,\nlink,Bad,,nope,,\n"
    response = Client().post(
        f"/api{W}/library/import",
        {"file": io.BytesIO(content)},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.json()["added"] == 1
    assert response.json()["problems"][0].startswith("Line 3:")
    exported = api.get(f"{W}/library/export.csv")
    assert b"snippet,Hi,Hello" in exported.content
    opml = api.get(f"{W}/feeds/opml")
    assert b'xmlUrl="https://journal.example/rss"' in opml.content
