"""Graphics templates over the API: CRUD, a font, a PNG drawn, and an image stored for a post
answered like an upload (with its alt text)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from hubbub.accounts.models import User
from hubbub.core.access import Access, access_workspace
from hubbub.core.actions.tokens import create_token
from hubbub.core.models import Workspace
from hubbub.curation import graphics
from hubbub.curation.models import GraphicTemplate
from hubbub.publishing import media as media_store

# The fixtures imported from graphics_helpers are parameters of the tests below.
# ruff: noqa: F811
from tests.curation.graphics_helpers import branded, make_template, media_root, owner  # noqa: F401

T = "/api/workspaces/acme/graphics/templates"
JSON = "application/json"


@pytest.fixture
def api(alice: User, acme: Workspace) -> Client:
    _token, raw = create_token(access_workspace(alice, "acme"), "script")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_templates_are_listed_created_changed_and_deleted(owner: Access, api: Client):
    assert len(api.get(T).json()) == 4  # the starting ones
    created = api.post(
        T, {"name": "Event night", "kind": "event", "background": "#000000"}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["fields"] == ["title", "when", "place", "cta"]
    assert body["font_name"] == ""
    url = f"{T}/{body['id']}"
    changed = api.put(
        url,
        {"name": "Event night", "kind": "event", "defaults": {"cta": "Come"}},
        content_type=JSON,
    )
    assert changed.status_code == 200 and changed.json()["defaults"] == {"cta": "Come"}
    bad = api.put(url, {"name": "x", "background": "red"}, content_type=JSON)
    assert bad.status_code == 400 and "#4338ca" in bad.json()["detail"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_render_answers_a_png_of_the_size(branded: Access, api: Client):
    template = make_template(branded.workspace)
    response = api.post(
        f"{T}/{template.pk}/render",
        {"size": "mastodon", "fields": {"quote": "Hi"}},
        content_type=JSON,
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1280, 720)
    unknown = api.post(f"{T}/{template.pk}/render", {"size": "myspace"}, content_type=JSON)
    assert unknown.status_code == 400 and "instagram_square" in unknown.json()["detail"]


def test_media_is_stored_and_answered_like_an_upload(branded: Access, api: Client):
    template = make_template(branded.workspace)
    response = api.post(
        f"{T}/{template.pk}/media",
        {"size": "x", "fields": {"quote": "Ship it", "person": "Ann"}},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mime_type"], body["width"], body["height"]) == ("image/png", 1600, 900)
    assert body["alt_text"] == "Quote: “Ship it” — Ann"
    assert media_store.inspect(branded.workspace, body["path"]).size == body["size"]


def test_a_font_upload_is_checked(owner: Access, api: Client):
    template = make_template(owner.workspace)
    url = f"{T}/{template.pk}/font"
    bad = api.post(url, {"file": io.BytesIO(b"hello")})
    assert bad.status_code == 400 and "TrueType or OpenType" in bad.json()["detail"]
    good = io.BytesIO(graphics.BUNDLED_REGULAR.read_bytes())
    good.name = "brand.ttf"
    response = api.post(url, {"file": good})
    assert response.status_code == 200 and response.json()["font_name"] == "DejaVu Sans"
    assert GraphicTemplate.objects.get(pk=template.pk).font_path.startswith("acme/fonts/")


def test_another_workspaces_template_is_not_found(owner: Access, api: Client, globex):
    theirs = make_template(globex, name="Theirs")
    assert api.get(f"{T}/{theirs.pk}").status_code == 404
    assert api.post(f"{T}/{theirs.pk}/media", {}, content_type=JSON).status_code == 404
