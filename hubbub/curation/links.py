"""Links in a post's text: finding them, and tagging them with a UTM template.

Pure text work (no network, one query to pick the template): the dispatcher's rewrite
(hubbub.curation.links_outgoing), the settings page's live preview and the API's preview all
call the same functions, so what the preview shows is what goes out.

Rules, in the order they apply to each link found:
- a link whose host is one of the networks' own (a post on X, a YouTube video) or the
  shortener's is left alone: tagging someone else's site tells nobody anything;
- with "only for these sites" set, only links to those hosts (and their subdomains) change;
- a link that already carries any utm_* parameter is the author's choice and stays as it is;
- otherwise the template's non-empty values are appended to the query, after the author's
  own parameters (kept byte for byte), before the fragment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from django.db.models import Q
from django.utils.translation import gettext as _

from hubbub.core.access import ActionError
from hubbub.core.models import Workspace
from hubbub.curation.models import UtmTemplate

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
PLACEHOLDERS = ("network", "channel", "campaign", "post")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# A link runs until white space, quotes or angle brackets (French « » included); what it
# ends with is trimmed below, since "see https://a.example/x." ends a sentence, not the path.
_LINK = re.compile(r"https?://[^\s<>\"'«»“”\u2018\u2019`]+", re.IGNORECASE)
_TRAILING = ".,;:!?…"
_PAIRS = {")": "(", "]": "[", "}": "{"}

# The networks' own hosts: a link to a post, a profile or a video there is not the brand's
# traffic to measure (and some networks strip or refuse unknown parameters on their links).
NETWORK_HOSTS = frozenset(
    {
        "x.com",
        "twitter.com",
        "t.co",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "linkedin.com",
        "lnkd.in",
        "youtube.com",
        "youtu.be",
        "bsky.app",
        "threads.net",
        "threads.com",
        "tiktok.com",
        "pinterest.com",
        "pin.it",
        "t.me",
        "telegram.me",
        "discord.com",
        "discord.gg",
        "slack.com",
        "matrix.to",
    }
)
# Public shorteners' hosts: a link already short is never tagged (its target is unknown).
SHORTENER_HOSTS = frozenset({"bit.ly", "bitly.com", "j.mp", "kutt.it", "kutt.to", "tinyurl.com"})


@dataclass(frozen=True)
class FoundLink:
    start: int
    end: int
    url: str


def find_links(text: str) -> list[FoundLink]:
    """The web links in a text, each with where it sits, its trailing punctuation left out."""
    found = []
    for match in _LINK.finditer(text):
        url = _trimmed(match.group())
        if urlsplit(url).hostname:
            found.append(FoundLink(match.start(), match.start() + len(url), url))
    return found


def _trimmed(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            # "(see https://en.wikipedia.org/wiki/Foo_(bar))": only the unbalanced one goes
            url = url[:-1]
        else:
            return url
    return url


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def host_in(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains if d)


def domains_of(text: str) -> list[str]:
    """The "only for these sites" lines as hosts: one a line, an address or a bare host."""
    hosts = []
    for line in text.splitlines():
        line = line.strip().lower()
        if not line:
            continue
        host = host_of(line if "://" in line else f"https://{line}")
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def slug(value: str) -> str:
    """A value as it reads well in analytics: ASCII, lower case, words joined by hyphens
    ("Soldes d'été 2026" → "soldes-d-ete-2026")."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def check_value(name: str, value: str) -> str:
    """A template value as saved: trimmed, with only the known placeholders."""
    value = value.strip()
    for placeholder in _PLACEHOLDER.findall(value):
        if placeholder not in PLACEHOLDERS:
            raise ActionError(
                _("%(field)s uses {%(name)s}: the placeholders are %(known)s.")
                % {
                    "field": name,
                    "name": placeholder,
                    "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                },
                field=name,
            )
    if len(value) > 200:
        raise ActionError(_("%(field)s is too long (200 characters at most).") % {"field": name})
    return value


def fill(value: str, context: Mapping[str, str]) -> str:
    """A template value with its placeholders replaced; a placeholder without a value (no
    campaign) becomes empty, and a value left empty is not added to the link."""
    return _PLACEHOLDER.sub(lambda m: slug(context.get(m.group(1), "")), value)


def utm_values(template: UtmTemplate, context: Mapping[str, str]) -> list[tuple[str, str]]:
    pairs = [(name, fill(getattr(template, name), context)) for name in UTM_FIELDS]
    return [(name, value) for name, value in pairs if value]


def has_utm(url: str) -> bool:
    query = urlsplit(url).query
    return any(p.split("=", 1)[0].lower().startswith("utm_") for p in query.split("&") if p)


def with_params(url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """The URL with the pairs appended to its query: the author's parameters (and their
    encoding) and the fragment stay exactly as written."""
    parts = urlsplit(url)
    added = "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)
    if not added:
        return url
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def skip_reason(url: str, template: UtmTemplate, own_hosts: Iterable[str] = ()) -> str:
    """Why a link is not tagged, or "" when it is."""
    host = host_of(url)
    if host_in(host, NETWORK_HOSTS):
        return _("a link to a social network")
    if host_in(host, SHORTENER_HOSTS) or host_in(host, own_hosts):
        return _("already a short link")
    domains = domains_of(template.domains)
    if domains and not host_in(host, domains):
        return _("not one of the sites to tag")
    if has_utm(url):
        return _("already tagged by its author")
    return ""


def tag(url: str, template: UtmTemplate, context: Mapping[str, str]) -> str:
    return with_params(url, utm_values(template, context))


def replace_links(text: str, replacements: Mapping[str, str]) -> str:
    """The text with each link found replaced by its replacement (when it has one)."""
    out, last = [], 0
    for link in find_links(text):
        out.append(text[last : link.start])
        out.append(replacements.get(link.url, link.url))
        last = link.end
    out.append(text[last:])
    return "".join(out)


def template_for(workspace: Workspace, campaign_id: int | None) -> UtmTemplate | None:
    """The campaign's template, else the workspace's default; None when neither tags.

    A campaign's template switched off means "do not tag this campaign's links" (not "use
    the default"): that is the only way to leave one campaign out."""
    rows = UtmTemplate.objects.filter(workspace=workspace)
    if campaign_id is None:
        rows = rows.filter(campaign__isnull=True)
    else:
        rows = rows.filter(Q(campaign__isnull=True) | Q(campaign_id=campaign_id))
    by_campaign = {row.campaign_id: row for row in rows}
    chosen = by_campaign.get(campaign_id) if campaign_id is not None else None
    if chosen is None:
        chosen = by_campaign.get(None)
    return chosen if chosen is not None and chosen.is_active else None
