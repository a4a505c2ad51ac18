"""Links through the dispatcher: a published delivery carries the tagged (and shortened)
link, a retry sends the very same text, and a shortener that fails or a text that grows too
long never stops the publication: the reason is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import respx

from hubbub.core import crypto
from hubbub.core.models import AuditEntry, Workspace
from hubbub.curation.models import LinkSettings, ShortLink, UtmTemplate
from hubbub.networks.base import TransientError
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Campaign, DeliveryStatus, Post
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.publishing import conftest as publishing
from tests.publishing.conftest import NOW, reload
from tests.publishing.fake import FakeConnector

DUE = NOW + timedelta(minutes=10)
KUTT = "https://kutt.to/api/v2/links"
pytestmark = pytest.mark.django_db

# The publishing fixtures: a fake network, its channel, the frozen clock, `scheduled`.
channel = publishing.channel
clock = publishing.clock
fake_network = publishing.fake_network
owner = publishing.owner
scheduled = publishing.scheduled


@pytest.fixture
def router(fake_dns: dict[str, list[str]]) -> Iterator[respx.MockRouter]:
    fake_dns["kutt.to"] = [PUBLIC_TEST_ADDRESS]
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def tagged(acme: Workspace) -> Campaign:
    """A default template and a campaign with its own."""
    UtmTemplate.objects.create(workspace=acme)
    campaign = Campaign.objects.create(workspace=acme, name="Rentrée 2026")
    UtmTemplate.objects.create(
        workspace=acme, campaign=campaign, utm_medium="organic", utm_content="post-{post}"
    )
    return campaign


def kutt(acme: Workspace) -> None:
    LinkSettings.objects.create(workspace=acme, shortener="kutt", token=crypto.encrypt("key"))


def problems(delivery) -> list[str]:
    entry = AuditEntry.objects.get(action="links.problem", object_id=str(delivery.pk))
    return list(entry.after["problems"])


def test_a_published_delivery_carries_the_campaigns_tagged_link(scheduled, clock, tagged):
    delivery = scheduled("Nouveau guide : « https://acme.example/guide?id=3#top » !")
    Post.objects.filter(pk=delivery.post_id).update(campaign=tagged)
    clock.move_to(DUE)
    assert deliver(delivery.pk, "w1")
    [part] = FakeConnector.calls
    assert part.text == (
        "Nouveau guide : « https://acme.example/guide?id=3&utm_source=fake&utm_medium=organic"
        f"&utm_campaign=rentree-2026&utm_content=post-{delivery.post_id}#top » !"
    )
    assert reload(delivery).status == DeliveryStatus.PUBLISHED
    assert not AuditEntry.objects.filter(action="links.problem").exists()


def test_the_link_card_is_tagged_too_but_never_shortened(scheduled, clock, tagged, router):
    kutt(tagged.workspace)
    delivery = scheduled("Our autumn guide")
    delivery.variant.link = "https://acme.example/guide"
    delivery.variant.save()
    clock.move_to(DUE)
    assert deliver(delivery.pk, "w1")
    [part] = FakeConnector.calls
    # The default template; no campaign, so no utm_campaign rather than an empty one.
    assert part.link == "https://acme.example/guide?utm_source=fake&utm_medium=social"
    assert not router.calls  # the shortener was not asked
    assert reload(delivery).status == DeliveryStatus.PUBLISHED


def test_the_authors_tags_and_network_links_go_out_as_written(scheduled, clock, tagged):
    text = "https://acme.example/?utm_source=newsletter and https://youtu.be/abc"
    delivery = scheduled(text)
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    assert FakeConnector.calls[0].text == text


def test_a_retry_sends_the_same_short_link_without_shortening_again(
    scheduled, clock, tagged, router, acme
):
    kutt(acme)
    route = router.post(KUTT).respond(201, json={"link": "https://kutt.to/k4T"})
    delivery = scheduled("Read https://acme.example/guide")
    clock.move_to(DUE)
    FakeConnector.fail_next(TransientError("fake is down", status=503))
    deliver(delivery.pk, "w1")
    assert reload(delivery).status == DeliveryStatus.RETRYING
    clock.move_to(DUE + timedelta(seconds=30))
    assert deliver(delivery.pk, "w1")
    first, second = FakeConnector.calls
    assert first.text == second.text == "Read https://kutt.to/k4T"
    assert route.call_count == 1
    shortened = ShortLink.objects.get(workspace=acme)
    assert shortened.long_url == (
        "https://acme.example/guide?utm_source=fake&utm_medium=social"
    )  # the default template: this post has no campaign (so no utm_campaign)
    assert reload(delivery).status == DeliveryStatus.PUBLISHED


def test_a_failing_shortener_lets_the_long_tagged_link_go_out_and_says_why(
    scheduled, clock, tagged, router, acme
):
    kutt(acme)
    route = router.post(KUTT).respond(503, json={"error": "maintenance"})
    delivery = scheduled("Read https://acme.example/guide")
    clock.move_to(DUE)
    FakeConnector.fail_next(TransientError("fake is down", status=503))
    deliver(delivery.pk, "w1")
    # Kutt is back, but the first attempt may have reached the network with the long link:
    # the retry must send the same text, or the network could not recognise it.
    route.respond(201, json={"link": "https://kutt.to/k4T"})
    clock.move_to(DUE + timedelta(seconds=30))
    assert deliver(delivery.pk, "w1")
    long = "Read https://acme.example/guide?utm_source=fake&utm_medium=social"
    assert [c.text for c in FakeConnector.calls] == [long, long]
    assert route.call_count == 1
    assert problems(delivery) == [
        "https://acme.example/guide was not shortened: Kutt answered HTTP 503: maintenance"
    ]
    assert reload(delivery).status == DeliveryStatus.PUBLISHED


def test_a_text_that_tags_would_make_too_long_goes_out_untagged(scheduled, clock, tagged):
    text = "x" * 260 + " https://acme.example/a"  # 283 of the fake network's 300
    delivery = scheduled(text)
    clock.move_to(DUE)
    assert deliver(delivery.pk, "w1")
    assert FakeConnector.calls[0].text == text
    [problem] = problems(delivery)
    assert problem.startswith("https://acme.example/a went out without its UTM tags")


def test_without_any_template_nothing_changes_and_nothing_is_recorded(scheduled, clock):
    delivery = scheduled("Read https://acme.example/guide.")
    clock.move_to(DUE)
    deliver(delivery.pk, "w1")
    assert FakeConnector.calls[0].text == "Read https://acme.example/guide."
    assert not AuditEntry.objects.filter(action="links.problem").exists()
