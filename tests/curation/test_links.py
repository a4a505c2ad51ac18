"""Finding and tagging links: punctuation around them, the author's own parameters, the
links never to tag, and which template applies."""

from __future__ import annotations

import pytest

from hubbub.core.access import ActionError
from hubbub.core.models import Workspace
from hubbub.curation import links
from hubbub.curation.models import UtmTemplate
from hubbub.publishing.models import Campaign

CONTEXT = {
    "network": "mastodon",
    "channel": "@acme@mastodon.example",
    "campaign": "Soldes d'été 2026",
    "post": "42",
}


def urls(text: str) -> list[str]:
    return [link.url for link in links.find_links(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Read https://acme.example/guide.", ["https://acme.example/guide"]),
        ("Read https://acme.example/guide, then rest!", ["https://acme.example/guide"]),
        ("(see https://acme.example/guide)", ["https://acme.example/guide"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("Lisez « https://acme.fr/guide » !", ["https://acme.fr/guide"]),
        ("Lisez «https://acme.fr/guide»", ["https://acme.fr/guide"]),
        ('He said "https://acme.example/a?b=1"', ["https://acme.example/a?b=1"]),
        (
            "Two: https://a.example/1 and http://b.example/2?",
            ["https://a.example/1", "http://b.example/2"],
        ),
        ("No link here, just https:// and www.", []),
    ],
)
def test_it_finds_links_without_the_punctuation_around_them(text, expected):
    assert urls(text) == expected


def template(**values) -> UtmTemplate:
    return UtmTemplate(**values)


def test_it_appends_the_tags_after_the_authors_parameters_and_before_the_fragment():
    url = "https://shop.example/p?id=3&ref=a%20b#reviews"
    assert links.tag(url, template(), CONTEXT) == (
        "https://shop.example/p?id=3&ref=a%20b&utm_source=mastodon&utm_medium=social"
        "&utm_campaign=soldes-d-ete-2026#reviews"
    )


def test_empty_values_and_missing_placeholders_add_nothing():
    t = template(utm_term="", utm_content="{post}-{channel}")
    tagged = links.tag("https://shop.example/", t, {**CONTEXT, "campaign": ""})
    assert tagged == (
        "https://shop.example/?utm_source=mastodon&utm_medium=social"
        "&utm_content=42-acme-mastodon-example"
    )


def test_literal_values_are_url_encoded():
    t = template(utm_source="news letter&co", utm_medium="e-mail", utm_campaign="")
    assert links.tag("https://a.example/x", t, CONTEXT) == (
        "https://a.example/x?utm_source=news%20letter%26co&utm_medium=e-mail"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://www.youtube.com/watch?v=abc", "a link to a social network"),
        ("https://bsky.app/profile/acme.example", "a link to a social network"),
        ("https://bit.ly/3abc", "already a short link"),
        ("https://go.acme.example/xyz", "already a short link"),  # the workspace's shortener
        ("https://acme.example/?UTM_source=newsletter", "already tagged by its author"),
        ("https://other.example/", "not one of the sites to tag"),
        ("https://acme.example/page", ""),
        ("https://shop.acme.example/page", ""),
    ],
)
def test_links_left_alone_and_why(url, reason):
    t = template(domains="acme.example\nhttps://www.partner.example/")
    assert links.skip_reason(url, t, own_hosts=["go.acme.example"]) == reason


def test_the_listed_sites_are_read_as_hosts():
    assert links.domains_of(
        "  https://www.Acme.example/shop \n\npartner.example\nacme.example"
    ) == [
        "acme.example",
        "partner.example",
    ]


def test_replacing_keeps_the_text_around_the_links():
    text = "Voir « https://acme.fr/a » et (https://acme.fr/b)."
    out = links.replace_links(text, {"https://acme.fr/a": "A", "https://acme.fr/b": "B"})
    assert out == "Voir « A » et (B)."


def test_unknown_placeholders_are_refused_with_the_known_ones_named():
    with pytest.raises(ActionError) as caught:
        links.check_value("utm_source", "{networks}")
    assert "{networks}" in caught.value.message and "{campaign}" in caught.value.message


@pytest.mark.django_db
def test_the_campaigns_template_wins_then_the_default_then_none(acme: Workspace):
    launch = Campaign.objects.create(workspace=acme, name="Launch")
    quiet = Campaign.objects.create(workspace=acme, name="Quiet")
    other = Campaign.objects.create(workspace=acme, name="Other")
    assert links.template_for(acme, launch.pk) is None
    default = UtmTemplate.objects.create(workspace=acme, utm_medium="social")
    own = UtmTemplate.objects.create(workspace=acme, campaign=launch, utm_medium="paid")
    UtmTemplate.objects.create(workspace=acme, campaign=quiet, is_active=False)
    assert links.template_for(acme, launch.pk) == own
    assert links.template_for(acme, other.pk) == default
    assert links.template_for(acme, None) == default
    assert links.template_for(acme, quiet.pk) is None  # switched off: this campaign untagged
    default.is_active = False
    default.save()
    assert links.template_for(acme, other.pk) is None
