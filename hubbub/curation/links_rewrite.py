"""A text's links as they go out: tagged with the UTM template, shortened when the workspace
has a shortener, and kept within the channel's length limit.

One text at a time, each link:
1. tagged, unless hubbub.curation.links says why not (a network's link, a site not listed,
   the author's own utm_*);
2. shortened when a shortener is set (tagged or not, except the networks' links and links
   already short). A shortener that fails costs nothing but the short link: the long one
   goes out and the failure is reported;
3. if the result is longer than the channel allows, the links tagged but not shortened go
   back to what the author wrote, and that is reported too. (Networks that count any link
   as 23 characters, X or Mastodon, never need this: their `count` already says so.)

`may_call` False uses only the short links made before: the live preview must not create
links on every key stroke, and a retried publication must send exactly what it sent the
first time (the networks find an earlier attempt by its text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.curation import links
from hubbub.curation.models import UtmTemplate
from hubbub.curation.shorteners import Shortener, ShortenerError, short_link, stored


@dataclass(frozen=True)
class LinkChange:
    before: str
    after: str
    note: str = ""  # why it is as it is, when it is not simply tagged
    shortened: bool = False


@dataclass(frozen=True)
class Rewritten:
    text: str
    links: list[LinkChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what a person should know


@dataclass
class Rewriter:
    workspace: Workspace
    template: UtmTemplate | None
    context: Mapping[str, str]
    shortener: Shortener | None = None
    may_call: bool = True
    fits: Callable[[int, str], bool] | None = None  # (part index, text) → within the limit
    timeout: float | None = None

    @property
    def active(self) -> bool:
        return self.template is not None or self.shortener is not None

    def rewrite(self, text: str, index: int = 0) -> Rewritten:
        found = list(dict.fromkeys(link.url for link in links.find_links(text)))
        if not found or not self.active:
            return Rewritten(text, [LinkChange(url, url) for url in found])
        problems: list[str] = []
        planned = {url: self._link(url, problems) for url in found}
        result = links.replace_links(text, {url: c.after for url, c in planned.items()})
        if self.fits is not None and not self.fits(index, result) and self.fits(index, text):
            result, planned = self._untag_long(text, index, planned, problems)
        return Rewritten(result, list(planned.values()), problems)

    def _link(self, url: str, problems: list[str]) -> LinkChange:
        own = self.shortener.hosts() if self.shortener is not None else []
        tagged, note = url, ""
        if self.template is not None:
            note = links.skip_reason(url, self.template, own)
            if not note:
                tagged = links.tag(url, self.template, self.context)
        else:
            note = _("no UTM template applies")
        host = links.host_of(url)
        if self.shortener is None or links.host_in(host, [*links.NETWORK_HOSTS, *own]):
            return LinkChange(url, tagged, note)
        if links.host_in(host, links.SHORTENER_HOSTS):
            return LinkChange(url, tagged, note)
        if not self.may_call:
            short = stored(self.workspace, tagged)
            if short is None:
                return LinkChange(url, tagged, _("shortened when published"))
            return LinkChange(url, short, note, shortened=True)
        try:
            short = short_link(self.workspace, self.shortener, tagged, self.timeout)
            return LinkChange(url, short, note, shortened=True)
        except ShortenerError as exc:
            problem = _("%(link)s was not shortened: %(reason)s") % {
                "link": url,
                "reason": exc.message,
            }
            problems.append(problem)
            return LinkChange(url, tagged, problem)

    def _untag_long(
        self, text: str, index: int, planned: dict[str, LinkChange], problems: list[str]
    ) -> tuple[str, dict[str, LinkChange]]:
        """Put back the author's links where tagging made them long, until the text fits."""
        for url, change in list(planned.items()):
            if change.after == url or change.shortened:
                continue  # unchanged, or shortened: nothing shorter to go back to
            problem = _(
                "%(link)s went out without its UTM tags: with them the text was longer than "
                "the channel allows (set a shortener to keep them)."
            ) % {"link": url}
            problems.append(problem)
            planned[url] = LinkChange(url, url, problem)
            result = links.replace_links(text, {u: c.after for u, c in planned.items()})
            if self.fits is None or self.fits(index, result):
                return result, planned
        return links.replace_links(text, {u: c.after for u, c in planned.items()}), planned
