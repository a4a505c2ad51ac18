"""Instagram through the dispatcher: a post's photo is served at its public address, a
container still processing makes the delivery wait and resume the same container, and the
first comment is posted on the published media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from django.test import Client
from PIL import Image

from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import MediaInput, VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.facebook.conftest import GRAPH, form
from tests.networks.instagram.conftest import (
    CONTAINER,
    LIMIT,
    MEDIA,
    MEDIA_ID,
    PERMALINK,
    PUBLISH,
    STATUS,
    quota,
    status,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_a_post_waits_for_processing_then_publishes_with_its_first_comment(
    router: respx.MockRouter, channel: Channel, media_root: Path, alice, acme: Workspace
) -> None:
    stored = media_root / "acme" / "latte.png"
    Image.new("RGB", (1080, 1350), (120, 80, 40)).save(stored)
    media = MediaInput("acme/latte.png", "image/png", stored.stat().st_size, "A latte", 1080, 1350)
    create = router.post(MEDIA).respond(200, json={"id": CONTAINER})
    poll = router.get(STATUS).respond(200, json=status("IN_PROGRESS"))
    router.get(LIMIT).respond(200, json=quota(1))
    publish = router.post(PUBLISH).respond(200, json={"id": MEDIA_ID})
    router.get(f"{GRAPH}/{MEDIA_ID}").respond(200, json={"permalink": PERMALINK, "id": MEDIA_ID})
    comment = router.post(f"{GRAPH}/{MEDIA_ID}/comments").respond(200, json={"id": "178709"})
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)

    with time_machine.travel(NOW, tick=False) as clock:
        variant = VariantInput(channel, ["Latte art"], first_comment="Menu in bio", media=[media])
        post = create_draft(owner, purpose="latte", variants=[variant])
        schedule_post(owner, post, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=10))

        deliver(delivery.pk, "w1")  # Meta is still processing: come back later

        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING
        assert "still processing" in delivery.last_error
        # Meta fetches the image from its public address: a JPEG made from the PNG.
        address = form(create.calls.last.request)["image_url"][0]
        fetched = Client().get(address.removeprefix("https://hubbub.example"))
        assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"

        poll.respond(200, json=status("FINISHED"))
        clock.move_to(delivery.next_attempt_at)
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert delivery.published_url == PERMALINK
    assert create.call_count == 1 and publish.call_count == 1
    assert form(comment.calls.last.request)["message"] == ["Menu in bio"]


def test_a_container_meta_rejects_needs_a_person(
    router: respx.MockRouter, channel: Channel, media_root: Path, alice, acme: Workspace
) -> None:
    stored = media_root / "acme" / "latte.jpg"
    Image.new("RGB", (1080, 1080), (120, 80, 40)).save(stored, "JPEG")
    media = MediaInput("acme/latte.jpg", "image/jpeg", stored.stat().st_size, "", 1080, 1080)
    router.post(MEDIA).respond(200, json={"id": CONTAINER})
    router.get(STATUS).mock(
        return_value=httpx.Response(
            200, json=status("ERROR", "Error: The image format is not supported (2207009)")
        )
    )
    owner = Access(user=alice, workspace=acme, role=Role.OWNER)

    with time_machine.travel(NOW, tick=False) as clock:
        post = create_draft(
            owner, purpose="latte", variants=[VariantInput(channel, ["Latte"], media=[media])]
        )
        schedule_post(owner, post, NOW + timedelta(minutes=10))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=10))
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.NEEDS_ATTENTION
    assert "The image format is not supported" in delivery.last_error
