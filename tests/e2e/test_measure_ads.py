"""A campaign's spend from Facebook/Instagram ads in a real browser: choose the Page, the ad
account and the ad campaigns from lists Meta's Graph API gives (mocked at our one HTTP seam),
link them, sync, and read the spend, its problems and the cost per result on the page."""

from __future__ import annotations

import re
from datetime import date

import pytest
import respx
import time_machine
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.measure.models import AdSpendLink, SpendEntry
from hubbub.publishing.models import Campaign
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.e2e.test_keyboard_and_language import sign_in
from tests.measure.test_adspend import (
    ACCOUNT,
    AD,
    ADS_TOKEN,
    INSIGHTS,
    TODAY,
    accounts_and_campaigns,
    answer,
    row,
)
from tests.networks.facebook.conftest import make_channel

pytestmark = pytest.mark.e2e


def test_link_ads_sync_and_read_the_spend(
    page: Page, shots, alice: User, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    acme.time_zone = "Europe/Paris"
    acme.save()
    facebook = make_channel(acme)
    facebook.credentials = {**facebook.credentials, "ads_access_token": ADS_TOKEN}
    facebook.save()
    launch = Campaign.objects.create(
        workspace=acme, name="Launch", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )
    fake_dns["graph.facebook.com"] = [PUBLIC_TEST_ADDRESS]
    with (
        respx.mock(assert_all_called=False, assert_all_mocked=True) as graph,
        time_machine.travel(TODAY, tick=True),
    ):
        accounts_and_campaigns(graph)
        graph.get(INSIGHTS).mock(
            return_value=answer([row("2026-10-01", "12.50"), row("2026-10-02", "oops")])
        )
        sign_in(page, alice.email)
        expect(page).to_have_url(re.compile(r"/w/acme/$"))
        page.goto(f"/w/acme/measure/campaigns/{launch.pk}/")
        ads = page.get_by_test_id("ads")
        expect(ads).to_contain_text("No ads linked")

        ads.get_by_label("Facebook channel").select_option(str(facebook.pk))
        ads.get_by_role("button", name="List ad accounts").click()
        account = page.get_by_label("Ad account")
        # The account's name is the network's text: shown as text, never as markup.
        expect(account).to_contain_text("Acme <b>ads</b> (act_1234567890, EUR)")
        page.get_by_role("button", name="List ad campaigns").click()
        page.get_by_label(re.compile("Autumn <launch>")).check()
        shots(page, "ad-campaigns")
        page.get_by_role("button", name="Link these ads").click()

        link = page.get_by_test_id("ads-link")
        expect(link).to_be_visible()
        expect(link).to_contain_text(facebook.handle)
        page.get_by_test_id("ads-sync").get_by_role("button", name="Sync now").click()
        expect(page.get_by_text("1 line of ad spend read.")).to_be_visible()
        error = page.get_by_test_id("ads-error")
        expect(error).to_contain_text("oops")
        expect(page.get_by_test_id("ads-last-sync")).to_contain_text("2026-10-16")
        shots(page, "synced")

    saved = AdSpendLink.objects.get(campaign=launch)
    assert saved.ad_account_id == ACCOUNT and saved.ad_campaign_ids == [AD]
    spend = SpendEntry.objects.get(campaign=launch)
    assert (spend.day, str(spend.amount)) == (date(2026, 10, 1), "12.50")
