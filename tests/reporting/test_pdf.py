"""The PDF report: its figures are the Results page's, its charts are drawn, its pages carry
the workspace's colours and logo, its formulas are in the appendix, a period without data
says so, and white-label leaves Hubbub's name out of it. Each PDF is read back with pdfium:
the text of its pages and its pages rendered to images."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from hubbub.core.access import access_workspace
from hubbub.core.actions.brand import update_brand
from hubbub.core.models import Workspace
from hubbub.measure import formulas, reports
from hubbub.measure.periods import Period
from hubbub.reporting import content, pdf
from hubbub.reporting.schedules import build_pdf
from tests.conftest import signed_in
from tests.measure.test_reports import OCTOBER, PARIS, channel, local, post
from tests.reporting.helpers import at_mm, close, metadata, pages_images, pages_text, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(acme: Workspace) -> dict[str, Any]:
    """Two channels; October has three posts with counts (29 engagements) and one without."""
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    mastodon = channel(acme, "mastodon", "@brand@social.example")
    post(bluesky, local(2026, 10, 3, 9), likes=10, comments=2, shares=3)
    post(bluesky, local(2026, 10, 20, 18), likes=4, comments=0, shares=1)
    post(mastodon, local(2026, 10, 12, 12), likes=6, comments=1, shares=2, reach=250)
    post(mastodon, local(2026, 10, 14, 12))  # read, but the network gave no count
    return {"bluesky": bluesky, "mastodon": mastodon}


def render(workspace: Workspace, period: Period = OCTOBER, language: str = "en") -> bytes:
    return build_pdf(workspace, reports.Scope(workspace.pk), period, "previous", language)[1]


def test_the_pdf_says_the_figures_of_the_results_page(acme, october, alice):
    data = render(acme)
    text = "\n".join(pages_text(data))
    assert data.startswith(b"%PDF-")
    assert "Results: Acme" in text
    # 15 + 5 + 9 engagements; 9 of the mastodon post's 250 reach is 3.60 %.
    assert "Engagements [1]" in text
    assert "29" in text
    page = signed_in(alice).get(
        reverse("measure:overview", args=["acme"]), {"from": "2026-10-01", "to": "2026-10-31"}
    )
    for row in page.context["headline"]:
        assert row["label"] in text
        # The PDF's text layer gives a no-break space back as a plain one.
        assert row["value"].replace("\xa0", " ") in text.replace("\xa0", " "), row
    # The channels table: each channel's posts and engagements.
    assert "brand.bsky.social" in text and "@brand@social.example" in text
    assert "Oct. 1, 2026 – Oct. 31, 2026" in text  # noqa: RUF001


def test_every_formula_is_in_the_appendix_with_its_number(acme, october):
    last = " ".join(pages_text(render(acme))[-1].split())
    assert "Appendix: how the figures are computed" in last
    for number, formula in enumerate(formulas.FORMULAS.values(), start=1):
        # Each row: its number, the figure's name, its formula (wrapped lines joined).
        assert f"{number} {formula.label}" in last
        assert " ".join(str(formula.text).split()) in last
    assert "Europe/Paris" in last


def test_a_day_with_posts_but_no_count_is_said_to_be_a_gap(acme, october):
    text = "\n".join(pages_text(render(acme)))
    assert "no counts from the network: they are left as gaps, not counted as zero (1 day)" in (
        " ".join(text.split())
    )


def test_the_daily_chart_is_drawn_in_the_brand_colour(acme, october, alice):
    update_brand(access_workspace(alice, "acme"), primary_colour="#0f766e")
    first = pages_images(render(acme))[0]
    width, height = first.size
    # Somewhere in the chart area (below the headline table) bars are in the brand colour.
    chart = first.crop((0, height // 3, width, height))
    colours = [colour for _n, colour in chart.getcolors(1_000_000) or []]
    assert any(isinstance(c, tuple) and close(c, "#0f766e") for c in colours)


def test_each_page_has_the_brand_band_and_logo(acme, october, alice):
    owner = access_workspace(alice, "acme")
    update_brand(owner, primary_colour="#0f766e", logo=png("#dc2626"))
    images = pages_images(render(acme))
    assert len(images) >= 2
    for image in images:
        assert close(at_mm(image, 200, 3), "#0f766e")  # the band, right of the logo
        # The logo: 200 × 100 pixels, fitted into the 36 × 14 mm box at (15, 6) mm.  # noqa: RUF003
        assert close(at_mm(image, 33, 13), "#dc2626")


def test_text_on_a_light_band_is_dark_and_on_a_dark_band_white():
    assert pdf.on_colour("#ffffff") == pdf.INK
    assert pdf.on_colour("#fde047") == pdf.INK  # yellow
    assert pdf.on_colour("#1e3a8a") == (255, 255, 255)


def test_prepared_by_and_hubbub_in_the_footer_unless_white_label(acme, october, alice):
    owner = access_workspace(alice, "acme")
    update_brand(owner, prepared_by="North Agency")
    data = render(acme)
    text = "\n".join(pages_text(data))
    assert "Prepared by North Agency" in text
    assert "Made with Hubbub" in text
    update_brand(owner, white_label=True)
    data = render(acme)
    text = "\n".join(pages_text(data))
    assert "Prepared by North Agency" in text
    assert "hubbub" not in text.lower()
    meta = metadata(data)
    assert not any("hubbub" in value.lower() or "fpdf" in value.lower() for value in meta.values())
    assert meta["Author"] == "North Agency"


def test_a_period_without_posts_gives_a_report_that_says_so(acme):
    empty = Period(date(2025, 1, 1), date(2025, 1, 7), PARIS)
    text = " ".join(" ".join(pages_text(render(acme, empty))).split())
    assert "No posts were published in this period." in text
    assert "No posts in this period: nothing to chart." in text
    assert "Not enough history yet" in text


def test_untrusted_post_text_is_printed_as_text(acme):
    bluesky = channel(acme, "bluesky", "brand.bsky.social")
    delivery = post(bluesky, local(2026, 10, 3, 9), likes=1000)
    delivery.variant.parts = ["<script>alert(1)</script> (été) ☕ \U0001d54f"]  # a math X
    delivery.variant.save()
    text = " ".join(pages_text(render(acme)))
    assert "<script>alert(1)</script> (été)" in text


def test_the_results_page_links_its_pdf_and_the_download_has_the_same_period(acme, october, alice):
    client = signed_in(alice)
    query = {"from": "2026-10-01", "to": "2026-10-31", "channel": october["bluesky"].pk}
    response = client.get(reverse("reporting:pdf", args=["acme"]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="acme-results-2026-10-01-2026-10-31.pdf"' in response["Content-Disposition"]
    text = " ".join(pages_text(response.content))
    assert "Results: Acme · brand.bsky.social (Bluesky)" in text
    assert "@brand@social.example" not in text  # the other channel is filtered out
    page = client.get(reverse("measure:overview", args=["acme"]), query)
    assert reverse("reporting:pdf", args=["acme"]) in page.content.decode()


def test_a_client_viewer_may_download_the_pdf(acme, october, make_user):
    from hubbub.core.models import Membership
    from hubbub.core.roles import Role

    viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    response = signed_in(viewer).get(reverse("reporting:pdf", args=["acme"]))
    assert response.status_code == 200


def test_content_for_a_campaign_has_its_money(acme, october, alice):
    from hubbub.measure import campaigns
    from hubbub.publishing.models import Campaign

    launch = Campaign.objects.create(
        workspace=acme, name="Launch", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    owner = access_workspace(alice, "acme")
    campaigns.set_budget(owner, launch, "500", "EUR")
    campaigns.add_spend(
        owner,
        launch,
        campaigns.SpendInput(day=date(2026, 10, 2), amount="120", results=40, paid_reach=3000),
    )
    with translation.override("en"):
        found = content.build(acme, reports.Scope(acme.pk, campaign_id=launch.pk), OCTOBER)
        text = " ".join(" ".join(pages_text(pdf.render(found))).split())
    assert found.campaign is not None
    assert "Budget 500.00 EUR" in text
    assert "Spent 120.00 EUR" in text
    assert "Left 380.00 EUR" in text
    assert "Cost per result [7] 3.00 EUR" in text
    assert "Paid reach 3,000" in text
