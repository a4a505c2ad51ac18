# ruff: noqa: F811  (pytest fixtures imported from guardrails_support are redefined as arguments)
"""Each guardrail on a table of cases, in English and French, with the false-positive traps
(an order number that looks like a phone, an e-mail inside a link); each finding's span is
checked to be exactly the text it quotes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.curation import guardrails, tone
from hubbub.curation.guardrails import links, personal_data
from hubbub.curation.models import Feed, FeedItem
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import VariantInput, create_draft
from hubbub.publishing.models import WorkspacePublishing
from tests.curation.guardrails_support import (  # noqa: F401  (fixtures)
    channel,
    clock,
    fake_network,
    found,
    owner,
    persona,
    set_mode,
    subject_of_text,
)
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db


# --- personal data ------------------------------------------------------------------------

PERSONAL_DATA = [
    ("Write to jane.doe@example.com today", [("email", "jane.doe@example.com")]),
    ("Écrivez à marie.dupont@exemple.fr pour réserver", [("email", "marie.dupont@exemple.fr")]),
    # an e-mail inside a link is part of the link
    ("Unsubscribe: https://news.example.com/u?to=jane@example.com", []),
    ("Call us: +33 6 12 34 56 78", [("phone", "+33 6 12 34 56 78")]),
    ("Appelez le 06 12 34 56 78 avant midi", [("phone", "06 12 34 56 78")]),
    ("Ring (555) 123-4567 now", [("phone", "(555) 123-4567")]),
    # phone-like order and reference numbers, years and prices are not phones
    ("Your order #4815162342 has shipped", []),
    ("Commande n° 06 12 34 56 78 expédiée", []),
    ("Order 555-123-4567 is on its way", []),
    ("Our 2024-2025 season, 1 299 000 visitors", []),
    ("Card 4111 1111 1111 1111 works", [("card", "4111 1111 1111 1111")]),
    ("Card 4111 1111 1111 1112 fails Luhn", []),
    ("IBAN FR76 3000 6000 0112 3456 7890 189 svp", [("iban", "FR76 3000 6000 0112 3456 7890 189")]),
    ("IBAN FR76 3000 6000 0112 3456 7890 188 wrong checksum", []),
    ("DE89370400440532013000", [("iban", "DE89370400440532013000")]),
]


@pytest.mark.parametrize(("text", "expected"), PERSONAL_DATA)
def test_personal_data_finds_exactly_these_spans(text: str, expected: list[tuple[str, str]]):
    got = [(kind, text[start:end]) for kind, start, end in personal_data.find(text)]
    assert got == expected


def test_a_personal_data_finding_names_the_rule_part_and_span(acme: Workspace):
    subject = subject_of_text(acme, "Hello!", "Mail jane@example.com for tickets")
    [finding] = found(subject, "personal_data")
    assert finding.label == "Personal data" and finding.mode == "warn"
    assert finding.part_number == 2
    assert (finding.start, finding.end, finding.matched) == (5, 21, "jane@example.com")
    assert "e-mail" in finding.message


def test_a_rule_that_is_off_says_nothing_and_one_set_to_block_blocks(acme: Workspace):
    subject = subject_of_text(acme, "Mail jane@example.com")
    set_mode(acme, "personal_data", "off")
    assert found(subject, "personal_data") == []
    set_mode(acme, "personal_data", "block")
    assert [f.blocks for f in found(subject, "personal_data")] == [True]


def test_the_kinds_option_limits_what_personal_data_looks_for(acme: Workspace):
    set_mode(acme, "personal_data", "warn", kinds=["card"])
    assert found(subject_of_text(acme, "Mail jane@example.com"), "personal_data") == []


# --- persona: words, language, tone -------------------------------------------------------


@pytest.mark.parametrize(
    ("avoid", "text", "matched"),
    [
        (["cheap"], "A cheap trick", ["cheap"]),
        (["génial"], "C'est GENIAL, vraiment génial", ["GENIAL", "génial"]),
        (["cheap"], "Cheapskates and cheaper things", []),  # whole words only
        (["best ever"], "The best   ever launch", ["best   ever"]),
        (["promo"], "Our #promo starts", ["#promo"]),
    ],
)
def test_banned_words_are_matched_whole_ignoring_case_and_accents(
    acme: Workspace, channel: Channel, avoid: list[str], text: str, matched: list[str]
):
    persona(acme, channel, words_to_avoid=avoid)
    findings = found(subject_of_text(acme, text, channel=channel), "banned_words")
    assert [f.matched for f in findings] == matched
    assert all(text[f.start : f.end] == f.matched for f in findings)  # type: ignore[misc]
    assert all(f.blocks for f in findings)  # banned words block by default


def test_banned_words_follow_the_personas_of_the_channel_only(acme: Workspace, channel: Channel):
    persona(acme, None, words_to_avoid=["cheap"])  # attached to nothing
    assert found(subject_of_text(acme, "A cheap trick", channel=channel), "banned_words") == []


def test_the_workspace_list_of_banned_words_applies_without_persona(acme: Workspace):
    set_mode(acme, "banned_words", "block", words=["guaranteed"])
    [finding] = found(subject_of_text(acme, "Results guaranteed!"), "banned_words")
    assert finding.matched == "guaranteed"


def test_required_words_say_which_are_missing(acme: Workspace, channel: Channel):
    persona(acme, channel, words_to_use=["bike", "vélo"])
    assert found(subject_of_text(acme, "Ride your vélo", channel=channel), "required_words") == []
    [finding] = found(subject_of_text(acme, "Ride your car", channel=channel), "required_words")
    assert "“bike”" in finding.message and finding.start is None


def test_a_text_in_a_language_the_persona_does_not_declare_is_said_clearly(
    acme: Workspace, channel: Channel
):
    persona(acme, channel, name="Ava", languages=["en"])
    text = "Nous sommes ravis de vous présenter notre nouvelle collection d'automne."
    [finding] = found(subject_of_text(acme, text, channel=channel), "persona_language")
    assert "French (fr)" in finding.message and "English (en)" in finding.message
    assert "Ava" in finding.message
    english = "We are delighted to show you our new autumn collection today."
    assert found(subject_of_text(acme, english, channel=channel), "persona_language") == []


def test_tone_far_from_the_examples_is_said_with_reasons(acme: Workspace, channel: Channel):
    examples = [
        "We restored the old mill this spring. Come and see it on Saturday.",
        "Our volunteers planted forty trees along the river this week.",
        "The library opens late on Thursdays. Bring a friend and a book.",
        "A quiet walk through the park at dawn is the best start to a day.",
    ]
    persona(acme, channel, tone_profile=tone.profile(examples))
    calm = "The garden opens on Sunday. Bring your family for a walk."
    assert found(subject_of_text(acme, calm, channel=channel), "tone") == []
    loud = "BUY NOW!!! HUGE SALE!!! DON'T MISS IT!!! 🔥🔥🔥 #deal #sale #wow"
    [finding] = found(subject_of_text(acme, loud, channel=channel), "tone")
    assert "Ava" in finding.message and finding.matched == loud


# --- disclosure, attribution, alt text, crisis --------------------------------------------


@pytest.mark.parametrize(
    ("parts", "said"),
    [
        (["New shoes from Brandly #ad"], True),
        (["Nouvelles chaussures #sponsorisé"], True),
        (["En partenariat rémunéré avec Brandly"], True),
        (["Paid partnership with Brandly: new shoes"], True),
        (["New shoes from Brandly"], False),
        (["New shoes from Brandly", "#ad"], False),  # too late: in the last part of a thread
        (["We had a #adventure"], False),  # #ad must be a whole tag
    ],
)
def test_a_sponsored_post_must_disclose_in_its_first_part(
    acme: Workspace, parts: list[str], said: bool
):
    subject = subject_of_text(acme, *parts, sponsored=True, partner="Brandly")
    findings = found(subject, "disclosure")
    assert (findings == []) is said
    if not said:
        assert "Brandly" in findings[0].message and findings[0].blocks


def test_a_post_that_is_not_sponsored_needs_no_disclosure(acme: Workspace):
    assert found(subject_of_text(acme, "New shoes"), "disclosure") == []


@pytest.fixture
def feed_item(acme: Workspace) -> FeedItem:
    feed = Feed.objects.create(
        workspace=acme, url="https://cycling.example/feed", title="Cycling Weekly"
    )
    return FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k1",
        url="https://cycling.example/lanes",
        title="New bike lanes",
        author="Sam Reed",
        published_at=NOW,
    )


@pytest.mark.parametrize(
    ("text", "credited"),
    [
        ("Great read on bike lanes https://cycling.example/lanes", True),
        ("Great read on bike lanes, via cycling.example", True),
        ("Great read by Sam Reed on bike lanes", True),
        ("Super article de Cycling Weekly sur les pistes", True),
        ("Great read on bike lanes", False),
    ],
)
def test_curated_content_must_credit_its_source(
    acme: Workspace, feed_item: FeedItem, text: str, credited: bool
):
    subject = subject_of_text(acme, text, share_sources=[f"feed:{feed_item.pk}"])
    findings = found(subject, "attribution")
    assert (findings == []) is credited
    if not credited:
        assert "New bike lanes" in findings[0].message


def test_another_workspace_feed_item_is_no_source(acme: Workspace, globex: Workspace, feed_item):
    subject = subject_of_text(globex, "Great read", share_sources=[f"feed:{feed_item.pk}"])
    assert found(subject, "attribution") == []


def test_an_image_without_alt_text_is_said(acme: Workspace):
    media = [
        guardrails.MediaAlt("cat.png", "A cat asleep on a keyboard"),
        guardrails.MediaAlt("dog.png", "  ", part_index=1),
        guardrails.MediaAlt("clip.mp4", "", is_image=False),
    ]
    [finding] = found(subject_of_text(acme, "Pets", media=media), "alt_text")
    assert "dog.png" in finding.message and "part 2" in finding.message


def test_posting_while_crisis_mode_is_on_is_said(acme: Workspace, alice):
    assert found(subject_of_text(acme, "Hello"), "crisis") == []
    WorkspacePublishing.objects.create(workspace=acme, paused_at=NOW, paused_by=alice)
    [finding] = found(subject_of_text(acme, "Hello"), "crisis")
    assert "paused" in finding.message


# --- near-duplicates ----------------------------------------------------------------------

ANNOUNCEMENT = "Our spring sale starts Monday: 20% off every bike in the shop until Sunday."


@pytest.fixture
def earlier_post(owner: Access, channel: Channel, clock: time_machine.Traveller):
    return create_draft(
        owner, purpose="spring sale", variants=[VariantInput(channel, [ANNOUNCEMENT])]
    )


@pytest.mark.parametrize(
    ("text", "duplicate"),
    [
        (ANNOUNCEMENT, True),
        ("Our spring sale starts Monday: 20% off every bike in the shop until Sunday!!", True),
        ("Notre vente de printemps commence lundi : -20 % sur tous les vélos.", False),
        ("The river walk is open again after the floods; mind the mud.", False),
    ],
)
def test_a_near_duplicate_of_a_recent_post_is_said(
    acme: Workspace, earlier_post, text: str, duplicate: bool
):
    findings = found(subject_of_text(acme, text), "duplicate")
    assert bool(findings) is duplicate
    if duplicate:
        assert "spring sale" in findings[0].message


def test_a_post_is_not_a_duplicate_of_itself(acme: Workspace, earlier_post):
    subject = subject_of_text(acme, ANNOUNCEMENT, post_id=earlier_post.pk)
    assert found(subject, "duplicate") == []


def test_a_post_older_than_the_window_is_not_compared(
    acme: Workspace, earlier_post, clock: time_machine.Traveller
):
    set_mode(acme, "duplicate", "warn", days=7)
    clock.shift(timedelta(days=8))
    assert found(subject_of_text(acme, ANNOUNCEMENT), "duplicate") == []


# --- links --------------------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(200 if self.path == "/ok" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_link_that_answers_404_is_said_and_one_that_works_is_not(
    acme: Workspace, site: str, private_networks_allowed: None
):
    text = f"Read {site}/ok and {site}/gone."
    [finding] = found(subject_of_text(acme, text), "links")
    assert finding.matched == f"{site}/gone"  # the sentence's full stop is not the link's
    assert "404" in finding.message


def test_a_link_to_a_private_address_is_refused_without_the_setting(acme: Workspace, site: str):
    [finding] = found(subject_of_text(acme, "x", link=f"{site}/ok"), "links")
    assert "private" in finding.message and finding.where == guardrails.base.LINK_FIELD


def test_a_link_whose_host_does_not_exist_is_said(acme: Workspace):
    [finding] = found(subject_of_text(acme, "See https://nowhere.acme-shop.fr/page"), "links")
    assert "cannot be found" in finding.message


def test_a_placeholder_address_is_said_without_a_request(acme: Workspace, monkeypatch):
    monkeypatch.setattr(links, "_probe", lambda url: pytest.fail("no request expected"))
    text = "Tickets: https://tickets.example.com/spring and https://shop.test/"
    findings = found(subject_of_text(acme, text), "links")
    assert [f.matched for f in findings] == [
        "https://tickets.example.com/spring",
        "https://shop.test/",
    ]
    assert all("example address" in f.message for f in findings)


def test_a_link_is_checked_once_for_a_few_minutes(acme: Workspace, monkeypatch):
    calls: list[str] = []

    def probe(url: str) -> str:
        calls.append(url)
        return ""

    monkeypatch.setattr(links, "_probe", probe)
    for _ in range(3):
        found(subject_of_text(acme, "See https://shop.acme-bikes.fr/a"), "links")
    assert calls == ["https://shop.acme-bikes.fr/a"]
