"""Uploading images through the API: the same checks as the composer."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from tests.api.conftest import make_token


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def upload(token: str, name: str, content: bytes):
    return Client().post(
        "/api/workspaces/acme/media",
        {"file": io.BytesIO(content) if False else _file(name, content)},
        headers={"Authorization": f"Bearer {token}"},
    )


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "JPEG")
    return out.getvalue()


def test_an_image_is_stored_and_described(alice, acme, tmp_path):
    content = jpeg(64, 48)
    response = upload(make_token(alice, acme), "sale.jpg", content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mime_type"] == "image/jpeg"
    assert (body["width"], body["height"], body["size"]) == (64, 48, len(content))
    assert body["path"].startswith("acme/") and body["path"].endswith(".jpg")
    assert (tmp_path / body["path"]).read_bytes() == content


def test_a_file_that_is_not_an_image_is_refused(alice, acme):
    response = upload(make_token(alice, acme), "notes.jpg", b"plain text, really")
    assert response.status_code == 400
    assert response.json() == {
        "detail": (
            "This file is not an image or a video: upload a JPEG, PNG, WebP or GIF picture, "
            "or an MP4, MOV or WebM video."
        ),
        "field": "media",
    }


def test_a_missing_file_says_which_field(alice, acme):
    response = Client().post(
        "/api/workspaces/acme/media",
        {},
        headers={"Authorization": f"Bearer {make_token(alice, acme)}"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"


def test_an_analyst_may_not_upload(make_user, acme):
    from hubbub.core.models import Membership
    from hubbub.core.roles import Role

    analyst = make_user("analyst@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    response = upload(make_token(analyst, acme), "sale.jpg", jpeg(8, 8))
    assert response.status_code == 403


def test_a_post_carries_an_uploaded_image_and_keeps_it_when_its_text_is_edited(alice, acme):
    from hubbub.networks.models import Channel

    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    token = make_token(alice, acme)
    auth = {"Authorization": f"Bearer {token}"}
    path = upload(token, "sale.jpg", jpeg(64, 48)).json()["path"]
    variant = {
        "channel_id": channel.pk,
        "parts": ["Spring sale!"],
        "media": [{"path": path, "alt_text": "A bag of coffee beans"}],
    }
    created = Client().post(
        "/api/workspaces/acme/posts",
        {"purpose": "sale", "variants": [variant]},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    [media] = created.json()["variants"][0]["media"]
    assert media == {
        "path": path,
        "mime_type": "image/jpeg",  # read from the file, not the caller's word
        "size": len(jpeg(64, 48)),
        "width": 64,
        "height": 48,
        "alt_text": "A bag of coffee beans",
        "part_index": 0,
    }
    post_id = created.json()["id"]
    edited = Client().patch(
        f"/api/workspaces/acme/posts/{post_id}",
        {"variants": [{"channel_id": channel.pk, "parts": ["Spring sale, now!"]}]},
        content_type="application/json",
        headers=auth,
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["variants"][0]["media"][0]["alt_text"] == "A bag of coffee beans"


def test_a_post_cannot_take_a_file_that_was_not_uploaded_to_its_workspace(alice, acme, tmp_path):
    from hubbub.networks.models import Channel

    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    (tmp_path / "globex").mkdir()
    (tmp_path / "globex" / "secret.jpg").write_bytes(jpeg(8, 8))
    response = Client().post(
        "/api/workspaces/acme/posts",
        {
            "purpose": "sale",
            "variants": [
                {
                    "channel_id": channel.pk,
                    "parts": ["Hi"],
                    "media": [{"path": "globex/secret.jpg"}],
                }
            ],
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {make_token(alice, acme)}"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "globex/secret.jpg is not a file uploaded to this workspace: upload it again."
    )
